"""Account writes: the one update path (ROLE-3 field groups, ACCT-SEG / ACCT-CUSTOMER
recompute, CONTACT-OWNER), creation (ACCT-CE), and the BDR Prospecting Status (ACCT-BPS) with
its daily reversions (AUTO-2, AUTO-3)."""
import datetime
import logging

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from gtm_portal.core import access, history
from gtm_portal.core.models import FieldChange
from gtm_portal.core.services import check_version, record_update, touch
from gtm_portal.refdata.enums import Setting
from gtm_portal.refdata.models import InitialSource, PortalSetting
from gtm_portal.users import roles
from gtm_portal.users.models import User

from . import hierarchy, workflow
from .claims import contacts_follow_owner
from .enums import AccountType
from .enums import BDRProspectingStatus as BPS
from .matching import normalize_domain
from .models import Account, Contact
from .querysets import with_deadline_facts

log = logging.getLogger(__name__)

# ROLE-3 field groups of an account: who may change each (access action, refusal).
BDR_FIELDS = frozenset({"bdr_assigned", "bdr_research", "bdr_next_step", "bdr_next_step_date",
                        "bdr_comments", "priority"})
OWNERSHIP_FIELDS = frozenset({"owner", "type", "parent"})
DESCRIPTIVE_FIELDS = frozenset({
    "name", "domain", "website", "industry", "employees", "is_strategic", "billing_street",
    "billing_city", "billing_state", "billing_postal_code", "country", "territory",
    "account_rank", "lam_dev_count", "intent_score", "tech_used", "triggers", "total_carr",
    "paid_tier", "using_ce", "active_ce_users", "ce_instances", "csm", "is_public_sector",
    "referenceable_details", "account_source"})
FIELD_GROUPS = (
    (BDR_FIELDS, "account.edit_bdr_fields",
     "ROLE-3: BDR fields are edited by BDRs, BDR Managers and Sales Support."),
    (OWNERSHIP_FIELDS, "account.edit_ownership",
     "ROLE-3: owner, type and hierarchy are changed by Sales Support and Sales Admin (or "
     "through a claim or transfer)."),
    (DESCRIPTIVE_FIELDS, "account.edit",
     "ROLE-3: the account's owner, the owner's manager, Sales Support and Sales Admin edit "
     "its fields."),
)
# Only their workflows change these (ACCT-SEG, ACCT-CUSTOMER, ACCT-BPS, ACCT-DUP; the region
# follows the country, REF-1).
WORKFLOW_FIELDS = frozenset({"segment", "first_order_available", "ultimate_parent",
                             "bdr_prospecting_status", "actively_working_since",
                             "bps_changed_at", "merged_into", "normalized_name",
                             "duplicate_of", "region"})
HIERARCHY_TRIGGERS = frozenset({"employees", "is_strategic", "parent", "type", "total_carr"})
OWNER_TRIGGERS = frozenset({"owner", "bdr_assigned"})


class StatusRefused(ValidationError):
    """ACCT-BPS refusal: every broken precondition, each with its rule ID."""

    def __init__(self, refusals):
        self.refusals = list(refusals)
        super().__init__([str(r) for r in self.refusals], code=self.refusals[0].rule)


def account_editable_fields(user, account) -> frozenset[str]:
    """ROLE-3: the fields `user` may change on `account` (empty: read only; merged accounts
    are read only, ACCT-DUP)."""
    if account.merged_into_id:
        return frozenset()
    return frozenset().union(*(names for names, action, _ in FIELD_GROUPS
                               if access.can(user, action, account)))


def bdr_fix_needs_reason(user) -> bool:
    """ACCT-BPS 1: Sales Support (not BDR side) fixes BDR fields only with a reason."""
    return (access.can(user, "account.edit_bdr_fields")
            and not user.has_role(roles.BDR, roles.BDR_MANAGER))


