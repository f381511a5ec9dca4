"""SEQ-1..3 enrollments and ACT-1 activity logging on people, with their status effects
through the lead workflow (LEAD-STATUS 4 and 5, SEQ-2)."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.enums import TransferState
from accounts.models import Contact, TransferRequest
from gtm_portal.activity.enums import (
    OUTCOMES_FOR,
    TWO_WAY_OUTCOMES,
    Direction,
    EnrollmentState,
    Outcome,
)
from gtm_portal.activity.models import Enrollment, Sequence
from gtm_portal.activity.services import (
    activity_record,
    mark_first_touch,
    require_person_edit,
    task_create,
)
from gtm_portal.core import access, history
from gtm_portal.core.enums import PersonStatus as S

from .. import scoring
from ..enums import FormKind
from ..workflow import Via
from .active import open_active_window
from .compliance import gdpr_blocked, opted_out, refuse_outreach
from .person_rows import lock_person, person_link, person_read_only, save_person
from .persons import person_change_status

FREE_SIGNUP_SOURCE = "GitLab.com"


def enrollment_refusals(person, *, by, today=None) -> list[str]:
    """SEQ-3 (with LEAD-OPTOUT-1, LEAD-GDPR-1, LEAD-INACTIVE-1): why this person cannot be
    enrolled now; empty when they can."""

    today = today or timezone.localdate()
    why = []
    if opted_out(person, today):
        why.append("SEQ-3 / LEAD-OPTOUT-1: the person opted out of e-mail.")
    if gdpr_blocked(person):
        why.append(
            "SEQ-3 / LEAD-GDPR-1: an EU/EEA person created before 2018-05-25 without an "
            "opt-in cannot be e-mailed."
        )
    if person.is_inactive:
        why.append("SEQ-3: the person has left the company (inactive).")
    if person.owner_id != getattr(by, "pk", None):
        pending = TransferRequest.objects.filter(
            content_type=ContentType.objects.get_for_model(type(person)),
            object_id=person.pk,
            requester=by,
            state=TransferState.PENDING,
        ).exists()
        if pending:
            why.append(
                "SEQ-3 / ACCT-CLAIM 2: your transfer request is still pending; the owner "
                "or their manager must approve it first."
            )
    if Enrollment.objects.filter(**person_link(person), state=EnrollmentState.ACTIVE).exists():
        why.append("SEQ-3: the person is already active in a sequence.")
    if person.initial_source.name == FREE_SIGNUP_SOURCE and not (
        person.active_until and person.active_until >= today
    ):
        why.append(
            "SEQ-3: free GitLab.com sign-ups are not prospected until they raise a hand "
            "(LEAD-ACTIVE)."
        )
    if getattr(person, "converted_at", None) or person.status in (
        S.QUALIFIED,
        S.DISQUALIFIED,
        S.BAD_DATA,
        S.INELIGIBLE,
    ):
        why.append(f"SEQ-3: a {person.status} person is not worked in sequences.")
    return why


@transaction.atomic
def person_enroll(*, person, sequence: Sequence, by) -> Enrollment:
    """SEQ-2: enrolling moves Raw/Inquiry/MQL (and Recycle) to Accepted; a first touch by the
    owner stops the SLA clock (ROUTE-4)."""
    access.require(by, "person.edit", person)
    person = lock_person(person)
    if not sequence.active:
        raise ValidationError("SEQ-1: this sequence is inactive.", code="SEQ-1")
    why = enrollment_refusals(person, by=by)
    if why:
        raise ValidationError(why, code="SEQ-3")
    now = timezone.now()
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(
                **person_link(person),
                sequence=sequence,
                enrolled_by=by,
                state=EnrollmentState.ACTIVE,
                started_at=now,
                next_step_due=now
                + datetime.timedelta(days=max(sequence.length_days, 1) / max(sequence.steps, 1)),
            )
    except IntegrityError:
        raise ValidationError(
            "SEQ-3: the person is already active in a sequence.", code="SEQ-3"
        ) from None
    if person.status in (S.RAW, S.INQUIRY, S.MQL, S.RECYCLE):
        person_change_status(
            person=person,
            to=S.ACCEPTED,
            by=by,
            via=Via.SEQUENCE,
            reason=f"enrolled in {sequence.name}",
            check_access=False,
        )
    mark_first_touch(person=person, by=by, at=now)
    return enrollment


@transaction.atomic
def enrollment_set_state(*, enrollment: Enrollment, to: str, by) -> Enrollment:
    """Pause, resume or finish an enrollment (the owner, their manager, …)."""
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    access.require(by, "person.edit", enrollment.lead or enrollment.contact)
    allowed: dict[str, set[str]] = {
        EnrollmentState.ACTIVE: {EnrollmentState.PAUSED, EnrollmentState.FINISHED},
        EnrollmentState.PAUSED: {EnrollmentState.ACTIVE, EnrollmentState.FINISHED},
    }
    if to not in allowed.get(enrollment.state, set()):
        raise ValidationError(
            f"SEQ-1: a {enrollment.state} enrollment cannot become {to}.", code="SEQ-1"
        )
    enrollment.state = to
    if to == EnrollmentState.FINISHED:
        enrollment.finished_at = timezone.now()
    enrollment.save(update_fields=["state", "finished_at"])
    return enrollment


def _open_window(person, *, by, at) -> None:
    """LEAD-ACTIVE: an inbound chat a rep logs is a web chat: it opens the active window."""
    person = lock_person(person)
    if person_read_only(person):
        return
    fields = history.tracked_fields(type(person))
    before, shown = history.snapshot(person, fields), history.display_snapshot(person, fields)
    if open_active_window(person, FormKind.WEB_CHAT, at):
        save_person(
            person,
            before,
            shown,
            by=by,
            reason="LEAD-ACTIVE: an inbound chat opened the active window",
            fields=["active_until"],
        )


@transaction.atomic
def person_log_activity(
    *,
    person,
    by,
    kind: str,
    direction: str = Direction.OUTBOUND,
    two_way: bool = False,
    subject: str = "",
    body: str = "",
    outcome: str = "",
    occurred_at=None,
):
    """ACT-1 from a record page or a list row. A two-way activity moves Accepted to
    Qualifying (LEAD-STATUS 5); a reply finishes the active enrollment (SEQ-2). Logging
    is an edit of the person (ROLE-3). An outcome (the log dialog) of a call or e-mail
    must be one its kind offers; Connected and Replied are two-way, Replied is inbound.
    The activity's `moved_on` says whether it changed the person or an enrollment too."""
    require_person_edit(by, person, "log an activity on")
    if kind not in ("call", "email", "meeting", "linkedin", "chat", "note"):
        raise ValidationError(
            {"kind": "ACT-1: log a call, e-mail, meeting, LinkedIn message, chat or note."},
            code="ACT-1",
        )
    if direction not in (Direction.OUTBOUND, Direction.INBOUND):
        raise ValidationError({"direction": "ACT-1: outbound or inbound."}, code="ACT-1")
    if outcome and outcome not in OUTCOMES_FOR.get(kind, ()):
        raise ValidationError(
            {"outcome": "ACT-1: choose one of the outcomes offered for this kind."},
            code="ACT-1",
        )
    if outcome in TWO_WAY_OUTCOMES:
        two_way = True
    if outcome == Outcome.REPLIED:
        direction = Direction.INBOUND
    refuse_outreach(person, kind=kind, direction=direction)
    account = person.account if isinstance(person, Contact) else person.matched_account
    activity = activity_record(
        kind=kind,
        direction=direction,
        two_way=two_way,
        subject=subject or kind.title(),
        body=body,
        outcome=outcome,
        logged_by=by,
        occurred_at=occurred_at,
        account=account,
        **person_link(person),
    )
    activity.moved_on = False
    if kind == scoring.LOGGED_HAND_RAISE_KIND and direction == Direction.INBOUND:
        _open_window(person, by=by, at=activity.occurred_at)
        activity.moved_on = True
    if two_way:
        if direction == Direction.INBOUND:
            finished = Enrollment.objects.filter(
                **person_link(person), state=EnrollmentState.ACTIVE
            ).update(state=EnrollmentState.FINISHED, finished_at=timezone.now(), replied=True)
            activity.moved_on = activity.moved_on or bool(finished)
        fresh = type(person).objects.get(pk=person.pk)
        if fresh.status == S.ACCEPTED:
            person_change_status(
                person=fresh,
                to=S.QUALIFYING,
                by=by,
                via=Via.TWO_WAY,
                reason=f"two-way {activity.get_kind_display().lower()}",
                check_access=False,
            )
            activity.moved_on = True
    return activity


@transaction.atomic
def person_log_with_follow_up(
    *, person, by, follow_up: bool, follow_up_subject: str = "", follow_up_due=None, **activity
):
    """The log dialog (UX): ACT-1's activity and, when asked, an ACT-2 follow-up task for
    the one who logged it — both or neither (a follow-up without a due date refuses the
    whole). Returns (activity, task or None)."""
    logged = person_log_activity(person=person, by=by, **activity)
    if not follow_up:
        return logged, None
    subject = (follow_up_subject or "").strip() or f"Follow up with {person.name}"
    task = task_create(
        owner=by, by=by, subject=subject, due_date=follow_up_due, **person_link(person)
    )
    return logged, task
