"""Keyset pagination and capped counts for list pages (SPEC Q-PERF: no exact COUNT(*) over
more than 10,000 rows; page 1,000 as fast as page 1)."""

from dataclasses import dataclass

from django.db.models import F, Q

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

    @property
    def count_label(self) -> str:
        return f"{COUNT_CAP:,}+" if self.count_capped else f"{self.count:,}"


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


def keyset_sorted(qs, request, field: str, descending: bool = False) -> KeysetPage:
    """Keyset pagination on (field, pk), nulls last either way: `?after=<pk>` continues after
    that row, whatever the page number (page 1,000 costs what page 1 costs)."""

    size = page_size(request)
    count, capped = capped_count(qs)
    try:
        after = int(request.GET.get("after", ""))
    except ValueError:
        after = None
    if after is not None and field in ("id", "pk"):
        qs = qs.filter(pk__lt=after) if descending else qs.filter(pk__gt=after)
    elif after is not None:
        row = qs.model._default_manager.filter(pk=after).values(field).first()
        if row is not None:
            value = row[field]
            if value is None:
                qs = qs.filter(
                    Q(**{f"{field}__isnull": True})
                    & Q(**{"pk__lt" if descending else "pk__gt": after})
                )
            else:
                op = "lt" if descending else "gt"
                qs = qs.filter(
                    Q(**{f"{field}__{op}": value})
                    | Q(**{field: value, f"pk__{op}": after})
                    | Q(**{f"{field}__isnull": True})
                )
    if field in ("id", "pk"):
        order = ("-pk",) if descending else ("pk",)  # the primary key index, either way
    else:
        order = (
            (F(field).desc(nulls_last=True), "-pk")
            if descending
            else (F(field).asc(nulls_last=True), "pk")
        )
    rows = list(qs.order_by(*order)[: size + 1])
    has_next = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        rows=rows,
        size=size,
        next_after=rows[-1].pk if has_next else None,
        count=count,
        count_capped=capped,
    )
