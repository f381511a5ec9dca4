"""ACCT-BPS writes: the BDR Prospecting Status changed by hand (rules 1, 2, 5, 7) and its
daily reversions (AUTO-2, AUTO-3). The decisions are `workflow`'s, over facts read here;
leads count through the people registered in `registry` (STYLE 1)."""

import datetime
import logging

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from gtm_portal.activity.models import Activity, Enrollment, Task
from gtm_portal.chatter.models import Comment, Notification
from gtm_portal.chatter.services import notify
from gtm_portal.core import access, history
from gtm_portal.core.models import JobRun
from gtm_portal.core.services import check_version, record_update, touch, touched
from gtm_portal.jobs.runner import claimable
from gtm_portal.refdata.enums import Setting
from gtm_portal.refdata.models import PortalSetting
from gtm_portal.users.models import User

from . import registry, workflow
from .enums import BDRProspectingStatus as BPS
from .models import Account, Contact
from .querysets import with_deadline_facts

log = logging.getLogger(__name__)

CONTACTS = registry.People(model=Contact, account_field="account")


class StatusRefused(ValidationError):
    """ACCT-BPS refusal: every broken precondition, each with its rule ID."""

    def __init__(self, refusals):
        self.refusals = list(refusals)
        super().__init__([str(r) for r in self.refusals], code=self.refusals[0].rule)


def _setting(key: str, default: int) -> int:
    value = PortalSetting.objects.filter(key=key).values_list("value", flat=True).first()
    return default if value is None else value


def aw_limit(segment: str, bdr=None) -> int:
    """REF-7 / ACCT-BPS 2: the BDR's own Actively Working limit for the account's segment
    class when set on the BDR; else the portal setting, the default for every BDR."""
    if workflow.limit_class(segment) == "large":
        own, key, default = getattr(bdr, "aw_limit_large", None), Setting.AW_LIMIT_LARGE, 100
    else:
        own, key, default = getattr(bdr, "aw_limit_other", None), Setting.AW_LIMIT_OTHER, 150
    return own if own is not None else _setting(key, default)


# -- the facts (ACCT-BPS 2 / 7) -------------------------------------------------------------


def _people_kinds() -> list[registry.People]:
    return [CONTACTS, *registry.other_people()]


def _person_key(person) -> str | None:
    if person is None:
        return None
    if isinstance(person, str):
        return person
    return f"{person._meta.model_name}:{person.pk}"


def _person_from_key(key: str | None):
    """The person a key ("contact:12", "lead:7") names, with their kind; (None, None) for
    an unknown kind or id."""
    kind, _, pk = (key or "").partition(":")
    people = next((p for p in _people_kinds() if p.kind == kind), None)
    if people is None or not pk.isdigit():
        return None, None
    return people.model._default_manager.filter(pk=int(pk)).first(), people


def _bdr_active_in_class(account: Account, bdr) -> int:
    """REF-7: the BDR's other Actively Working accounts in the account's limit class."""
    if bdr is None:
        return 0
    same_class = [
        s
        for s in ("Strategic", "Large", "Mid-Market", "SMB", "Unknown")
        if workflow.limit_class(s) == workflow.limit_class(account.segment)
    ]
    return (
        Account.objects.filter(
            bdr_assigned=bdr,
            bdr_prospecting_status=BPS.ACTIVELY_WORKING,
            segment__in=same_class,
            merged_into__isnull=True,
        )
        .exclude(pk=account.pk)
        .count()
    )


def _recent_mqls(account: Account, cutoff) -> tuple[workflow.PersonFact, ...]:
    """People at the account who became MQL since `cutoff`, each saying whether a low-touch
    sequence holds them."""
    low_touch = Enrollment.objects.filter(state="active", sequence__touch="low")
    mqls = []
    for people in _people_kinds():
        qs = people.model._default_manager.filter(
            **{people.account_field: account},
            mql_date__gte=cutoff,
            merged_into__isnull=True,
            **people.mql_filter,
        ).annotate(low=Exists(low_touch.filter(**{people.kind: OuterRef("pk")})))
        mqls += [
            workflow.PersonFact(f"{people.kind}:{pk}", f"{first} {last}".strip(), low)
            for pk, first, last, low in qs.values_list("pk", "first_name", "last_name", "low")
        ]
    return tuple(mqls)


