"""Keyset pagination and capped counts for list pages (SPEC Q-PERF: no exact COUNT(*) over
more than 10,000 rows; page 1,000 as fast as page 1)."""

from dataclasses import dataclass

from django.db.models import F, Q

from .input_guard import parse_id

PAGE_SIZES = (10, 25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
COUNT_CAP = 10_000


@dataclass
class KeysetPage:
    rows: list
    size: int
    next_after: int | None
    count: int
    count_capped: bool
    sizes: tuple = PAGE_SIZES
    prev_before: int | None = None  # `?before=` of the previous page, None on the first
    start: int = 1  # the position of the first row shown (carried in the pager's links)

    @property
    def count_label(self) -> str:
        return f"{COUNT_CAP:,}+" if self.count_capped else f"{self.count:,}"

    @property
    def range_label(self) -> str:
        """ "51–100 of 1,284" (UX: where am I in the list)."""
        if not self.rows:
            return f"0 of {self.count_label}"
        return f"{self.start:,}–{self.start + len(self.rows) - 1:,} of {self.count_label}"

    @property
    def next_start(self) -> int:
        return self.start + len(self.rows)

    @property
    def prev_start(self) -> int:
        return max(1, self.start - self.size)


POSITION_PARAMS = ("after", "before", "start")  # where a keyset page is; never in its links


def without_position(params):
    """A copy of the query parameters without the page's position, for the links of a list
    (sort, filters, size, the pager's own)."""
    params = params.copy()
    for key in POSITION_PARAMS:
        params.pop(key, None)
    return params


def page_size(request) -> int:
    try:
        size = int(request.GET.get("size", DEFAULT_PAGE_SIZE))
    except (TypeError, ValueError):
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def capped_count(qs) -> tuple[int, bool]:
    """ "10,000+" above the cap (SPEC Q-PERF: no exact COUNT over more than 10,000 rows). Only
    the ids are counted: display-only annotations (flags, badges) are not computed."""
    n = qs.order_by().values("pk")[: COUNT_CAP + 1].count()
    return min(n, COUNT_CAP), n > COUNT_CAP


def keyset_page(qs, request) -> KeysetPage:
    """Newest first by id; `?after=<id>` continues after the last row shown."""
    return keyset_sorted(qs, request, "id", descending=True)


def _past(field: str, value, pk: int, descending: bool) -> Q:
    """The rows after the row (value, pk) in the order (field, pk), nulls last."""
    op = "lt" if descending else "gt"
    if value is None:
        return Q(**{f"{field}__isnull": True, f"pk__{op}": pk})
    return (
        Q(**{f"{field}__{op}": value})
        | Q(**{field: value, f"pk__{op}": pk})
        | Q(**{f"{field}__isnull": True})
    )


def _before(field: str, value, pk: int, descending: bool) -> Q:
    """The rows before the row (value, pk) in the same order."""
    op = "gt" if descending else "lt"
    if value is None:
        return Q(**{f"{field}__isnull": False}) | Q(**{f"{field}__isnull": True, f"pk__{op}": pk})
    return Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"pk__{op}": pk})


def _order(field: str, descending: bool, reverse: bool = False) -> tuple:
    """The list's order (field, pk), nulls last — or, `reverse`, the same rows read from the
    other end (to go back a page)."""
    down = descending != reverse
    if field in ("id", "pk"):
        return ("-pk",) if down else ("pk",)  # the primary key index, either way
    nulls = {"nulls_first": True} if reverse else {"nulls_last": True}
    if down:
        return (F(field).desc(**nulls), "-pk")
    return (F(field).asc(**nulls), "pk")


def keyset_sorted(qs, request, field: str, descending: bool = False) -> KeysetPage:
    """Keyset pagination on (field, pk), nulls last either way: `?after=<pk>` continues after
    that row and `?before=<pk>` goes back to the page ending before it, whatever the page
    number (page 1,000 costs what page 1 costs). `?start=` only numbers the rows shown."""

    size = page_size(request)
    count, capped = capped_count(qs)
    after, before = parse_id(request.GET.get("after")), parse_id(request.GET.get("before"))
    start = parse_id(request.GET.get("start")) or 1  # any whole number ≥ 1, like an id
    backwards = before is not None and after is None
    anchor = before if backwards else after
    if anchor is not None:
        if field in ("id", "pk"):
            going_down = descending != backwards
            qs = qs.filter(pk__lt=anchor) if going_down else qs.filter(pk__gt=anchor)
        else:
            row = qs.model._default_manager.filter(pk=anchor).values(field).first()
            if row is not None:
                step = _before if backwards else _past
                qs = qs.filter(step(field, row[field], anchor, descending))
    rows = list(qs.order_by(*_order(field, descending, reverse=backwards))[: size + 1])
    more = len(rows) > size  # past the page's end: the next page (or, backwards, the previous)
    rows = rows[:size]
    if backwards:
        rows.reverse()
        has_next, has_prev = bool(rows), more
    else:
        has_next, has_prev = more, after is not None and bool(rows)
    return KeysetPage(
        rows=rows,
        size=size,
        next_after=rows[-1].pk if has_next else None,
        count=count,
        count_capped=capped,
        prev_before=rows[0].pk if has_prev else None,
        start=start if has_prev else 1,
    )