def _require_fields(by, account, names) -> None:
    """ROLE-3 per field group, for every field the caller sends (changed or not)."""
    if names & WORKFLOW_FIELDS:
        bad = ", ".join(sorted(names & WORKFLOW_FIELDS))
        raise ValidationError(f"ROLE-3: {bad} change only through their workflow "
                              "(hierarchy, status form, merge, country).")
    for group, action, message in FIELD_GROUPS:
        if names & group:
            access.require(by, action, account, message)
    unknown = names.difference(*(group for group, _, _ in FIELD_GROUPS))
    if unknown:
        raise ValidationError(f"ROLE-3: {', '.join(sorted(unknown))} cannot be edited.")


def _require_reason(by, changing, reason: str) -> None:
    """ACCT-BPS 1, said under each BDR field being changed without a reason."""
    fixing = sorted(changing & BDR_FIELDS)
    if fixing and not reason.strip() and bdr_fix_needs_reason(by):
        message = ("ACCT-BPS 1: Sales Support fixes BDR fields with a reason; say what is "
                   "being corrected.")
        raise ValidationError({name: message for name in fixing}, code="ACCT-BPS 1")


def _check_bdr(user) -> None:
    if user is not None and not (user.is_active and not user.is_queue
                                 and user.has_role(roles.BDR, roles.BDR_MANAGER)):
        raise ValidationError({"bdr_assigned": f"ACCT-BPS: {user} is not an active BDR."},
                              code="ACCT-BPS")


def _changing(locked: Account, data: dict) -> set[str]:
    """The fields of `data` whose value differs from the stored row's."""
    stored = history.snapshot(locked, data)
    return {name for name, value in data.items()
            if getattr(value, "pk", value) != stored[name]}


@transaction.atomic
def account_update(*, account: Account, by, data: dict, reason: str = "",
                   expected_version: int | None = None, enforce: bool = True) -> Account:
    """The one account edit path (form, admin, mass action, import): ROLE-3 per field group
    and ACCT-BPS 1 (Sales Support's reason), Q-CONC version check and history
    (record_update); a new country brings its region (REF-1); then ACCT-SEG / ACCT-CUSTOMER
    for the old and new hierarchy when a count, flag, parent, type or CARR changed, and
    CONTACT-OWNER when the owner or BDR Assigned changed. A refusal writes nothing."""
    names = set(data)
    if enforce:
        _require_fields(by, account, names)
    locked = Account.objects.select_for_update().get(pk=account.pk)
    check_version(locked, expected_version)
    changing = _changing(locked, data)
    if enforce:
        if locked.merged_into_id:
            raise ValidationError("ACCT-DUP: this account was merged; edit the surviving "
                                  "account.", code="ACCT-DUP")
        _require_reason(by, changing, reason)
    if "bdr_assigned" in changing:
        _check_bdr(data["bdr_assigned"])
    if "parent" in changing:
        parent = data["parent"]
        hierarchy.check_parent(locked, getattr(parent, "pk", parent))
    if "country" in changing:
        country = data["country"]
        data = {**data, "region": country.region if country is not None else None}
    before = history.snapshot(locked, set(data))
    updated = record_update(obj=locked, by=by, data=data, reason=reason,
                            expected_version=expected_version)
    changed = set(history.changed_fields(updated, before))
    if changed & HIERARCHY_TRIGGERS:
        hierarchy.recompute([updated.pk, before.get("parent")], by=by,
                            reason=f"ACCT-SEG / ACCT-CUSTOMER: {updated.name} changed "
                                   f"({', '.join(sorted(changed & HIERARCHY_TRIGGERS))})")
        updated.refresh_from_db()
    if changed & OWNER_TRIGGERS and updated.contact_owner is not None:
        contacts_follow_owner(account=updated, owner=updated.contact_owner, by=by)
    return updated


