import datetime

from django.db import models
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from gtm_portal.activity.models import Activity, Enrollment
from gtm_portal.core.labels import cached_rows
from gtm_portal.refdata.models import Region

from . import registry
from .workflow import ENROLL_DAYS

OPEN_CONTACT_STATUSES = ("Inquiry", "MQL", "Accepted", "Qualifying", "Recycle")
AW = "Actively Working"


class AccountQuerySet(models.QuerySet):
    def visible_to(self, user):
        """ROLE-3: every logged-in user reads every account; merged ones redirect."""
        return self.filter(merged_into__isnull=True)

    # VIEW-3 ---------------------------------------------------------------------------------
    def view_b1(self, user):
        """B1: accounts in my territory — my region and, if set on my profile, my segments."""
        qs = self.visible_to(user)
        if not user.region_id:
            return qs.none()
        regions = cached_rows(Region)
        mine = next((r for r in regions if r.pk == user.region_id), None)
        top = (mine.parent_id or mine.pk) if mine else user.region_id
        # The region and its sub-regions as a list: no join, and the name-ordered index
        # serves the page.
        qs = qs.filter(region_id__in=[r.pk for r in regions if top in (r.pk, r.parent_id)])
        if user.segments:
            qs = qs.filter(segment__in=user.segments)
        return qs

    def view_b2(self, user):
        """B2: accounts where I am BDR Assigned."""
        return self.visible_to(user).filter(bdr_assigned=user)

    def view_b3(self, user):
        """B3: Actively Working accounts where I am BDR Assigned, with what their 10/15-day
        (ACCT-BPS 3) and 30-day (ACCT-BPS 4) deadlines still need."""
        return with_deadline_facts(self.view_b2(user).filter(bdr_prospecting_status=AW))


class ContactQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(merged_into__isnull=True)

    def workable(self):
        return self.filter(merged_into__isnull=True).exclude(title="Test")

    # VIEW-2 ---------------------------------------------------------------------------------
    def view_b1(self, user):
        """B1: MQL and hot contacts I own."""
        return (
            self.workable()
            .filter(owner=user, status__in=OPEN_CONTACT_STATUSES)
            .filter(Q(status="MQL") | Q(is_hot=True))
        )

    def view_b2(self, user):
        """B2: contacts at Actively Working accounts where I am BDR Assigned."""
        return self.workable().filter(
            account__bdr_assigned=user, account__bdr_prospecting_status=AW
        )

    def view_b3(self, user):
        """B3: my contacts active in a high-touch sequence, with a phone number."""
        return (
            self.workable()
            .filter(owner=user)
            .exclude(phone="", mobile="")
            .filter(
                Exists(
                    Enrollment.objects.filter(
                        contact=OuterRef("pk"), state="active", sequence__touch="high"
                    )
                )
            )
        )

    def view_b4(self, user):
        """B4: my Qualifying contacts."""
        return self.workable().filter(owner=user, status="Qualifying")


def with_deadline_facts(qs):
    """Annotate accounts with what rules 3 and 4 need: people enrolled within 15 days of the
    stamp, the last sales activity at the account or its people, and (rule 4) whether its
    people are in a sequence now or when they last were (subqueries, no query per row)."""
    window = datetime.timedelta(days=ENROLL_DAYS)
    # ACCT-BPS 3: "≥ 5 people enrolled" counts every kind of person at the account — its
    # contacts and the registered people (leads by their matched account, not yet converted,
    # so a converted lead is not counted twice). One aggregate row: grouped by a constant.
    enrolled = (
        _enrollments_at_account(unconverted=True)
        .filter(
            started_at__gte=OuterRef("actively_working_since"),
            started_at__lte=OuterRef("actively_working_since") + window,
        )
        .order_by()
        .annotate(one=Value(1))
        .values("one")
        .annotate(n=_distinct_people())
        .values("n")
    )
    # The latest row, read from the (record, -occurred_at) indexes (no aggregate over every
    # activity of a big account).
    on_account = (
        Activity.objects.filter(account=OuterRef("pk"), is_sales=True)
        .order_by("-occurred_at")
        .values("occurred_at")
    )
    on_people = (
        Activity.objects.filter(contact__account=OuterRef("pk"), is_sales=True)
        .order_by("-occurred_at")
        .values("occurred_at")
    )

    # Only an Actively Working account has these deadlines: for the others the subqueries
    # are not run at all (CASE; the account page of a 10,000-contact account spent 20 ms
    # finding the latest activity of its people).
    def when_working(subquery):
        return Case(When(bdr_prospecting_status=AW, then=Subquery(subquery[:1])), default=None)

    # ACCT-BPS 4: "none of its people has been active in a sequence for 30 days" — its
    # contacts' and registered people's (leads') enrollments: active now, or until they ended.
    at_account = _enrollments_at_account()
    in_sequence_now = at_account.filter(state="active")
    last_in_sequence = (
        at_account.annotate(until=Coalesce("finished_at", "started_at"))
        .order_by("-until")
        .values("until")
    )
    return qs.annotate(
        people_enrolled=when_working(enrolled),
        last_account_activity_at=when_working(on_account),
        last_people_activity_at=when_working(on_people),
        in_sequence_now=Case(
            When(bdr_prospecting_status=AW, then=Exists(in_sequence_now)),
            default=False,
            output_field=BooleanField(),
        ),
        last_in_sequence_at=when_working(last_in_sequence),
    )


def _enrollments_at_account(*, unconverted: bool = False):
    """Enrollments of the people at the outer account: contacts, and the kinds other apps
    register (leads by their matched account; with `unconverted`, only those still open, as
    their `mql_filter` says)."""
    at = Q(contact__account=OuterRef("pk"))
    for people in registry.other_people():
        still_open = (
            {f"{people.kind}__{k}": v for k, v in people.mql_filter.items()} if unconverted else {}
        )
        at |= Q(**{f"{people.kind}__{people.account_field}": OuterRef("pk")}, **still_open)
    return Enrollment.objects.filter(at)


def _distinct_people():
    """The number of different people the enrollments name: contacts plus each registered
    kind (an enrollment names exactly one person)."""
    total = Count("contact", distinct=True)
    for people in registry.other_people():
        total = total + Count(people.kind, distinct=True)
    return total
