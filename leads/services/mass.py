"""VIEW-5 mass actions from list views: each row goes through the same service as the single
action, in its own savepoint, so a refused row stays exactly as it was."""

from django.core.exceptions import ValidationError

from accounts.claims import ClaimRefused, record_claim
from gtm_portal.activity.models import Sequence
from gtm_portal.core import access
from gtm_portal.core.mass import MAX_ROWS, Outcome, each_row
from gtm_portal.core.mass import why as _why  # noqa: F401  (kept for callers)
from gtm_portal.users.models import User

from ..models import Campaign, CampaignMember, Lead
from .persons import person_assign, person_change_status
from .sequences import person_enroll

ACTIONS = {
    "take": "Take ownership",
    "status": "Change status",
    "enroll": "Enroll in sequence",
    "owner": "Change owner",
    "campaign": "Add to campaign",
}
__all__ = ["ACTIONS", "MAX_ROWS", "Outcome", "run"]


def _add_to_campaign(lead, campaign, by):

    access.require(by, "person.edit", lead)
    status = campaign.statuses.order_by("id").first()
    if status is None:
        raise ValidationError("CAMP-1: the campaign has no member statuses yet.")
    _, created = CampaignMember.objects.get_or_create(
        campaign=campaign, lead=lead, defaults={"status": status}
    )
    if not created:
        raise ValidationError("CAMP-1: already a member of this campaign.")


def run(*, action: str, ids: list[int], by, params: dict) -> Outcome:
    if action not in ACTIONS:
        raise ValidationError("VIEW-5: choose one of the mass actions offered.")
    ids = ids[:MAX_ROWS]
    campaign = sequence = owner = None
    if action == "campaign":
        campaign = Campaign.objects.filter(pk=params.get("campaign") or 0).first()
        if campaign is None:
            raise ValidationError("VIEW-5: choose a campaign.")
    if action == "enroll":
        sequence = Sequence.objects.filter(pk=params.get("sequence") or 0, active=True).first()
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
            _add_to_campaign(lead, campaign, by)

    return each_row(Lead.objects.filter(pk__in=ids).order_by("pk"), apply, (ClaimRefused,))
