"""Reaching people lawfully: LEAD-DNC-1, LEAD-OPTOUT-1 (with AUTO-4), LEAD-INACTIVE-1,
LEAD-SPAM-1 (with AUTO-5), LEAD-GDPR-1. The record page, list rows, sequences and activity
logging ask `contact_blocks` what is allowed; the writes go through the services below."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Contact
from gtm_portal.activity.enums import ActivityKind, Direction, EnrollmentState
from gtm_portal.activity.models import Activity, Enrollment
from gtm_portal.chatter.models import Comment, Follow, Notification
from gtm_portal.chatter.services import comment_post
from gtm_portal.core import access, history
from gtm_portal.core.models import FieldChange, Tombstone
from gtm_portal.core.services import touched
from gtm_portal.jobs.runner import claimable

from ..enums import CampaignType
from ..models import Campaign, CampaignMember, CampaignMemberStatus, IntakeSubmission, Lead
from .person_rows import SPAM_CAMPAIGN, lock_person, person_link, require_editable, save_person

GDPR_DATE = datetime.date(2018, 5, 25)
OPT_OUT_DAYS = 30


def gdpr_blocked(person) -> bool:
    """LEAD-GDPR-1: an EU/EEA person created before 2018-05-25 without an opt-in."""
    return bool(
        person.country_id
        and person.country.is_eu_eea
        and not person.gdpr_opt_in
        and person.created_at
        and person.created_at.date() < GDPR_DATE
    )


def opted_out(person, today=None) -> bool:
    today = today or timezone.localdate()
    return bool(person.email_opt_out or (person.opt_out_until and person.opt_out_until >= today))


def contact_blocks(person, today=None) -> dict:
    """What the page must not offer, and why (shown on the record)."""
    why = []
    if gdpr_blocked(person):
        why.append(
            "LEAD-GDPR-1: EU/EEA person created before 2018-05-25 without an opt-in — "
            "do not call or e-mail."
        )
    if person.do_not_call:
        why.append("LEAD-DNC-1: Do Not Call.")
    if opted_out(person, today):
        until = (
            f" until {person.opt_out_until:%Y-%m-%d}"
            if not person.email_opt_out and person.opt_out_until
            else ""
        )
        why.append(f"LEAD-OPTOUT-1: opted out of e-mail{until}.")
    if person.is_inactive:
        why.append("LEAD-INACTIVE-1: left the company.")
    return {
        "no_call": gdpr_blocked(person) or person.do_not_call,
        "no_email": gdpr_blocked(person) or opted_out(person, today),
        "why": why,
    }


def refuse_outreach(person, *, kind: str, direction: str) -> None:
    """ACT-1 logging: an outbound call or e-mail the rules forbid is refused."""
    if direction != Direction.OUTBOUND:
        return
    blocks = contact_blocks(person)
    if kind == ActivityKind.CALL and blocks["no_call"]:
        rule = "LEAD-GDPR-1" if gdpr_blocked(person) else "LEAD-DNC-1"
        raise ValidationError(f"{rule}: this person may not be called.", code=rule)
    if kind == ActivityKind.EMAIL and blocks["no_email"]:
        rule = "LEAD-GDPR-1" if gdpr_blocked(person) else "LEAD-OPTOUT-1"
        raise ValidationError(f"{rule}: this person may not be e-mailed.", code=rule)


def _change(person, *, by, reason: str, **values):
    require_editable(person)
    fields = history.tracked_fields(type(person))
    before, shown = history.snapshot(person, fields), history.display_snapshot(person, fields)
    for name, value in values.items():
        setattr(person, name, value)
    save_person(person, before, shown, by=by, reason=reason, fields=list(values))
    return person


def _finish_sequences(person) -> int:
    return Enrollment.objects.filter(**person_link(person), state=EnrollmentState.ACTIVE).update(
        state=EnrollmentState.FINISHED, finished_at=timezone.now()
    )


def dnc_release_candidates(person):
    """Inbound e-mails from the person: the only evidence that may lift Do Not Call."""
    return Activity.objects.filter(
        **person_link(person), kind=ActivityKind.EMAIL, direction=Direction.INBOUND
    ).order_by("-occurred_at")


@transaction.atomic
def person_set_dnc(*, person, by, value: bool, release_activity_id=None):
    """LEAD-DNC-1: checking keeps the number and hides the call action. Unchecking needs a
    linked inbound e-mail in which the person asks to be called."""
    person = lock_person(person)
    access.require(by, "person.edit", person)
    if value == person.do_not_call:
        raise ValidationError(
            f"LEAD-DNC-1: Do Not Call is already {'on' if value else 'off'}.", code="LEAD-DNC-1"
        )
    if value:
        return _change(person, by=by, reason="LEAD-DNC-1: Do Not Call checked", do_not_call=True)
    evidence = dnc_release_candidates(person).filter(pk=release_activity_id or 0).first()
    if evidence is None:
        raise ValidationError(
            "LEAD-DNC-1: link the inbound e-mail in which the person asks to be called; without "
            "it Do Not Call stays on (nobody may e-mail a person to ask whether they want calls).",
            code="LEAD-DNC-1",
        )
    return _change(
        person,
        by=by,
        do_not_call=False,
        reason=f"LEAD-DNC-1: unchecked on the person's request in inbound e-mail "
        f"#{evidence.pk} “{evidence.subject}” of "
        f"{timezone.localtime(evidence.occurred_at):%Y-%m-%d}",
    )


@transaction.atomic
def person_opt_out(*, person, by, days: int | None = None, today=None):
    """LEAD-OPTOUT-1: e-mail opt-out, for good or for 30 days (ended by AUTO-4). Running
    sequences stop: they send e-mail."""
    person = lock_person(person)
    access.require(by, "person.edit", person)
    today = today or timezone.localdate()
    if days:
        until = today + datetime.timedelta(days=days)
        person = _change(
            person,
            by=by,
            opt_out_until=until,
            reason=f"LEAD-OPTOUT-1: opted out of e-mail for {days} days",
        )
    else:
        if person.email_opt_out:
            raise ValidationError("LEAD-OPTOUT-1: already opted out.", code="LEAD-OPTOUT-1")
        person = _change(
            person, by=by, email_opt_out=True, reason="LEAD-OPTOUT-1: opted out of e-mail"
        )
    _finish_sequences(person)
    return person


@transaction.atomic
def person_mark_inactive(*, person, by):
    """LEAD-INACTIVE-1: the person left the company; any running sequence finishes."""
    person = lock_person(person)
    access.require(by, "person.edit", person)
    if person.is_inactive:
        raise ValidationError("LEAD-INACTIVE-1: already marked inactive.", code="LEAD-INACTIVE-1")
    person = _change(person, by=by, is_inactive=True, reason="LEAD-INACTIVE-1: left the company")
    _finish_sequences(person)
    return person


def spam_campaign() -> Campaign:
    campaign, _ = Campaign.objects.get_or_create(
        name=SPAM_CAMPAIGN, defaults={"type": CampaignType.SYSTEM}
    )
    return campaign


@transaction.atomic
def lead_mark_spam(*, lead: Lead, by, confirmed: bool):
    """LEAD-SPAM-1: anyone may add a lead to SPAM DELETION; the nightly purge deletes it for
    good, so the user must confirm."""
    access.require(by, "record.comment", lead)
    if not isinstance(lead, Lead):
        raise ValidationError("LEAD-SPAM-1: only leads go to SPAM DELETION.", code="LEAD-SPAM-1")
    if lead.converted_at or lead.merged_into_id:
        raise ValidationError(
            "LEAD-SPAM-1: this lead was converted or merged; its record lives "
            "on elsewhere and is not deleted as spam.",
            code="LEAD-SPAM-1",
        )
    if not confirmed:
        raise ValidationError(
            "LEAD-SPAM-1: confirm that this lead is spam — the nightly purge "
            "deletes it permanently.",
            code="LEAD-SPAM-1",
        )
    campaign = spam_campaign()
    status, _ = CampaignMemberStatus.objects.get_or_create(campaign=campaign, name="Marked spam")
    member, created = CampaignMember.objects.get_or_create(
        campaign=campaign, lead=lead, defaults={"status": status}
    )
    if not created:
        raise ValidationError(
            "LEAD-SPAM-1: this lead is already marked for deletion.", code="LEAD-SPAM-1"
        )

    comment_post(
        record=lead,
        author=by,
        kind="system",
        topic="spam",
        body=f"LEAD-SPAM-1: added to {SPAM_CAMPAIGN} by {by.label}; the nightly purge "
        "deletes this lead for good.",
    )
    return member


def purge_spam(*, now=None) -> int:
    """AUTO-5: delete the leads in SPAM DELETION, and test leads, for good, keeping only a
    tombstone (id, date, who marked it — no personal data)."""
    now = now or timezone.now()
    ct = ContentType.objects.get_for_model(Lead)
    spam = list(
        CampaignMember.objects.filter(campaign__name=SPAM_CAMPAIGN, lead__isnull=False).values_list(
            "lead_id", flat=True
        )
    )
    # LEAD-TEST: test leads (title exactly "Test") go in the same nightly purge.
    tests = list(
        Lead.objects.filter(title="Test").exclude(pk__in=spam).values_list("pk", flat=True)
    )
    purged = 0
    for reason, ids in ((Tombstone.Reason.SPAM, spam), (Tombstone.Reason.TEST, tests)):
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            with transaction.atomic():
                marked_by = _marked_by(chunk, ct)
                Tombstone.objects.bulk_create(
                    [
                        Tombstone(
                            content_type=ct,
                            object_id=pk,
                            reason=reason,
                            processed_by_id=marked_by.get(pk),
                            processed_at=now,
                        )
                        for pk in chunk
                    ],
                    ignore_conflicts=True,
                )
                _erase_rows_about(chunk, ct)
                purged += Lead.objects.filter(pk__in=chunk).delete()[1].get("leads.Lead", 0)
    return purged


def _marked_by(lead_ids, ct) -> dict[int, int]:

    rows = Comment.objects.filter(
        content_type=ct, object_id__in=lead_ids, topic="spam"
    ).values_list("object_id", "author_id")
    return {obj: author for obj, author in rows}


def _erase_rows_about(lead_ids, ct) -> None:
    """Comments, follows, notifications and field history about purged leads hold personal
    data; they go with the lead (rows with a lead foreign key cascade)."""

    # The intake log keeps the submission (90 days) but not the personal data it carried.
    IntakeSubmission.objects.filter(lead_id__in=lead_ids).update(payload={}, email="")
    Notification.objects.filter(content_type=ct, object_id__in=lead_ids).delete()
    Comment.objects.filter(content_type=ct, object_id__in=lead_ids).delete()
    Follow.objects.filter(content_type=ct, object_id__in=lead_ids).delete()
    FieldChange.objects.filter(content_type=ct, object_id__in=lead_ids).delete()


def end_opt_outs(*, today=None) -> int:
    """AUTO-4: a 30-day opt-out ends by itself (LEAD-OPTOUT-1); idempotent."""
    return clear_ended_dates(
        "opt_out_until", "AUTO-4 / LEAD-OPTOUT-1: the 30-day opt-out ended", today=today
    )


def clear_ended_dates(field: str, reason: str, *, today=None) -> int:
    """AUTO-4: blank a person date (`opt_out_until`, `active_until`) that has passed —
    set-based, with a history row per person (Q-AUDIT) and the version bumped; rows another
    worker holds are left for its run; running it twice changes nothing more."""
    today = today or timezone.localdate()
    now = timezone.now()
    ended = 0
    for model in (Lead, Contact):
        with transaction.atomic():
            rows = list(
                claimable(model.objects.filter(**{f"{field}__lt": today})).values_list("pk", field)
            )
            if not rows:
                continue
            history.bulk_changes(
                model,
                field,
                [(pk, until, None) for pk, until in rows],
                by=None,
                at=now,
                reason=reason,
            )
            ended += model.objects.filter(pk__in=[pk for pk, _u in rows]).update(
                **{field: None}, **touched(None, now)
            )
    return ended
