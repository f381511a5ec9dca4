"""IMPORT-2/3: the commit, run by the task queue. The file is read and checked again (the
database may have changed since the preview), then written a batch at a time:

- new people set-based: built in memory, matched to their account in a few queries, put
  through CAMP-1 (`campaigns.join_effects`) and the scoring rules (`services.scoring`,
  LEAD-SCORE-1) in memory, then one multi-row INSERT per batch for the leads, their score
  events, memberships and the import's own rows; the new MQLs are routed like intake
  (`services.routing.route_people`, ROUTE-1); the others keep the owner the import gave them;
- matched people one by one through the services (their fields with history — the initial
  source is never overwritten —, re-scoring, CAMP-1 membership).

Each batch comes checked; its e-mails are locked, then matched (one query per kind), so a
person created meanwhile makes its row an update; a read-only lead (LEAD-STATUS 10) is never
written (its converted contact is, or the row is an error row). New leads get their
"created" history line and their "Imported from list …" activity set-based too.

Q-IDEM: "all" reads, checks and writes in one pass and one transaction — any error row rolls
everything back (the rest of the file is still checked, so the report lists every error);
a crash leaves nothing written, the redelivered task starts again; "skip_invalid" commits batch by
batch, each with the import's progress row, so a redelivered task resumes after the last
committed batch and reaches the same final state. The import row is locked per batch: two
workers never write the same rows."""

import copy
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.matching import match_accounts_many
from accounts.models import Contact
from gtm_portal.activity.enums import ActivityKind
from gtm_portal.activity.services import activities_for_leads
from gtm_portal.core import history
from gtm_portal.core.bulk import insert_objects, insert_values
from gtm_portal.core.enums import PersonStatus as S
from gtm_portal.core.locks import lock_emails

from .. import scoring
from ..enums import ScoringKind
from ..models import (
    CampaignMember,
    ImportedRow,
    ImportRowError,
    ImportRun,
    Lead,
    RoutingDecision,
    ScoreEvent,
)
from ..rule_context import Context
from ..services.active import open_active_window
from ..services.campaigns import campaign_member_set, join_effects
from ..services.person_rows import lock_person, person_read_only, save_person
from ..services.routing import RoutingContext
from ..services.scoring import apply_automatic_status, demographic_changes, route_new_mqls
from ..services.scoring import person_rescore_demographics as rescore
from ..workflow import READ_ONLY_MESSAGE
from . import files, rows
from .services import error_rows

State = ImportRun.State
SCORE_EVENT_COLUMNS = ["lead", "rule", "rule_name", "kind", "points", "created_at", "score_after"]
DEMOGRAPHIC_FIELDS = {"title", "email"}


def hand_raise(plan) -> str:
    """LEAD-ACTIVE: the hand-raise an imported row stands for (its initial source: a trial,
    a web chat), or ""."""
    return scoring.HAND_RAISE_SOURCES.get(plan.source.name, "") if plan.source else ""


class Abort(Exception):
    """An all-or-nothing import met an error while writing: roll everything back."""


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    routed: int = 0


