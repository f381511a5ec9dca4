"""LEAD-DSR-1 data subject requests (Marketing Ops; CONTRACT 6 `GET /<kind>/<id>/
personal-data.json`, `POST /<kind>/<id>/erase/` with `confirm=erase`): export everything the
portal holds about a person, or erase the person — personal fields blanked wherever they are
copied (the record, the records merged or converted into it, history old/new values, the
intake log's payloads, notification texts), activities and comments about the person
removed, a tombstone kept with the request date and who processed it."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Contact
from gtm_portal.activity.models import Activity, Enrollment, QualificationNote, Task
from gtm_portal.chatter.models import Comment, Follow, Notification
from gtm_portal.core import access
from gtm_portal.core.models import FieldChange, Tombstone

from ..models import (
    CampaignMember,
    IntakeSubmission,
    Lead,
    LifecycleStamp,
    RoutingDecision,
    ScoreEvent,
)
from .person_rows import lock_person, person_link

RULE = "LEAD-DSR-1"
ERASED_NAME = "Erased"
# The fields that hold personal data (LEAD-FIELDS): blanked by an erasure.
PERSONAL_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "email_domain",
    "phone",
    "mobile",
    "title",
    "website",
    "linkedin_url",
    "state",
    "city",
    "address1",
    "address2",
    "postal_code",
    "description",
    "company",  # leads only
)


def _rows(qs) -> list[dict]:
    return [{f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields} for row in qs]


def _record(person) -> dict:
    return {f.attname: getattr(person, f.attname) for f in person._meta.concrete_fields}


def _people(person) -> list:
    """The person and the records that copied their data into it: leads merged into it, and
    for a contact the leads converted into it (LEAD-MERGE-1, LEAD-CONVERT-1)."""
    out = [person]
    if isinstance(person, Contact):
        out += list(Lead.objects.filter(converted_contact=person))
        out += list(Contact.objects.filter(merged_into=person))
    else:
        out += list(Lead.objects.filter(merged_into=person))
    return out


def _about(person) -> dict:
    """Everything held about one record, by kind of row."""
    link = person_link(person)
    ct = ContentType.objects.get_for_model(type(person))
    on_record = {"content_type": ct, "object_id": person.pk}
    return {
        "type": "contact" if isinstance(person, Contact) else "lead",
        "id": person.pk,
        "fields": _record(person),
        "activities": _rows(Activity.objects.filter(**link).order_by("occurred_at", "pk")),
        "tasks": _rows(Task.objects.filter(**link).order_by("pk")),
        "qualification_notes": _rows(QualificationNote.objects.filter(**link).order_by("pk")),
        "enrollments": _rows(Enrollment.objects.filter(**link).order_by("pk")),
        "comments": _rows(Comment.objects.filter(**on_record).order_by("created_at", "pk")),
        "campaign_memberships": _rows(CampaignMember.objects.filter(**link).order_by("pk")),
        "score_events": _rows(ScoreEvent.objects.filter(**link).order_by("created_at", "pk")),
        "history": _rows(FieldChange.objects.filter(**on_record).order_by("changed_at", "pk")),
        "routing_decisions": _rows(RoutingDecision.objects.filter(**link).order_by("pk")),
        "lifecycle": _rows(LifecycleStamp.objects.filter(**link).order_by("reached_at")),
        "intake_submissions": _rows(
            IntakeSubmission.objects.filter(**link).order_by("received_at", "pk")
        ),
        "notifications": _rows(Notification.objects.filter(**on_record).order_by("pk")),
    }


def person_export(*, person, by) -> dict:
    """LEAD-DSR-1 export: every field, activity, comment, membership, score event and
    history row about the person, and about the records merged or converted into it."""
    access.require(by, "person.dsr", person, message=f"{RULE}: only Marketing Ops export.")
    people = _people(person)
    return {
        "rule": RULE,
        "exported_at": timezone.now(),
        "exported_by": by.username,
        "person": _about(people[0]),
        "merged_or_converted_records": [_about(p) for p in people[1:]],
    }


def _scrub(text: str, values: list[str]) -> str:
    for value in values:
        if value:
            text = text.replace(value, "[erased]")
    return text


@transaction.atomic
def person_erase(*, person, by, confirm: str, request_date: datetime.date | None = None):
    """LEAD-DSR-1 erase. Refused (nothing changed) for anyone but Marketing Ops, and without
    `confirm == "erase"`."""
    access.require(by, "person.dsr", person, message=f"{RULE}: only Marketing Ops erase.")
    if (confirm or "").strip().lower() != "erase":
        raise ValidationError(
            {"confirm": f"{RULE}: type “erase” to confirm; this cannot be undone."}, code=RULE
        )
    person = lock_person(person)
    now = timezone.now()
    for record in _people(person):
        _erase_one(record, by=by, now=now, request_date=request_date or timezone.localdate())
    person.refresh_from_db()
    return person


def _erase_one(record, *, by, now, request_date) -> None:
    model = type(record)
    ct = ContentType.objects.get_for_model(model)
    link = person_link(record)
    on_record = {"content_type": ct, "object_id": record.pk}
    names = {f.name for f in model._meta.concrete_fields}
    values = [
        str(getattr(record, f))
        for f in PERSONAL_FIELDS
        if f in names and len(str(getattr(record, f) or "")) > 2
    ]
    if len(record.name) > 2:
        values.append(record.name)
    blank = {f: "" for f in PERSONAL_FIELDS if f in names}
    blank["last_name"] = ERASED_NAME
    model.objects.filter(pk=record.pk).update(**blank, updated_at=now, version=record.version + 1)
    # Copies of the personal fields: history values, the intake log, notification texts.
    FieldChange.objects.filter(**on_record, field__in=PERSONAL_FIELDS).update(
        old_value="", new_value=""
    )
    for change in FieldChange.objects.filter(**on_record).exclude(reason=""):
        scrubbed = _scrub(change.reason, values)
        if scrubbed != change.reason:
            FieldChange.objects.filter(pk=change.pk).update(reason=scrubbed[:500])
    IntakeSubmission.objects.filter(**link).update(payload={}, email="")
    Notification.objects.filter(**on_record).update(message="", record_label=ERASED_NAME)
    for value in values:
        for note in Notification.objects.filter(message__contains=value):
            Notification.objects.filter(pk=note.pk).update(
                message=_scrub(note.message, values)[:500]
            )
    for decision in RoutingDecision.objects.filter(**link):
        lines = [_scrub(str(line), values) for line in decision.explanation]
        if lines != decision.explanation:
            RoutingDecision.objects.filter(pk=decision.pk).update(explanation=lines)
    # Activities and comments about the person are removed.
    Activity.objects.filter(**link).delete()
    QualificationNote.objects.filter(**link).delete()
    Task.objects.filter(**link).delete()
    Comment.objects.filter(**on_record).delete()
    Follow.objects.filter(**on_record).delete()
    Tombstone.objects.update_or_create(
        content_type=ct,
        object_id=record.pk,
        defaults={
            "reason": Tombstone.Reason.ERASED,
            "processed_by": by,
            "processed_at": now,
            "request_date": request_date,
        },
    )
