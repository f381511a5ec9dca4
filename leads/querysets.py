"""Chainable reads for leads, and the lead views of VIEW-1 (one method each)."""

import datetime

from django.db import models
from django.db.models import Exists, IntegerField, OuterRef, Q, Value
from django.utils import timezone

from gtm_portal.activity.models import Activity, Enrollment, Task

from .enums import OPEN_LEAD_STATUSES

WEB_CHAT_SOURCE = "Drift"


def _active_enrollment(touch=None, field="lead"):

    qs = Enrollment.objects.filter(**{field: OuterRef("pk")}, state="active")
    if touch:
        qs = qs.filter(sequence__touch=touch)
    return Exists(qs)


class LeadQuerySet(models.QuerySet):
    def visible_to(self, user):
        """ROLE-3: everyone may read every record (internal portal); merged leads are
        tombstones that redirect, so they are not listed."""
        return self.filter(merged_into__isnull=True)

    def open(self):
        return self.filter(status__in=OPEN_LEAD_STATUSES)

    def not_test(self):
        """LEAD-TEST: title exactly `Test` is a test record (never in views or reports)."""
        return self.exclude(title="Test")

    def workable(self):
        return self.filter(merged_into__isnull=True, converted_at__isnull=True).not_test()

    # VIEW-1 ---------------------------------------------------------------------------------
    def mql_or_hot(self, user):
        return (
            self.workable()
            .filter(owner=user)
            .open()
            .filter(Q(status="MQL") | Q(is_hot=True) | Q(lead_source=WEB_CHAT_SOURCE))
        )

    def view_s1(self, user):
        """S1: MQLs and hot leads owned by me, oldest SLA deadline first; web-chat leads too."""
        return self.mql_or_hot(user)

    def view_b1(self, user):
        """B1 (BDR): MQLs and hot leads owned by me."""
        return self.workable().filter(owner=user).open().filter(Q(status="MQL") | Q(is_hot=True))

    def in_high_touch_with_phone(self, user):
        return (
            self.workable()
            .filter(owner=user)
            .exclude(phone="", mobile="")
            .filter(_active_enrollment("high"))
        )

    def view_s2(self, user):
        """S2: my leads active in a high-touch sequence that have a phone number."""
        return self.in_high_touch_with_phone(user)

    def view_b4(self, user):
        """B4: my leads active in a high-touch sequence with a phone number."""
        return self.in_high_touch_with_phone(user)

    def view_s3(self, user):
        """S3: my Qualifying leads, flagged when there is no sales activity in 14 days, no
        open task and no active follow-up sequence (the flags: `s3_flags`, for the rows of
        the page only)."""
        return self.workable().filter(owner=user, status="Qualifying")

    def view_b5(self, user):
        """B5: my Qualifying leads."""
        return self.workable().filter(owner=user, status="Qualifying")

    def view_b2(self, user):
        """B2: leads at Actively Working accounts where I am BDR Assigned, any owner, newest
        last interesting moment first."""
        return (
            self.workable()
            .open()
            .filter(
                matched_account__bdr_assigned=user,
                matched_account__bdr_prospecting_status="Actively Working",
            )
        )

    def view_b3(self, user):
        """B3: my leads not yet in a sequence (open statuses)."""
        return self.workable().filter(owner=user).open().exclude(_active_enrollment())


S3_QUIET_DAYS = 14


def s3_flags(rows, now=None) -> None:
    """S3 flags on a page of leads: `recent_activity` (sales activity in 14 days), `open_task`
    and `in_sequence` (active enrollment) — one query on the rows' ids (three index reads
    joined by UNION ALL), whatever the size of the view. (As EXISTS columns of the view's
    query PostgreSQL hashed every open task instead: 35 ms.)"""

    ids = [r.pk for r in rows]
    found: set = set()
    if ids:
        since = (now or timezone.now()) - datetime.timedelta(days=S3_QUIET_DAYS)

        def tagged(qs, tag):
            return (
                qs.order_by()
                .annotate(tag=Value(tag, output_field=IntegerField()))
                .values_list("lead_id", "tag")
            )

        found = set(
            tagged(
                Activity.objects.filter(lead_id__in=ids, is_sales=True, occurred_at__gte=since), 1
            ).union(
                tagged(Task.objects.filter(lead_id__in=ids, status="open"), 2),
                tagged(Enrollment.objects.filter(lead_id__in=ids, state="active"), 3),
                all=True,
            )
        )
    for r in rows:
        r.recent_activity = (r.pk, 1) in found
        r.open_task = (r.pk, 2) in found
        r.in_sequence = (r.pk, 3) in found
