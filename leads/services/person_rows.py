"""A person's row — locked, saved with its history and a new version — and the rows that
hang off a person, moved together on conversion or merge (LEAD-CONVERT-1, LEAD-MERGE-1)."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.claims import transfer_requests_follow
from accounts.models import Contact
from gtm_portal.activity.enums import EnrollmentState
from gtm_portal.activity.models import Activity, Enrollment, QualificationNote, Task
from gtm_portal.chatter.models import Comment, Follow
from gtm_portal.core import history
from gtm_portal.core.services import touch

from ..models import CampaignMember, RoutingDecision, ScoreEvent
from ..workflow import READ_ONLY_MESSAGE, is_read_only
from .lifecycle import person_stamp, stamps_move


def person_kind(person) -> str:
    return "contact" if isinstance(person, Contact) else "lead"


def person_link(person) -> dict:
    return {person_kind(person): person}


PERSON_JOINS = (
    "country",
    "region",
    "region__parent",
    "initial_source",
    "owner",
    "disqualify_reason",
    "updated_by",
)


def lock_person(person):
    """Lock the row, then read it with the joins its history display needs (a joined row
    read in the locking query could be the version from before the wait)."""
    model = type(person)
    model.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True).get()
    return model.objects.select_related(*PERSON_JOINS).get(pk=person.pk)


def save_person(person, before, before_display, *, by, reason, fields):
    """Persist a person changed by a rule, with history rows for the tracked fields; a new
    version, so a form opened before goes stale (Q-CONC)."""
    person.save(update_fields=sorted({*fields, *touch(person, by)}))
    history.record_changes(person, before, before_display, by=by, reason=reason)
    if "status" in fields:
        person_stamp(person)  # REPORT-FUNNEL


SPAM_CAMPAIGN = "SPAM DELETION"


# Rows that hang off a person and move with it on conversion or merge (LEAD-CONVERT-1,
# LEAD-MERGE-1): model label → its lead and contact link fields.
PERSON_ROWS = (
    Activity,
    Task,
    Enrollment,
    QualificationNote,
    ScoreEvent,
    RoutingDecision,
    CampaignMember,
)


def move_person_rows(*, source, target) -> dict[str, int]:
    """Re-point everything a person holds at another person (lead → contact on conversion,
    lead → lead or lead → contact on merge), comments and follows included; set-based, one
    UPDATE per table. A campaign both are in keeps one membership (the responded status
    wins); a second active sequence enrollment is finished, never two at once (SEQ-3)."""
    src, dst = person_kind(source), person_kind(target)
    stamps_move(source=source, target=target)  # REPORT-FUNNEL: the earlier moment wins
    memberships = CampaignMember.objects.filter(**{src: source})
    # LEAD-SPAM-1: a deletion mark belongs to the record marked, never to the one that
    # receives its rows (the nightly purge would delete the survivor).
    memberships.filter(campaign__name=SPAM_CAMPAIGN).delete()
    _merge_campaign_memberships(CampaignMember, memberships, target, dst)
    if Enrollment.objects.filter(**{dst: target}, state=EnrollmentState.ACTIVE).exists():
        Enrollment.objects.filter(**{src: source}, state=EnrollmentState.ACTIVE).update(
            state=EnrollmentState.FINISHED, finished_at=timezone.now()
        )
    moved = {
        model._meta.label: model.objects.filter(**{src: source}).update(**{src: None, dst: target})
        for model in PERSON_ROWS
    }
    src_ct = ContentType.objects.get_for_model(type(source))
    dst_ct = ContentType.objects.get_for_model(type(target))
    moved["chatter.Comment"] = Comment.objects.filter(
        content_type=src_ct, object_id=source.pk
    ).update(content_type=dst_ct, object_id=target.pk)
    Follow.objects.filter(content_type=src_ct, object_id=source.pk).exclude(
        user__in=Follow.objects.filter(content_type=dst_ct, object_id=target.pk).values("user")
    ).update(content_type=dst_ct, object_id=target.pk)
    Follow.objects.filter(content_type=src_ct, object_id=source.pk).delete()
    moved["accounts.TransferRequest"] = transfer_requests_follow(source=source, target=target)
    return moved


def _merge_campaign_memberships(model, source_rows, target, dst):
    theirs = {
        m.campaign_id: m for m in model.objects.filter(**{dst: target}).select_related("status")
    }
    for mine in source_rows.filter(campaign_id__in=list(theirs)).select_related("status"):
        kept = theirs[mine.campaign_id]
        if mine.status.responded and not kept.status.responded:
            kept.status = mine.status
            kept.save(update_fields=["status", "updated_at"])
        mine.delete()


def person_read_only(person) -> bool:
    """LEAD-STATUS 10 for a lead or contact (`workflow.is_read_only`)."""
    return is_read_only(
        status=person.status,
        converted=bool(getattr(person, "converted_at", None)),
        merged=bool(person.merged_into_id),
    )


def require_editable(person) -> None:
    """LEAD-STATUS 10: the one refusal every write path asks (services, forms, admin)."""
    if person_read_only(person):
        raise ValidationError(f"LEAD-STATUS 10: {READ_ONLY_MESSAGE}", code="LEAD-STATUS 10")
