"""VIEW-5 mass actions from list views: each row goes through the same service as the single
action, in its own savepoint, so a refused row stays exactly as it was."""
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.claims import ClaimRefused, record_claim

from .models import Campaign, CampaignMember, Lead
from .sequences import person_enroll
from .services import person_assign, person_change_status

ACTIONS = {
    "take": "Take ownership",
    "status": "Change status",
    "enroll": "Enroll in sequence",
    "owner": "Change owner",
    "campaign": "Add to campaign",
}
MAX_ROWS = 500


@dataclass
class Outcome:
    done: list = field(default_factory=list)
    refused: list = field(default_factory=list)   # (lead, reason)

    @property
    def summary(self) -> str:
        text = f"{len(self.done)} done"
        if self.refused:
            reasons = "; ".join(f"{lead.name}: {why}" for lead, why in self.refused[:10])
            more = f" (+{len(self.refused) - 10} more)" if len(self.refused) > 10 else ""
            text += f", {len(self.refused)} refused: {reasons}{more}"
        return text


def _why(exc) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "not allowed"


def _add_to_campaign(lead, campaign, by):
    from gtm_portal.core import access

    access.require(by, "person.edit", lead)
    status = campaign.statuses.order_by("id").first()
    if status is None:
        raise ValidationError("CAMP-1: the campaign has no member statuses yet.")
    _, created = CampaignMember.objects.get_or_create(campaign=campaign, lead=lead,
                                                      defaults={"status": status})
    if not created:
        raise ValidationError("CAMP-1: already a member of this campaign.")


def run(*, action: str, ids: list[int], by, params: dict) -> Outcome:
    if action not in ACTIONS:
        raise ValidationError("VIEW-5: choose one of the mass actions offered.")
    ids = ids[:MAX_ROWS]
    outcome = Outcome()
    campaign = sequence = owner = None
    if action == "campaign":
        campaign = Campaign.objects.filter(pk=params.get("campaign") or 0).first()
        if campaign is None:
            raise ValidationError("VIEW-5: choose a campaign.")
    if action == "enroll":
        from gtm_portal.activity.models import Sequence

        sequence = Sequence.objects.filter(pk=params.get("sequence") or 0, active=True).first()
        if sequence is None:
            raise ValidationError("VIEW-5: choose an active sequence.")
    if action == "owner":
        from gtm_portal.users.models import User

        owner = User.objects.filter(username=params.get("owner", ""), is_active=True).first()
        if owner is None:
            raise ValidationError("VIEW-5: name the new owner by username.")
    for lead in Lead.objects.filter(pk__in=ids).order_by("pk"):
        try:
            with transaction.atomic():
                if action == "take":
                    record_claim(record=lead, by=by)
                elif action == "status":
                    person_change_status(person=lead, to=params.get("to", ""), by=by,
                                         reason=params.get("reason", ""))
                elif action == "enroll":
                    person_enroll(person=lead, sequence=sequence, by=by)
                elif action == "owner":
                    person_assign(person=lead, owner=owner, by=by,
                                  reason=params.get("reason") or "mass change of owner")
                elif action == "campaign":
                    _add_to_campaign(lead, campaign, by)
        except (ValidationError, PermissionDenied, ClaimRefused) as exc:
            outcome.refused.append((lead, _why(exc)))
        else:
            outcome.done.append(lead)
    return outcome
