import datetime

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

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
        region = user.region.parent_id or user.region_id
        qs = qs.filter(Q(region_id=region) | Q(region__parent_id=region))
        if user.segments:
            qs = qs.filter(segment__in=user.segments)
        return qs

    def view_b2(self, user):
        """B2: accounts where I am BDR Assigned."""
        return self.visible_to(user).filter(bdr_assigned=user)

    def view_b3(self, user):
        """B3: Actively Working accounts where I am BDR Assigned, with what their 10/15-day
        requirements (ACCT-BPS 3) still need."""
        from gtm_portal.activity.models import Enrollment

        enrolled = (Enrollment.objects.filter(contact__account=OuterRef("pk"),
                                              started_at__gte=OuterRef("actively_working_since"))
                    .values("contact__account").annotate(n=Count("contact", distinct=True))
                    .values("n"))
        return self.view_b2(user).filter(bdr_prospecting_status=AW).annotate(
            people_enrolled=models.Subquery(enrolled[:1]))


class ContactQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(merged_into__isnull=True)

    def workable(self):
        return self.filter(merged_into__isnull=True).exclude(title="Test")

    # VIEW-2 ---------------------------------------------------------------------------------
    def view_b1(self, user):
        """B1: MQL and hot contacts I own."""
        return self.workable().filter(owner=user, status__in=OPEN_CONTACT_STATUSES).filter(
            Q(status="MQL") | Q(is_hot=True))

    def view_b2(self, user):
        """B2: contacts at Actively Working accounts where I am BDR Assigned."""
        return self.workable().filter(account__bdr_assigned=user,
                                      account__bdr_prospecting_status=AW)

    def view_b3(self, user):
        """B3: my contacts active in a high-touch sequence, with a phone number."""
        from gtm_portal.activity.models import Enrollment

        return self.workable().filter(owner=user).exclude(phone="", mobile="").filter(Exists(
            Enrollment.objects.filter(contact=OuterRef("pk"), state="active",
                                      sequence__touch="high")))

    def view_b4(self, user):
        """B4: my Qualifying contacts."""
        return self.workable().filter(owner=user, status="Qualifying")


def requirement_days_left(account, now=None) -> dict:
    """ACCT-BPS 3 deadlines as days left (negative when past): research and comments within
    10 days, five people enrolled within 15 days of the Actively Working stamp."""
    now = now or timezone.now()
    since = account.actively_working_since
    if since is None:
        return {}
    elapsed = (now - since) / datetime.timedelta(days=1)
    research_done = bool(account.bdr_research.strip() and account.bdr_comments.strip())
    enrolled = getattr(account, "people_enrolled", None) or 0
    return {
        "research_done": research_done,
        "research_days_left": None if research_done else int(10 - elapsed),
        "enrolled": enrolled,
        "enrolled_days_left": None if enrolled >= 5 else int(15 - elapsed),
    }
