"""REPORT-COMP writes: closing a quarter freezes its numbers (one row per rep), so pay never
moves silently; only a quarter that has ended, once."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gtm_portal.core import access

from .models import FrozenCompRow, QuarterClose
from .params import parse_filters
from .queries import comp


@transaction.atomic
def quarter_close(*, quarter: str, by, now=None) -> QuarterClose:
    access.require(by, "reports.close_quarter")
    now = now or timezone.now()
    f = parse_filters({}, by, now=now)
    today = timezone.localtime(now, f.tz).date()
    found, day = None, today
    for _ in range(40):  # the quarters of the last ten years
        q = comp.quarter_of(day)
        if q.label == quarter:
            found = q
            break
        day = q.start - datetime.timedelta(days=1)
    if found is None:
        raise ValidationError("Choose a quarter such as FY2027-Q1.", code="quarter")
    if found.end > today:
        raise ValidationError(f"{quarter} has not ended yet; close it after {found.end}.")
    if QuarterClose.objects.filter(quarter=quarter).exists():
        raise ValidationError(f"{quarter} is already closed.")
    f = parse_filters({"from": found.start.isoformat(), "to": found.start.isoformat()}, by, now=now)
    close = QuarterClose.objects.create(quarter=quarter, closed_at=now, closed_by=by)
    FrozenCompRow.objects.bulk_create(
        FrozenCompRow(
            close=close,
            rep=rep,
            plan=row[0],
            values=[str(v) for v in row],
            credited_ids=ids,
        )
        for rep, row, ids in comp.live_rows(f, found)
    )
    return close
