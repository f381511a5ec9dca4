"""The rows of every list — the record lists (/leads/, /contacts/, /accounts/,
/opportunities/), the workspace views (VIEW-1..4) — written in Python (SPEC Q-PERF: at 200 rows
a page the template engine was most of the page's server time). Each list defines its columns
once, header and cell side by side (`Column`), in its own app's `rows.py`; this module writes
the header row and the table body from them, every value escaped (Q-SAFE)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from .html import EMPTY, e

DETAIL_URL = {
    "lead": "leads:detail",
    "contact": "contacts:detail",
    "account": "accounts:detail",
    "opportunity": "opportunities:detail",
}


def label(user) -> str:
    """A user's label for a cell, or the empty dash."""
    return e(user.label) if user is not None else EMPTY


def _prefix(name: str) -> str:
    """The detail URL with the id left off (reversed once per page, not once per row)."""
    return reverse(name, args=[0])[:-2]


@dataclass(frozen=True)
class Column:
    """One column of a list: its header, its cell, the `?sort=` key ordering by it ("" when it
    does not sort) and the classes of both (e.g. hidden on a phone). `descending_first`: the
    header's first click sorts the largest first (scores, recent moments); `header_hidden`:
    the header is for screen readers only; `header_control`: fixed markup in its place (the
    selection column's select-all box)."""

    header: str
    cell: Callable[..., str]  # (row, detail URL prefixes) -> the cell's escaped content
    sort: str = ""
    css: str = ""
    descending_first: bool = False
    header_hidden: bool = False
    header_control: str = ""


def select_column() -> Column:
    """VIEW-5: the row's checkbox for the view's mass actions (the page's `bulk-form`), and
    the header's select-all box (portal.js)."""
    return Column(
        "Select",
        lambda r, u: (
            f'<input class="form-check-input" type="checkbox" name="ids" value="{r.pk}" '
            f'form="bulk-form" aria-label="Select {e(r.name)}">'
        ),
        header_control=(
            '<input class="form-check-input" type="checkbox" data-select-all="bulk-form" '
            'aria-label="Select every row on this page">'
        ),
    )


@dataclass
class ColumnChoice:
    key: str
    header: str
    shown: bool


POSITION_PARAMS = ("after", "before", "start")


def chosen_columns(columns, query, *, fixed=("Select", "Actions")):
    """VIEW-4's column chooser: `?cols=` names the columns shown (by the slug of their
    header; a saved view keeps it with its filters), the `fixed` ones and the record's
    name (the column sorting by "name", its link) always are; without
    `cols` every column shows. Returns the columns to write and the chooser's context
    (`partials/_column_chooser.html`: its choices, and the view's other parameters that its
    form carries along)."""
    asked = query.getlist("cols")
    wanted = {key for key in asked if key} if asked else None
    choices, shown = [], []
    for column in columns:
        if column.header in fixed or column.sort == "name":
            shown.append(column)
            continue
        key = slugify(column.header)
        visible = wanted is None or key in wanted
        choices.append(ColumnChoice(key, column.header, visible))
        if visible:
            shown.append(column)
    others = [
        (k, v)
        for k, values in query.lists()
        if k != "cols" and k not in POSITION_PARAMS
        for v in values
    ]
    return tuple(shown), {"column_choices": choices, "params_but_columns": others}


def _class(css: str) -> str:
    return f' class="{css}"' if css else ""


def header_html(columns, *, sort: str, query: str) -> SafeString:
    """The header row: a sortable column links to its sort (ascending first, then the other
    way, or the other way first for `descending_first`) and shows an arrow while it orders the
    list. `query` is the page's query string without sort and keyset position (filters, page
    size, cover), kept in every link."""
    prefix = f"?{query}&" if query else "?"
    cells = []
    for col in columns:
        if col.header_control:
            cells.append(f'<th scope="col">{col.header_control}</th>')
            continue
        if col.header_hidden:
            cells.append(
                f'<th scope="col"><span class="visually-hidden">{e(col.header)}</span></th>'
            )
            continue
        if not col.sort:
            cells.append(f'<th scope="col"{_class(col.css)}>{e(col.header)}</th>')
            continue
        current = sort.lstrip("-") == col.sort
        descending = current and sort.startswith("-")
        first, opposite = (
            (f"-{col.sort}", col.sort) if col.descending_first else (col.sort, f"-{col.sort}")
        )
        target = opposite if sort == first else first
        arrow, aria = "", ""
        if current:
            arrow = (
                ' <span aria-hidden="true">▼</span>'
                if descending
                else ' <span aria-hidden="true">▲</span>'
            )
            aria = f' aria-sort="{"descending" if descending else "ascending"}"'
        cells.append(
            f'<th scope="col"{_class(col.css)}{aria}><a href="{e(prefix)}sort='
            f'{target}">{e(col.header)}</a>{arrow}</th>'
        )
    return mark_safe(f"<tr>{''.join(cells)}</tr>")  # every value went through e()


def table_rows_html(
    columns, rows, *, group_of: Callable | None = None, empty: str = "Nothing in this view."
) -> SafeString:
    """The table body: a row per record; with `group_of` (row -> heading), a heading row
    wherever the heading changes (a list sorted by stage or close month reads as groups)."""
    if not rows:
        return mark_safe(
            f'<tr><td colspan="{len(columns)}" class="text-muted">{e(empty)}</td></tr>'
        )
    urls = {k: _prefix(name) for k, name in DETAIL_URL.items()}
    out, heading = [], None
    for r in rows:
        if group_of is not None and group_of(r) != heading:
            heading = group_of(r)
            out.append(
                f'<tr class="table-group"><th scope="rowgroup" colspan="{len(columns)}" '
                f'class="bg-body-secondary small">{e(heading)}</th></tr>'
            )
        cells = "".join(f"<td{_class(c.css)}>{c.cell(r, urls)}</td>" for c in columns)
        out.append(f"<tr>{cells}</tr>")
    return mark_safe("\n".join(out))  # every value went through e()