class Writer:
    """The reference rows and rule contexts of one commit, read once."""

    def __init__(self, run: ImportRun):
        self.run = run
        self.refs = rows.Refs(run)
        self.ctx = Context()
        self.routing = RoutingContext()
        self.by = run.uploaded_by
        self.reason = f"IMPORT-2: list import {run.file_name} (#{run.pk})"
        self.subject = f"Imported from list {run.file_name}"
        self.created_what = f"created by list import {run.file_name}"

    def batch(self, plans: list) -> tuple[Counts, list]:
        """Write one batch's valid rows; returns the counts and the error rows. The rows
        come checked, not matched: INTAKE-3 / Q-IDEM, their e-mails are locked, then matched
        (IMPORT-2) — a person created meanwhile (intake, an order) makes its row an
        update."""
        counts, errors = Counts(), []
        valid = [p for p in plans if p.action != rows.ERROR]
        lock_emails([p.values.get("email", "") for p in valid])
        rows.match_batch(valid)
        creates = [p for p in valid if p.action == rows.CREATE]
        counts.created, counts.routed = self.create(creates)
        for plan in valid:
            if plan.action == rows.UPDATE:
                routed = self.update(plan)
                if routed is not None:
                    counts.updated += 1
                    counts.routed += routed
        for plan in plans:
            if plan.action == rows.ERROR:
                counts.skipped += 1
                errors += error_rows(self.run, plan)
        return counts, errors

    def create(self, plans: list) -> tuple[int, int]:
        if not plans:
            return 0, 0
        now = timezone.now()
        blank = self.blank_lead(now)
        leads = [self.new_lead(blank, p) for p in plans]
        accounts = match_accounts_many(
            [(lead.email, lead.company, lead.website) for lead in leads], self.ctx.free_domains
        )
        scored = []
        for lead, plan, account in zip(leads, plans, accounts, strict=True):
            lead.matched_account = account
            open_active_window(lead, hand_raise(plan), now, account=account)
            if plan.campaign is not None:
                effect = join_effects(*plan.campaign, lead, account)
                if effect.to_inquiry:
                    lead.status = S.INQUIRY
                if effect.hot_owner_id is not None:
                    lead.is_hot, lead.owner_id = True, effect.hot_owner_id
            scored.append(demographic_changes(lead, self.ctx, {}))  # new: no events yet
            apply_automatic_status(lead, self.ctx, at=now)
        insert_objects(leads)
        insert_values(
            ScoreEvent,
            SCORE_EVENT_COLUMNS,
            [
                (lead.pk, rule_id, name, ScoringKind.DEMOGRAPHIC, points, now, after)
                for lead, changes in zip(leads, scored, strict=True)
                for rule_id, name, points, after in changes
            ],
        )
        self.hot_decisions(leads, plans)
        members = {}
        for lead, plan in zip(leads, plans, strict=True):
            if plan.campaign is not None:
                campaign, status = plan.campaign
                members[lead.pk] = CampaignMember(
                    campaign_id=campaign.pk, status_id=status.pk, lead_id=lead.pk
                )
        insert_objects(list(members.values()))
        insert_values(
            ImportedRow,
            ["run", "row", "lead", "created", "membership"],
            [
                (
                    self.run.pk,
                    p.row,
                    lead.pk,
                    True,
                    members[lead.pk].pk if lead.pk in members else None,
                )
                for lead, p in zip(leads, plans, strict=True)
            ],
        )
        self.created_lines([lead.pk for lead in leads], now)
        mqls = [lead.pk for lead in leads if lead.status == S.MQL]
        if mqls:
            route_new_mqls(mqls, model=Lead, path="import", ctx=self.routing)
        return len(leads), len(mqls)

    def created_lines(self, lead_ids: list[int], at) -> None:
        """Q-AUDIT / ACT-1: each new lead's "record: created" history line and its activity
        "Imported from list <file>", set-based (one multi-row insert each)."""
        history.bulk_related_changes(
            Lead,
            "record",
            [(pk, self.created_what) for pk in lead_ids],
            by=self.by,
            reason=self.reason,
            at=at,
        )
        activities_for_leads(lead_ids, kind=ActivityKind.NOTE, subject=self.subject, occurred_at=at)

    def hot_decisions(self, leads: list, plans: list) -> None:
        """CAMP-1's high-priority assignments of new people, in their routing log."""
        insert_objects(
            [
                RoutingDecision(
                    lead_id=lead.pk,
                    rule="CAMP-1",
                    owner_id=lead.owner_id,
                    trigger=f"high-priority campaign {plan.campaign[0].name}",
                    explanation=[
                        f"CAMP-1: high-priority campaign {plan.campaign[0].name}, "
                        f"{lead.matched_account.name} is Actively Working",
                        "Assigned to the account's BDR Assigned",
                    ],
                    decided_at=timezone.now(),
                )
                for lead, plan in zip(leads, plans, strict=True)
                if lead.is_hot and plan.campaign is not None and lead.matched_account
            ]
        )

    def blank_lead(self, now) -> Lead:
        """What every new lead of a batch starts from: the model's defaults and the
        import's own values, worked out once."""
        return Lead(
            status=S.RAW,
            last_interesting_moment=f"List import: {self.run.file_name}"[:255],
            last_interesting_moment_at=now,
            updated_by=self.by,
        )

    def new_lead(self, blank: Lead, plan) -> Lead:
        """A new lead from its row: a copy of the batch's blank lead with the row's values
        (Q-PERF: Model.__init__ works out each of the 62 fields' defaults again, 33 µs a
        lead against 6 µs for the copy — a second of a 100,000-row commit)."""
        lead = copy.copy(blank)
        for name, value in plan.values.items():
            setattr(lead, name, value)
        country = plan.values.get("country")
        lead.region = country.region if country else None
        lead.initial_source = plan.source
        lead.lead_source = plan.source.name
        lead.owner = plan.owner
        lead.derive()
        return lead

    def update(self, plan) -> int | None:
        """A matched person: fields the file gives overwrite (never the initial source nor
        the owner), with history; re-scored when a scored field changed; CAMP-1 membership.
        Returns 1 when it became MQL and was routed, None when it is read-only (the row
        becomes an error row)."""
        model, pk = plan.match
        person = lock_person(model(pk=pk))
        if person_read_only(person):  # LEAD-STATUS 10: converted since it was matched
            plan.refuse("email", f"LEAD-STATUS 10: {READ_ONLY_MESSAGE}")
            return None
        fields = history.tracked_fields(model)
        before, shown = history.snapshot(person, fields), history.display_snapshot(person, fields)
        changed = []
        for name, value in plan.values.items():
            if hasattr(person, name) and getattr(person, name) != value:
                setattr(person, name, value)
                changed.append(name)
        if open_active_window(person, hand_raise(plan)):
            changed.append("active_until")
        if "country" in changed:
            person.region = person.country.region
            changed.append("region")
        if changed:
            person.derive()
            save_person(person, before, shown, by=self.by, reason=self.reason, fields=changed)
        membership = None
        if plan.campaign is not None:
            member, created = campaign_member_set(
                campaign=plan.campaign[0],
                person=person,
                status=plan.campaign[1],
                by=self.by,
                check_access=False,
            )
            membership = member if created else None
        routed = 0
        if DEMOGRAPHIC_FIELDS & set(changed):
            out = rescore(
                person=person, ctx=self.ctx, by=self.by, path="import", routing_ctx=self.routing
            )
            routed = int(out.became_mql)
        ImportedRow.objects.create(
            run=self.run,
            row=plan.row,
            created=False,
            membership=membership,
            **{"contact" if model is Contact else "lead": person},
        )
        return routed