def _engaged_qualifying(account: Account, cutoff, today) -> tuple[str, ...]:
    """Qualifying people at the account with recent sales activity or an open task."""
    engaged = []
    for people in _people_kinds():
        link = {people.kind: OuterRef("pk")}
        busy = Q(
            Exists(Activity.objects.filter(**link, is_sales=True, occurred_at__gte=cutoff))
        ) | Q(Exists(Task.objects.filter(**link, status="open", due_date__gte=today)))
        qs = people.model._default_manager.filter(
            **{people.account_field: account}, status="Qualifying", merged_into__isnull=True
        )
        engaged += [
            f"{f} {n}".strip()
            for f, n in qs.filter(busy).values_list("first_name", "last_name")[:10]
        ]
    return tuple(engaged)


def _owner_override(account: Account, comment_id: int | None) -> tuple[str | None, str | None]:
    """ACCT-BPS 2: the owner's comment asking for the account overrides the engagement
    checks; returns (the override, or the problem with the comment named)."""
    if not comment_id:
        return None, None
    row = (
        Comment.objects.filter(
            pk=comment_id,
            content_type=ContentType.objects.get_for_model(Account),
            object_id=account.pk,
            kind=Comment.Kind.USER,
        )
        .values_list("author_id", "author__username")
        .first()
    )
    if row is None:
        return None, f"comment #{comment_id} is not a comment on this account."
    if row[0] != account.owner_id:
        return None, (
            f"comment #{comment_id} is by {row[1]}, not the account owner; only the "
            "owner's request overrides the recent-engagement checks."
        )
    return f"comment #{comment_id} by {row[1]}", None