@transaction.atomic
def account_create(*, by, data: dict) -> Account:
    """A new account: derived columns, its own ultimate parent, then its hierarchy's segment
    and customer flag (ACCT-SEG, ACCT-CUSTOMER)."""
    parent = data.get("parent")
    account = Account(**data)
    account.derive()
    account.updated_by = by if getattr(by, "pk", None) else None
    account.full_clean(exclude=["ultimate_parent"])
    if parent is not None and getattr(parent, "merged_into_id", None):
        raise ValidationError({"parent": "ACCT-DUP: that account was merged; choose the account "
                                         "it was merged into."})
    account.save()
    Account.objects.filter(pk=account.pk).update(
        ultimate_parent_id=getattr(parent, "ultimate_parent_id", None) or getattr(parent, "pk",
                                                                                 None)
        or account.pk)
    hierarchy.recompute([account.pk], by=by, reason="ACCT-SEG: new account")
    account.refresh_from_db()
    return account


CE_SOURCE = "CE Download"


@transaction.atomic
def account_create_from_usage(*, name: str, domain: str, employees: int | None = None,
                              active_ce_users: int | None = None,
                              ce_instances: int | None = None, by=None) -> tuple[Account, bool]:
    """ACCT-CE: an account from usage-ping data — source CE Download, type Prospect - CE User,
    owner Sales Admin, using CE. Idempotent by domain: a known domain gets its usage numbers
    updated (with history) instead of a second account."""
    domain = normalize_domain(domain)
    if not domain or not (name or "").strip():
        raise ValidationError("ACCT-CE: a usage ping needs the company name and its domain.")
    found = (Account.objects.filter(domain__iexact=domain, merged_into__isnull=True)
             .order_by("id").first())
    if found is not None:
        data = {"using_ce": True}
        if active_ce_users is not None:
            data["active_ce_users"] = active_ce_users
        if ce_instances is not None:
            data["ce_instances"] = ce_instances
        return account_update(account=found, by=by, data=data, reason="ACCT-CE: usage ping",
                              enforce=False), False
    source = InitialSource.objects.filter(name=CE_SOURCE).first()
    if source is None:
        raise ValidationError("ACCT-CE: the CE Download source is missing; load the reference "
                              "data first.")
    account = account_create(by=by, data={
        "name": name.strip(), "domain": domain, "website": f"https://{domain}",
        "employees": employees, "type": AccountType.PROSPECT_CE, "account_source": source,
        "owner": User.objects.queue(roles.Q_SALES_ADMIN), "using_ce": True,
        "active_ce_users": active_ce_users, "ce_instances": ce_instances,
    })
    return account, True


# -- ACCT-BPS ----------------------------------------------------------------------------------

def _setting(key: str, default: int) -> int:
    value = PortalSetting.objects.filter(key=key).values_list("value", flat=True).first()
    return default if value is None else value


def aw_limit(segment: str) -> int:
    """REF-7 BDR Actively Working limit for the account's segment."""
    if workflow.limit_class(segment) == "large":
        return _setting(Setting.AW_LIMIT_LARGE, 100)
    return _setting(Setting.AW_LIMIT_OTHER, 150)


def _person_key(person) -> str | None:
    if person is None:
        return None
    if isinstance(person, str):
        return person
    return f"{person._meta.model_name}:{person.pk}"


def _person_from_key(key: str | None):
    if not key:
        return None
    kind, _, pk = key.partition(":")
    model = {"contact": Contact, "lead": apps.get_model("leads", "Lead")}.get(kind)
    if model is None or not pk.isdigit():
        return None
    return model.objects.filter(pk=int(pk)).first()