def run_commit(run_id: int) -> None:
    """The task's body: run (or resume) the commit of import `run_id`; a finished or
    failed import is left alone (a repeated task does nothing)."""
    with transaction.atomic():
        run = ImportRun.objects.without_files().select_for_update().get(pk=run_id)
        if run.state not in (State.QUEUED, State.RUNNING):
            return
        if run.state == State.QUEUED or run.mode == ImportRun.Mode.ALL:
            _restart(run)
    try:
        if run.mode == ImportRun.Mode.ALL:
            _commit_all(run)
        else:
            _commit_skipping(run)
    except (files.FileRefused, Abort) as exc:
        _fail(run, str(exc))
    except Exception as exc:
        _fail(run, f"IMPORT-2: the commit stopped ({type(exc).__name__}: {exc})")
        raise


def _restart(run: ImportRun) -> None:
    """The commit's counts from zero; the preview's errors give way to the commit's."""
    ImportRowError.objects.filter(run=run).delete()
    run.state, run.done_rows = State.RUNNING, 0
    run.created = run.updated = run.skipped = run.routed = 0
    run.save()


def _commit_skipping(run: ImportRun) -> None:
    writer = Writer(run)
    for batch in rows.plans(run, writer.refs, match=False):
        with transaction.atomic():
            current = ImportRun.objects.without_files().select_for_update().get(pk=run.pk)
            todo = [p for p in batch if p.row - 1 > current.done_rows]
            if current.state != State.RUNNING or not todo:
                continue
            counts, errors = writer.batch(todo)
            ImportRowError.objects.bulk_create(errors, batch_size=2000)
            _add(current, counts, len(todo))
    _finish(run)


def _commit_all(run: ImportRun) -> None:
    """One pass in one transaction: each batch checked, matched and written; from the first
    error row on, the rest is only checked and matched, so the report lists every error
    row — then everything rolls back (all or nothing) and the error rows are stored."""
    writer = Writer(run)
    errors: list = []
    try:
        with transaction.atomic():
            current = ImportRun.objects.without_files().select_for_update().get(pk=run.pk)
            for batch in rows.plans(run, writer.refs, match=False):
                if errors:
                    for plan in rows.match_batch(batch):
                        errors += error_rows(run, plan)
                    continue
                counts, found = writer.batch(batch)
                errors += found
                _add(current, counts, len(batch))
            if errors:
                raise Abort(
                    f"IMPORT-2: {len({e.row for e in errors}):,} rows have errors; nothing "
                    "was written (all or nothing)."
                )
    except Abort:
        ImportRowError.objects.bulk_create(errors, batch_size=2000)
        raise
    _finish(run)


def _add(run: ImportRun, counts: Counts, rows_done: int) -> None:
    run.done_rows += rows_done
    run.created += counts.created
    run.updated += counts.updated
    run.skipped += counts.skipped
    run.routed += counts.routed
    run.save(update_fields=["done_rows", "created", "updated", "skipped", "routed", "updated_at"])


def _finish(run: ImportRun) -> None:
    ImportRun.objects.filter(pk=run.pk, state=State.RUNNING).update(
        state=State.DONE, finished_at=timezone.now(), updated_at=timezone.now()
    )


def _fail(run: ImportRun, message: str) -> None:
    ImportRun.objects.filter(pk=run.pk).update(
        state=State.FAILED, finished_at=timezone.now(), log=message[:2000]
    )