def bps_facts(
    account: Account, *, now=None, override_comment: int | None = None, answering=None
) -> workflow.Facts:
    """ACCT-BPS 2 / 7 facts about an account, in a fixed number of queries."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=workflow.LOOKBACK_DAYS)
    bdr = (
        User.objects.filter(pk=account.bdr_assigned_id).first() if account.bdr_assigned_id else None
    )
    override, problem = _owner_override(account, override_comment)
    answering_key = _person_key(answering)
    return workflow.Facts(
        current=account.bdr_prospecting_status,
        segment=account.segment,
        bdr_assigned=bdr.username if bdr else None,
        bdr_active_in_class=_bdr_active_in_class(account, bdr),
        limit=aw_limit(account.segment, bdr),
        recent_mqls=_recent_mqls(account, cutoff),
        recent_opportunities=registry.opportunity_names(account, cutoff),
        engaged_qualifying=_engaged_qualifying(account, cutoff, timezone.localdate(now)),
        owner_override=override,
        override_problem=problem,
        answering=answering_key,
        answering_problem=(
            _answer_problem(account, answering_key, cutoff) if answering_key else None
        ),
    )


def _answer_problem(account: Account, key: str, cutoff) -> str | None:
    """ACCT-BPS 7: the account is no longer Actively Working and the person at it answered
    (an inbound activity logged in the past 30 days)."""
    if account.bdr_prospecting_status not in (BPS.QUEUED, BPS.WORKED_IN_FY):
        return "re-activation is for accounts that are Queued or Worked in FY."
    person, people = _person_from_key(key)
    if person is None or history.raw_value(person, people.account_field) != account.pk:
        return "the answering person must be a contact or lead at this account."
    if not Activity.objects.filter(
        **{people.kind: person}, direction="inbound", occurred_at__gte=cutoff
    ).exists():
        return f"log {person.name}'s answer (an inbound activity) before re-activating."
    return None


# -- a change by hand (ACCT-BPS 1, 2, 5, 7) --------------------------------------------------


def _rule_of(decision, facts, to: str) -> str:
    if decision.data_fix:
        return "ACCT-BPS 1 (data fix)"
    if facts.answering:
        return "ACCT-BPS 7"
    if to == BPS.RESTRICTED:
        return "ACCT-BPS 5"
    return "ACCT-BPS 2" if to == BPS.ACTIVELY_WORKING else "ACCT-BPS"


@transaction.atomic
def account_change_bps(
    *,
    account: Account,
    by,
    to: str,
    reason: str = "",
    override_comment: int | None = None,
    answering=None,
    expected_version: int | None = None,
) -> Account:
    """ACCT-BPS 1, 2, 5, 7: move the BDR Prospecting Status under the row lock; the decision
    is workflow.decide_change over facts read after the lock. Refusals raise StatusRefused
    (every rule broken) and write nothing; success stamps Actively Working since, writes
    history (the override comment is named in the reason) and, for rule 7, hands the answering
    person to the BDR."""
    locked = Account.objects.select_for_update().get(pk=account.pk)
    check_version(locked, expected_version)
    if locked.merged_into_id:
        raise ValidationError("ACCT-DUP: this account was merged; work the surviving account.")
    now = timezone.now()
    facts = bps_facts(locked, now=now, override_comment=override_comment, answering=answering)
    actor = workflow.Actor(  # ACCT-BPS 1 through the one access helper (Q-SEC)
        username=getattr(by, "username", ""),
        changes=access.can(by, "account.change_bps", locked),
        fixes=access.can(by, "account.fix_bps", locked),
    )
    decision = workflow.decide_change(
        facts=facts, actor=actor, to=to, reason=reason, today=timezone.localdate(now)
    )
    if not decision.allowed:
        raise StatusRefused(decision.refusals)
    fields = history.tracked_fields(Account)
    before, shown = history.snapshot(locked, fields), history.display_snapshot(locked, fields)
    locked.bdr_prospecting_status = to
    locked.bps_changed_at = now
    if decision.stamp_since:
        locked.actively_working_since = now
    elif decision.clear_since:
        locked.actively_working_since = None
    if decision.research_note:
        locked.bdr_research = "\n".join(
            x for x in (locked.bdr_research.strip(), decision.research_note) if x
        )
    locked.save(
        update_fields=[
            "bdr_prospecting_status",
            "bps_changed_at",
            "actively_working_since",
            "bdr_research",
            *touch(locked, by),
        ]
    )
    why = _rule_of(decision, facts, to) + (f": {reason.strip()}" if reason.strip() else "")
    if facts.owner_override:
        why += f" — owner's request, {facts.owner_override}"
    history.record_changes(locked, before, shown, by=by, reason=why)
    if facts.answering and locked.bdr_assigned_id:
        person, _people = _person_from_key(facts.answering)
        if person is not None and person.owner_id != locked.bdr_assigned_id:
            record_update(
                obj=person,
                by=by,
                data={"owner": locked.bdr_assigned},
                reason="ACCT-BPS 7: answered the BDR; the BDR takes the person",
            )
    return locked


def account_deadlines(account: Account, now=None) -> dict:
    """ACCT-BPS 3 / 4 days left, from the annotations `with_deadline_facts` adds."""
    return workflow.deadlines(
        since=account.actively_working_since
        if account.bdr_prospecting_status == BPS.ACTIVELY_WORKING
        else None,
        now=now or timezone.now(),
        research_done=bool(account.bdr_research.strip() and account.bdr_comments.strip()),
        enrolled=getattr(account, "people_enrolled", None) or 0,
        last_activity_at=_last_in_sequence(account, now or timezone.now()),
    )


def _last_in_sequence(account, now) -> datetime.datetime | None:
    """ACCT-BPS 4 as SPEC words it: the last time one of the account's people was active in
    a sequence — now while an enrollment is active (enrollments are not sales activity, and
    sales activity does not keep the account Actively Working)."""
    if getattr(account, "in_sequence_now", False):
        return now
    return getattr(account, "last_in_sequence_at", None)


# -- the daily jobs (AUTO-2, AUTO-3) ---------------------------------------------------------


def _bulk_move(accounts_to: list[tuple[Account, str, str]], *, now, by, clear_since: bool):
    """Move many accounts' status in one UPDATE per target and one history INSERT."""
    if not accounts_to:
        return
    by_target: dict[str, list[int]] = {}
    for account, to, _ in accounts_to:
        by_target.setdefault(to, []).append(account.pk)
    for to, ids in by_target.items():
        update = {
            "bdr_prospecting_status": to,
            "bps_changed_at": now,
            **touched(None, now),
        }
        if clear_since:
            update["actively_working_since"] = None
        Account.objects.filter(pk__in=ids).update(**update)
    # The history: (field, reason) -> [(pk, old, new)]; a run has a handful of reasons.
    moves: dict[tuple[str, str], list] = {}
    for account, to, why in accounts_to:
        moves.setdefault(("bdr_prospecting_status", why), []).append(
            (account.pk, account.bdr_prospecting_status, to)
        )
        if clear_since and account.actively_working_since:
            moves.setdefault(("actively_working_since", why), []).append(
                (account.pk, account.actively_working_since, None)
            )
    history.write(
        [
            row
            for (name, why), changed in moves.items()
            for row in history.field_changes(Account, name, changed, by=by, reason=why, at=now)
        ]
    )


REVERSION_BATCH = 200  # accounts per short transaction