def bps_facts(account: Account, *, now=None, override_comment: int | None = None,
              answering=None) -> workflow.Facts:
    """ACCT-BPS 2 / 7 facts about an account, in a fixed number of queries."""
    from gtm_portal.activity.models import Activity, Enrollment, Task
    from gtm_portal.chatter.models import Comment

    Lead = apps.get_model("leads", "Lead")
    Opportunity = apps.get_model("opportunities", "Opportunity")
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=workflow.LOOKBACK_DAYS)
    today = timezone.localdate(now)
    bdr = User.objects.filter(pk=account.bdr_assigned_id).first() \
        if account.bdr_assigned_id else None
    same_class = [s for s in ("Strategic", "Large", "Mid-Market", "SMB", "Unknown")
                  if workflow.limit_class(s) == workflow.limit_class(account.segment)]
    active = 0
    if bdr is not None:
        active = (Account.objects.filter(bdr_assigned=bdr, bdr_prospecting_status=BPS.ACTIVELY_WORKING,
                                         segment__in=same_class, merged_into__isnull=True)
                  .exclude(pk=account.pk).count())
    low_touch = Enrollment.objects.filter(state="active", sequence__touch="low")
    mqls = []
    for model, link, person in ((Contact, "account", "contact"), (Lead, "matched_account", "lead")):
        qs = model.objects.filter(**{link: account}, mql_date__gte=cutoff,
                                  merged_into__isnull=True)
        if model is Lead:
            qs = qs.filter(converted_contact__isnull=True)
        qs = qs.annotate(low=Exists(low_touch.filter(**{person: OuterRef("pk")})))
        mqls += [workflow.PersonFact(f"{person}:{pk}", f"{first} {last}".strip(), low)
                 for pk, first, last, low in qs.values_list("pk", "first_name", "last_name", "low")]
    opportunities = tuple(Opportunity.objects.filter(account=account, created_at__gte=cutoff)
                          .order_by("-created_at").values_list("name", flat=True)[:10])
    engaged = []
    for model, link, person in ((Contact, "account", "contact"), (Lead, "matched_account", "lead")):
        busy = (Q(Exists(Activity.objects.filter(**{person: OuterRef("pk")}, is_sales=True,
                                                 occurred_at__gte=cutoff)))
                | Q(Exists(Task.objects.filter(**{person: OuterRef("pk")}, status="open",
                                               due_date__gte=today))))
        qs = model.objects.filter(**{link: account}, status="Qualifying", merged_into__isnull=True)
        engaged += [f"{f} {n}".strip() for f, n in qs.filter(busy)
                    .values_list("first_name", "last_name")[:10]]
    override = problem = None
    if override_comment:
        row = (Comment.objects.filter(pk=override_comment,
                                      content_type=ContentType.objects.get_for_model(Account),
                                      object_id=account.pk, kind=Comment.Kind.USER)
               .values_list("author_id", "author__username").first())
        if row is None:
            problem = f"comment #{override_comment} is not a comment on this account."
        elif row[0] != account.owner_id:
            problem = (f"comment #{override_comment} is by {row[1]}, not the account owner; only "
                       "the owner's request overrides the recent-engagement checks.")
        else:
            override = f"comment #{override_comment} by {row[1]}"
    answering_key = _person_key(answering)
    answering_problem = None
    if answering_key:
        answering_problem = _answer_problem(account, answering_key, cutoff)
    return workflow.Facts(
        current=account.bdr_prospecting_status, segment=account.segment,
        bdr_assigned=bdr.username if bdr else None, bdr_active_in_class=active,
        limit=aw_limit(account.segment), recent_mqls=tuple(mqls),
        recent_opportunities=opportunities, engaged_qualifying=tuple(engaged),
        owner_override=override, override_problem=problem, answering=answering_key,
        answering_problem=answering_problem)


def _answer_problem(account: Account, key: str, cutoff) -> str | None:
    """ACCT-BPS 7: the account is no longer Actively Working and the person at it answered
    (an inbound activity logged in the past 30 days)."""
    from gtm_portal.activity.models import Activity

    if account.bdr_prospecting_status not in (BPS.QUEUED, BPS.WORKED_IN_FY):
        return "re-activation is for accounts that are Queued or Worked in FY."
    person = _person_from_key(key)
    at_account = person is not None and (getattr(person, "account_id", None) == account.pk
                                         or getattr(person, "matched_account_id", None)
                                         == account.pk)
    if not at_account:
        return "the answering person must be a contact or lead at this account."
    link = {person._meta.model_name: person}
    if not Activity.objects.filter(**link, direction="inbound", occurred_at__gte=cutoff).exists():
        return f"log {person.name}'s answer (an inbound activity) before re-activating."
    return None


