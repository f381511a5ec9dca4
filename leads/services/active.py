"""LEAD-ACTIVE: a hand-raising activity opens the person's active window, whatever its path
(intake, a list import, a logged activity); the window's length is `leads.scoring`'s pure
rule, the trial end is read here."""

from django.db.models import Max
from django.utils import timezone

from accounts.models import Contact
from gtm_portal.activity.models import Activity
from opportunities.enums import OPEN_STAGES
from opportunities.models import Opportunity

from .. import scoring
from .person_rows import person_link


def trial_end(account, today):
    """The end of the trial running at `account`: the latest trial expiry (today or later)
    of its open opportunities (OPP-V12), or None."""
    if account is None:
        return None
    return Opportunity.objects.filter(
        account=account, stage__in=OPEN_STAGES, trial_expiry__gte=today
    ).aggregate(end=Max("trial_expiry"))["end"]


def person_account(person):
    return person.account if isinstance(person, Contact) else person.matched_account


def _day(moment=None):
    """The portal's calendar day of `moment` (default: now). Windows are counted in the
    portal's zone (settings.TIME_ZONE), not the acting user's, so the API and a rep in
    another zone open the same window for the same moment (LEAD-ACTIVE)."""
    return timezone.localdate(moment, timezone.get_default_timezone())


def open_active_window(person, form_kind: str, at=None, *, account=None) -> bool:
    """Widen `person.active_until` for a hand-raise of `form_kind` at `at` (not saved: the
    caller writes it with its own change). Returns whether it moved."""
    on = _day(at)
    end = None
    if form_kind in scoring.TRIAL_FORMS:
        end = trial_end(account if account is not None else person_account(person), on)
    until = scoring.widened_active_until(person.active_until, form_kind, on, trial_end=end)
    if until is None:
        return False
    person.active_until = until
    return True


def trial_expiry(person):
    """OPP-V12: when the person's free trial ends — the latest trial sign-up (a trial form
    at intake) plus the trial's length; None without a trial."""
    started = Activity.objects.filter(
        **person_link(person), form_kind__in=scoring.TRIAL_FORMS
    ).aggregate(at=Max("occurred_at"))["at"]
    if started is None:
        return None
    return scoring.trial_end_from(_day(started))