def bps_run_reversions(*, now=None, by=None, batch: int = REVERSION_BATCH) -> dict:
    """AUTO-2: Actively Working accounts that missed rule 3 (research + comments in 10 days,
    5 people enrolled in 15) go back to Queued with a notification to the BDR; those whose
    people have not been active in a sequence for 30 days (rule 4) become Worked in FY.
    Short transactions of `batch` accounts, in id order, each claimed under skip-locked row
    locks; a moved account is no longer Actively Working, so a repeated or resumed run
    changes nothing more."""
    now = now or timezone.now()
    counts = {"checked": 0, "queued": 0, "worked_in_fy": 0}
    after = 0
    while True:
        with transaction.atomic():
            chunk = _reversion_chunk(after, batch)
            if not chunk:
                break
            after = chunk[-1].pk
            queued, worked = _revert(chunk, now=now, by=by)
        counts["checked"] += len(chunk)
        counts["queued"] += queued
        counts["worked_in_fy"] += worked
    log.info("AUTO-2 BDR prospecting status: %s", counts)
    return counts


def _reversion_chunk(after: int, batch: int) -> list[Account]:
    due = Account.objects.filter(
        bdr_prospecting_status=BPS.ACTIVELY_WORKING, merged_into__isnull=True, pk__gt=after
    ).order_by("pk")
    return list(
        with_deadline_facts(claimable(due)).only(
            "id",
            "name",
            "bdr_prospecting_status",
            "actively_working_since",
            "bdr_research",
            "bdr_comments",
            "bdr_assigned_id",
        )[:batch]
    )


def _revert(candidates: list, *, now, by) -> tuple[int, int]:  # annotated by with_deadline_facts
    queued: list[tuple[Account, str, str]] = []
    worked: list[tuple[Account, str, str]] = []
    for account in candidates:
        decision = workflow.reversion(
            since=account.actively_working_since,
            now=now,
            research_done=bool(account.bdr_research.strip() and account.bdr_comments.strip()),
            enrolled_in_window=account.people_enrolled or 0,
            last_activity_at=_last_in_sequence(account, now),
        )
        if decision is None:
            continue
        why = f"{decision.rule} (AUTO-2): {decision.why}"
        (queued if decision.to == BPS.QUEUED else worked).append((account, decision.to, why))
    _bulk_move(queued, now=now, by=by, clear_since=True)
    _bulk_move(worked, now=now, by=by, clear_since=False)
    for account, _, why in queued:
        if account.bdr_assigned_id:
            notify(
                recipients=[account.bdr_assigned_id],
                reason=Notification.Reason.INFO,
                record=account,
                actor=None,
                message=f"{account.name} went back to Queued — {why}.",
            )
    return len(queued), len(worked)


@transaction.atomic
def bps_fiscal_year_reset(*, now=None, by=None) -> dict:
    """AUTO-3 / ACCT-BPS 6: at fiscal-year start every Worked in FY account returns to Queued.
    Accounts that became Worked in FY before the current fiscal year started are reset, so a
    late or repeated run does the same thing once."""
    now = now or timezone.now()
    start_month = _setting(Setting.FISCAL_YEAR_START_MONTH, 2)
    fy_start = workflow.fiscal_year_start(timezone.localdate(now), start_month)
    fy_start_at = timezone.make_aware(datetime.datetime.combine(fy_start, datetime.time.min))
    stale = list(
        Account.objects.select_for_update()
        .filter(
            Q(bps_changed_at__lt=fy_start_at) | Q(bps_changed_at__isnull=True),
            bdr_prospecting_status=BPS.WORKED_IN_FY,
            merged_into__isnull=True,
        )
        .only("id", "bdr_prospecting_status", "actively_working_since")
    )
    _bulk_move(
        [
            (a, BPS.QUEUED, f"ACCT-BPS 6 (AUTO-3): fiscal year {fy_start:%Y-%m} started")
            for a in stale
        ],
        now=now,
        by=by,
        clear_since=True,
    )
    counts = {"fiscal_year_start": fy_start.isoformat(), "fy_reset": len(stale)}
    log.info("AUTO-3 fiscal-year reset: %s", counts)
    return counts


def bps_daily(*, now=None) -> dict:
    """AUTO-2 then AUTO-3, logged as one job run (§10: last run and counts)."""
    started = timezone.now()
    job = JobRun.objects.create(name="bdr_prospecting_status", started_at=started)
    try:
        counts = {**bps_run_reversions(now=now), **bps_fiscal_year_reset(now=now)}
    except Exception as exc:
        JobRun.objects.filter(pk=job.pk).update(
            state=JobRun.State.FAILED, finished_at=timezone.now(), log=str(exc)[:2000]
        )
        raise
    JobRun.objects.filter(pk=job.pk).update(
        state=JobRun.State.DONE,
        finished_at=timezone.now(),
        counts=counts,
        total=counts["checked"],
        done=counts["queued"] + counts["worked_in_fy"],
    )
    return counts