@transaction.atomic
def account_change_bps(*, account: Account, by, to: str, reason: str = "",
                       override_comment: int | None = None, answering=None,
                       expected_version: int | None = None) -> Account:
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
    actor = workflow.Actor(username=getattr(by, "username", ""),
                           roles=by.role_names if access.can(by, "record.comment")
                           else frozenset())
    decision = workflow.decide_change(facts=facts, actor=actor, to=to, reason=reason,
                                      today=timezone.localdate(now))
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
        locked.bdr_research = "\n".join(x for x in (locked.bdr_research.strip(),
                                                    decision.research_note) if x)
    locked.save(update_fields=["bdr_prospecting_status", "bps_changed_at",
                               "actively_working_since", "bdr_research",
                               *touch(locked, by)])
    rule = "ACCT-BPS 1 (data fix)" if decision.data_fix else (
        "ACCT-BPS 7" if facts.answering else "ACCT-BPS 5" if to == BPS.RESTRICTED
        else "ACCT-BPS 2" if to == BPS.ACTIVELY_WORKING else "ACCT-BPS")
    why = rule + (f": {reason.strip()}" if reason.strip() else "")
    if facts.owner_override:
        why += f" — owner's request, {facts.owner_override}"
    history.record_changes(locked, before, shown, by=by, reason=why)
    if facts.answering and locked.bdr_assigned_id:
        person = _person_from_key(facts.answering)
        if person is not None and person.owner_id != locked.bdr_assigned_id:
            record_update(obj=person, by=by, data={"owner": locked.bdr_assigned},
                          reason="ACCT-BPS 7: answered the BDR; the BDR takes the person")
    return locked


def account_deadlines(account: Account, now=None) -> dict:
    """ACCT-BPS 3 / 4 days left, from the annotations `with_deadline_facts` adds."""
    return workflow.deadlines(
        since=account.actively_working_since if account.bdr_prospecting_status
        == BPS.ACTIVELY_WORKING else None,
        now=now or timezone.now(),
        research_done=bool(account.bdr_research.strip() and account.bdr_comments.strip()),
        enrolled=getattr(account, "people_enrolled", None) or 0,
        last_activity_at=_last_activity(account))


def _last_activity(account) -> datetime.datetime | None:
    values = [v for v in (getattr(account, "last_account_activity_at", None),
                          getattr(account, "last_people_activity_at", None)) if v]
    return max(values) if values else None


def _bulk_move(accounts_to: list[tuple[Account, str, str]], *, now, by, clear_since: bool):
    """Move many accounts' status in one UPDATE per target and one history INSERT."""
    if not accounts_to:
        return
    ct = ContentType.objects.get_for_model(Account)
    by_target: dict[str, list[int]] = {}
    for account, to, _ in accounts_to:
        by_target.setdefault(to, []).append(account.pk)
    for to, ids in by_target.items():
        update = {"bdr_prospecting_status": to, "bps_changed_at": now, "updated_at": now,
                  "version": F("version") + 1}
        if clear_since:
            update["actively_working_since"] = None
        Account.objects.filter(pk__in=ids).update(**update)
    rows = []
    for account, to, why in accounts_to:
        rows.append(FieldChange(content_type=ct, object_id=account.pk,
                                field="bdr_prospecting_status",
                                old_value=account.bdr_prospecting_status, new_value=to,
                                changed_by=by, changed_at=now, reason=why[:500]))
        if clear_since and account.actively_working_since:
            rows.append(FieldChange(content_type=ct, object_id=account.pk,
                                    field="actively_working_since",
                                    old_value=history.format_value(account.actively_working_since),
                                    new_value="", changed_by=by, changed_at=now,
                                    reason=why[:500]))
    FieldChange.objects.bulk_create(rows, batch_size=2000)


