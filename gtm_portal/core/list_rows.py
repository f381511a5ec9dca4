"""The rows of the record lists (/leads/, /contacts/, /accounts/, /opportunities/), written in
Python like the workspace views' rows (SPEC Q-PERF: at 200 rows a page the template engine
was most of the page's server time). Each kind names the columns its rows read (`FIELDS`,
for `select_labels(..., fields=...)`) and writes the cells its template wrote, escaped the
same way (Q-SAFE). The opportunity list and the AE's views define each column once — header,
cell, sort key — in `OPPORTUNITY_COLUMNS`."""

from collections.abc import Callable
from dataclasses import dataclass

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from .html import EMPTY, e, local_date

FIELDS = {
    "lead": (
        "first_name",
        "last_name",
        "company",
        "title",
        "status",
        "person_score",
        "owner",
        "initial_source",
    ),
    "contact": (
        "first_name",
        "last_name",
        "account",
        "title",
        "status",
        "person_score",
        "owner",
        "initial_source",
    ),
    "account": (
        "name",
        "domain",
        "segment",
        "type",
        "bdr_prospecting_status",
        "owner",
        "bdr_assigned",
    ),
}
DETAIL_URL = {
    "lead": "leads:detail",
    "contact": "contacts:detail",
    "account": "accounts:detail",
    "opportunity": "opportunities:detail",
}


def _label(user) -> str:
    return e(user.label) if user is not None else EMPTY


def _prefix(name: str) -> str:
    """The detail URL with the id left off (reversed once per page, not once per row)."""
    return reverse(name, args=[0])[:-2]


def _person(r, url: str, second: str) -> str:
    return (
        f'<tr><td><a href="{url}{r.pk}/">{e(r.name)}</a></td><td>{second}</td>'
        f'<td>{e(r.title)}</td><td><span class="badge text-bg-secondary">'
        f"{e(r.get_status_display())}</span></td><td>{e(r.person_score)}</td>"
        f"<td>{_label(r.owner)}</td><td>{e(r.initial_source)}</td></tr>"
    )


def _lead(r, urls) -> str:
    return _person(r, urls["lead"], e(r.company))


def _contact(r, urls) -> str:
    return _person(
        r, urls["contact"], f'<a href="{urls["account"]}{r.account_id}/">{e(r.account)}</a>'
    )


def _account(r, urls) -> str:
    return (
        f'<tr><td><a href="{urls["account"]}{r.pk}/">{e(r.name)}</a></td>'
        f"<td>{e(r.domain)}</td><td>{e(r.segment)}</td><td>{e(r.type)}</td>"
        f"<td>{e(r.get_bdr_prospecting_status_display())}</td><td>{_label(r.owner)}</td>"
        f"<td>{_label(r.bdr_assigned)}</td></tr>"
    )


ROW = {"lead": _lead, "contact": _contact, "account": _account}


def list_rows_html(kind: str, rows, columns) -> SafeString:
    """The table body of a record list: one row per record, or the empty-list line."""
    if not rows:
        return mark_safe(
            f'\n<tr><td colspan="{len(columns)}" class="text-muted">No records.</td></tr>'
        )
    urls = {k: _prefix(name) for k, name in DETAIL_URL.items()}
    write = ROW[kind]
    return mark_safe("".join([write(r, urls) for r in rows]))  # every value went through e()


# -- the opportunity list and the AE's views (VIEW-4) ---------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a list: its header, its cell, the `?sort=` key ordering by it ("" when it
    does not sort) and the classes of both (e.g. hidden on a phone)."""

    header: str
    cell: Callable[..., str]  # (row, detail URL prefixes) -> the cell's escaped content
    sort: str = ""
    css: str = ""


OPPORTUNITY_COLUMNS = (
    Column("Name", lambda r, u: f'<a href="{u["opportunity"]}{r.pk}/">{e(r.name)}</a>', "name"),
    Column(
        "Account",
        lambda r, u: f'<a href="{u["account"]}{r.account_id}/">{e(r.account)}</a>',
        "account",
        "d-none d-sm-table-cell",
    ),
    Column(
        "Stage",
        lambda r, u: (
            f'<span class="badge text-bg-secondary text-wrap text-start">{e(r.stage)}</span>'
        ),
        "stage",
    ),
    Column("Close date", lambda r, u: e(local_date(r.close_date, "Y-m-d")), "close", "text-nowrap"),
    Column("IACV", lambda r, u: e(floatformat(r.iacv, "0g")), "iacv", "text-end"),
    Column("Owner", lambda r, u: _label(r.owner), "owner", "d-none d-md-table-cell"),
    Column("SDR/BDR", lambda r, u: _label(r.sdr_bdr), "", "d-none d-lg-table-cell"),
)


def _class(css: str) -> str:
    return f' class="{css}"' if css else ""


def header_html(columns, *, sort: str, query: str) -> SafeString:
    """The header row: a sortable column links to its sort (ascending first, then the other
    way) and shows an arrow while it orders the list. `query` is the page's query string
    without sort and keyset position (filters, page size, cover), kept in every link."""
    prefix = f"?{query}&" if query else "?"
    cells = []
    for col in columns:
        if not col.sort:
            cells.append(f'<th scope="col"{_class(col.css)}>{e(col.header)}</th>')
            continue
        current = sort.lstrip("-") == col.sort
        descending = current and sort.startswith("-")
        target = col.sort if descending or not current else f"-{col.sort}"
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
