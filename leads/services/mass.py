"""VIEW-5 mass actions from list views: each row goes through the same service as the single
action, in its own savepoint, so a refused row stays exactly as it was. Lead views and
contact views (`contacts`) use the same `run`; "add to campaign" applies CAMP-1 through the
campaign member service."""

from types import SimpleNamespace

from django.core.exceptions import ValidationError

from accounts.claims import ClaimRefused, record_claim
from accounts.models import Contact
from gtm_portal.activity.models import Sequence
from gtm_portal.core.input_guard import parse_id
from gtm_portal.core.mass import MAX_ROWS, Outcome, each_row
from gtm_portal.core.mass import why as _why  # noqa: F401  (kept for callers)
from gtm_portal.users.models import User

from ..models import Campaign, Lead
from .campaigns import campaign_member_set, status_for
from .persons import person_assign, person_change_status
from .sequences import person_enroll

ACTIONS = {
    "take": "Take ownership",
    "status": "Change status",
    "enroll": "Enroll in sequence",
    "owner": "Change owner",
    "campaign": "Add to campaign",
}
# VIEW-5 on the contact views: the same actions but taking a lead (contacts are owned through
# CONTACT-OWNER, not claimed from a view).
CONTACT_ACTIONS = {k: v for k, v in ACTIONS.items() if k != "take"}
__all__ = ["ACTIONS", "CONTACT_ACTIONS", "MAX_ROWS", "Outcome", "contacts", "run"]


def _add_to_campaign(lead, campaign, status, by):
    """CAMP-1 for one selected row: the same service as the campaign page."""
    _, created = campaign_member_set(campaign=campaign, person=lead, status=status, by=by)
    if not created:
        raise ValidationError("CAMP-1: already a member of this campaign.")


def run(*, action: str, ids: list[int], by, params: dict, model=Lead, offered=None) -> Outcome:
    """VIEW-5 over the selected `model` rows (leads, or contacts); `offered` the actions the
    view offers (all of ACTIONS by default)."""
    if action not in (offered or ACTIONS):
        raise ValidationError("VIEW-5: choose one of the mass actions offered.")
    ids = ids[:MAX_ROWS]
    campaign = sequence = owner = status = None
    if action == "campaign":
        campaign = Campaign.objects.filter(pk=parse_id(params.get("campaign")) or 0).first()
        if campaign is None:
            raise ValidationError("VIEW-5: choose a campaign.")
        status = status_for(campaign, params.get("member_status", ""))
    if action == "enroll":
        sequence = Sequence.objects.filter(
            pk=parse_id(params.get("sequence")) or 0, active=True
        ).first()
        if sequence is None:
            raise ValidationError("VIEW-5: choose an active sequence.")
    if action == "owner":
        owner = User.objects.filter(username=params.get("owner", ""), is_active=True).first()
        if owner is None:
            raise ValidationError("VIEW-5: name the new owner by username.")

    def apply(lead):
        if action == "take":
            record_claim(record=lead, by=by)
        elif action == "status":
            person_change_status(
                person=lead, to=params.get("to", ""), by=by, reason=params.get("reason", "")
            )
        elif action == "enroll":
            person_enroll(person=lead, sequence=sequence, by=by)
        elif action == "owner":
            person_assign(
                person=lead,
                owner=owner,
                by=by,
                reason=params.get("reason") or "mass change of owner",
            )
        elif action == "campaign":
            _add_to_campaign(lead, campaign, status, by)

    return each_row(model.objects.filter(pk__in=ids).order_by("pk"), apply, (ClaimRefused,))


def run_contacts(*, action: str, ids: list[int], by, params: dict) -> Outcome:
    return run(action=action, ids=ids, by=by, params=params, model=Contact, offered=CONTACT_ACTIONS)


# What `core.mass.mass_action_view` calls for the contact views.
contacts = SimpleNamespace(ACTIONS=CONTACT_ACTIONS, run=run_contacts)