@transaction.atomic
def bps_run_reversions(*, now=None, by=None) -> dict:
    """AUTO-2: Actively Working accounts that missed rule 3 (research + comments in 10 days,
    5 people enrolled in 15) go back to Queued with a notification to the BDR; those without
    sequence activity for 30 days (rule 4) become Worked in FY. Idempotent."""
    from gtm_portal.chatter.models import Notification
    from gtm_portal.chatter.services import notify

    now = now or timezone.now()
    candidates = list(with_deadline_facts(
        Account.objects.select_for_update(of=("self",)).filter(
            bdr_prospecting_status=BPS.ACTIVELY_WORKING, merged_into__isnull=True))
        .only("id", "name", "bdr_prospecting_status", "actively_working_since", "bdr_research",
              "bdr_comments", "bdr_assigned_id"))
    queued, worked = [], []
    for account in candidates:
        decision = workflow.reversion(
            since=account.actively_working_since, now=now,
            research_done=bool(account.bdr_research.strip() and account.bdr_comments.strip()),
            enrolled_in_window=account.people_enrolled or 0,
            last_activity_at=_last_activity(account))
        if decision is None:
            continue
        why = f"{decision.rule} (AUTO-2): {decision.why}"
        (queued if decision.to == BPS.QUEUED else worked).append((account, decision.to, why))
    _bulk_move(queued, now=now, by=by, clear_since=True)
    _bulk_move(worked, now=now, by=by, clear_since=False)
    for account, _, why in queued:
        if account.bdr_assigned_id:
            notify(recipients=[account.bdr_assigned_id], reason=Notification.Reason.INFO,
                   record=account, actor=None,
                   message=f"{account.name} went back to Queued — {why}.")
    counts = {"checked": len(candidates), "queued": len(queued), "worked_in_fy": len(worked)}
    log.info("AUTO-2 BDR prospecting status: %s", counts)
    return counts


@transaction.atomic
def bps_fiscal_year_reset(*, now=None, by=None) -> dict:
    """AUTO-3 / ACCT-BPS 6: at fiscal-year start every Worked in FY account returns to Queued.
    Accounts that became Worked in FY before the current fiscal year started are reset, so a
    late or repeated run does the same thing once."""
    now = now or timezone.now()
    start_month = _setting(Setting.FISCAL_YEAR_START_MONTH, 2)
    fy_start = workflow.fiscal_year_start(timezone.localdate(now), start_month)
    fy_start_at = timezone.make_aware(datetime.datetime.combine(fy_start, datetime.time.min))
    stale = list(Account.objects.select_for_update().filter(
        Q(bps_changed_at__lt=fy_start_at) | Q(bps_changed_at__isnull=True),
        bdr_prospecting_status=BPS.WORKED_IN_FY, merged_into__isnull=True)
        .only("id", "bdr_prospecting_status", "actively_working_since"))
    _bulk_move([(a, BPS.QUEUED, f"ACCT-BPS 6 (AUTO-3): fiscal year {fy_start:%Y-%m} started")
                for a in stale], now=now, by=by, clear_since=True)
    counts = {"fiscal_year_start": fy_start.isoformat(), "fy_reset": len(stale)}
    log.info("AUTO-3 fiscal-year reset: %s", counts)
    return counts


def bps_daily(*, now=None) -> dict:
    """AUTO-2 then AUTO-3, logged as one job run (§10: last run and counts)."""
    from gtm_portal.core.models import JobRun

    started = timezone.now()
    job = JobRun.objects.create(name="bdr_prospecting_status", started_at=started)
    try:
        counts = {**bps_run_reversions(now=now), **bps_fiscal_year_reset(now=now)}
    except Exception as exc:
        JobRun.objects.filter(pk=job.pk).update(state=JobRun.State.FAILED,
                                                finished_at=timezone.now(), log=str(exc)[:2000])
        raise
    JobRun.objects.filter(pk=job.pk).update(
        state=JobRun.State.DONE, finished_at=timezone.now(), counts=counts,
        total=counts["checked"], done=counts["queued"] + counts["worked_in_fy"])
    return counts
