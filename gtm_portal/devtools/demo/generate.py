"""Generated demo records on top of the named set: `seed_demo --leads N` (CONTRACT 3, SPEC Q-PERF).

Each record comes from its own `random.Random` keyed by (seed, kind, index), so a seed always
gives the same records however the work is split into runs and chunks (a record that points at
an account picks among the generated accounts that exist by then). The JobRun row `seed_demo` /
`seed=S` remembers how many of each kind exist and which ids the generated accounts got: a
re-run with the same numbers writes nothing, larger numbers write only the difference.

A run claims its ids up front, then streams chunks, one transaction each, committed in order so
an interrupted run resumes where it stopped. On PostgreSQL a writer thread streams each chunk
through COPY while the calling thread builds the next; other databases get executemany. Neither
applies Django's `auto_now`, so `created_at` can lie in the past like real data. Memory stays
flat: a few chunks at a time.
"""

import datetime
import itertools
import queue
import threading
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Account, Contact
from gtm_portal.activity.models import Activity, Task
from gtm_portal.core.models import JobRun
from leads.models import Lead, ScoreEvent
from opportunities.models import Opportunity, StageChange

from .draw import DemoContext
from .opportunity_records import opportunity_rows
from .records import account_row, contact_rows, lead_rows
from .tables import CopySink, InsertSink, Table, assign_ids, reserve_ids

JOB_NAME = "seed_demo"
CHUNK = 10_000
CONTACT_EVERY = 5  # one contact per five leads
KINDS = ("accounts", "leads", "contacts", "opportunities", "activities", "score_events", "tasks")
# Writer threads (own connections) on PostgreSQL. Overlapping generation with COPY saves ~20%;
# a second writer measured no faster here: the load is bound by the server's buffers and WAL.
WRITERS = 1


@dataclass
class _Chunk:
    kind: str
    end: int  # the kind's generated count once this chunk is committed
    of: int  # ... and once the whole run is
    tables: list  # [(table name, rows)] in write order
    new_accounts: tuple[int, int] | None = None  # (first id, n) for an account chunk
    seq: int = 0  # place in the run's order of commits


class _Failed(Exception):
    pass


class _Run:
    def __init__(self, seed, now, stdout):
        self.ctx = DemoContext(seed, now)
        self.stdout = stdout
        self.tables = {
            "accounts": Table(Account, now, with_id=True),
            "leads": Table(Lead, now, with_id=True),
            "contacts": Table(Contact, now, with_id=True),
            "opportunities": Table(Opportunity, now, with_id=True),
            "activities": Table(Activity, now, with_id=True),
            "score_events": Table(ScoreEvent, now),
            "tasks": Table(Task, now),
            "stage_changes": Table(StageChange, now),
            "closed_lost_reasons": Table(Opportunity.closed_lost_reasons.through, now),
        }
        self.created = dict.fromkeys(KINDS, 0)
        self.job, _ = JobRun.objects.get_or_create(
            name=JOB_NAME, key=f"seed={seed}", defaults={"started_at": now, "counts": {}}
        )
        self.counts = {k: int(self.job.counts.get(k, 0)) for k in KINDS}
        # Committed account ids (stored in the job) and the ones records may point at (these
        # include accounts of this run that are still on their way to the database).
        self.account_ranges = [list(r) for r in self.job.counts.get("account_ids", [])]
        self.ctx.account_ranges = [list(r) for r in self.account_ranges]
        self.ctx.n_accounts = sum(n for _first, n in self.ctx.account_ranges)
        self.parallel = connection.vendor == "postgresql" and not connection.in_atomic_block
        self.turn = threading.Condition()
        self.committed = -1
        self.failure: BaseException | None = None
        self.started = time.monotonic()
        self.last_print = 0.0

    def say(self, message, force=False):
        if self.stdout is None:
            return
        elapsed = time.monotonic() - self.started
        if force or elapsed - self.last_print >= 5:
            self.last_print = elapsed
            self.stdout.write(f"[{elapsed:7.1f}s] {message}")

    # -- building chunks (calling thread, no database access) ----------------------------

    def plan(self, accounts, leads, opportunities):
        """Claim the ids of everything this run adds, then yield its chunks in order."""
        ctx, done = self.ctx, dict(self.counts)
        new_accounts = max(0, accounts - done["accounts"])
        new_leads = max(0, leads - done["leads"])
        with transaction.atomic():
            first_account = reserve_ids(Account, new_accounts) if new_accounts else 0
        if new_accounts:
            ranges = ctx.account_ranges
            if ranges and ranges[-1][0] + ranges[-1][1] == first_account:
                ranges[-1][1] += new_accounts
            else:
                ranges.append([first_account, new_accounts])
            ctx.n_accounts += new_accounts
        contact_start = -(-done["leads"] // CONTACT_EVERY)
        contact_end = -(-max(leads, done["leads"]) // CONTACT_EVERY)
        new_contacts = contact_end - contact_start if ctx.n_accounts else 0
        new_opps = max(0, opportunities - done["opportunities"]) if ctx.n_accounts else 0
        with transaction.atomic():
            first_lead = reserve_ids(Lead, new_leads) if new_leads else 0
            first_contact = reserve_ids(Contact, new_contacts) if new_contacts else 0
            first_opp = reserve_ids(Opportunity, new_opps) if new_opps else 0
        if opportunities > done["opportunities"] and not ctx.n_accounts:
            self.say("opportunities: skipped, no generated accounts to put them on", force=True)

        chunks = itertools.chain(
            self.account_chunks(done["accounts"], accounts, first_account),
            self.lead_chunks(
                done["leads"],
                leads,
                first_lead,
                (first_contact, contact_start) if new_contacts else None,
            ),
            self.opportunity_chunks(done["opportunities"], new_opps, first_opp),
        )
        for seq, chunk in enumerate(chunks):
            chunk.seq = seq
            yield chunk

    def account_chunks(self, done: int, total: int, first_id: int):
        """Accounts `done`..`total`, the first of them with id `first_id`."""
        for start in range(done, total, CHUNK):
            end = min(total, start + CHUNK)
            first = first_id + start - done
            rows = [account_row(self.ctx, k, first + k - start) for k in range(start, end)]
            yield _Chunk("accounts", end, total, [("accounts", rows)], (first, end - start))

    def lead_chunks(self, done: int, total: int, first_id: int, contacts_from):
        """Leads `done`..`total` and every CONTACT_EVERY-th lead's contact (`contacts_from`:
        the first new contact's id and number, None when no contact is due)."""
        ctx = self.ctx
        for start in range(done, total, CHUNK):
            end = min(total, start + CHUNK)
            rows, contacts, activities, tasks, events = [], [], [], [], []
            for i in range(start, end):
                lead, acts, task, evs = lead_rows(ctx, i, first_id + i - done)
                rows.append(lead)
                activities += acts
                events += evs
                if task:
                    tasks.append(task)
                if contacts_from and i % CONTACT_EVERY == 0:
                    c = i // CONTACT_EVERY
                    first_contact, contact_start = contacts_from
                    contact, acts, evs = contact_rows(ctx, c, first_contact + c - contact_start)
                    contacts.append(contact)
                    activities += acts
                    events += evs
            yield _Chunk(
                "leads",
                end,
                total,
                [
                    ("leads", rows),
                    ("contacts", contacts),
                    ("activities", activities),
                    ("score_events", events),
                    ("tasks", tasks),
                ],
            )

    def opportunity_chunks(self, done: int, new: int, first_id: int):
        """`new` opportunities after the `done` ones, the first with id `first_id`."""
        total = done + new
        for start in range(done, total, CHUNK):
            end = min(total, start + CHUNK)
            opps, changes, reasons, activities, tasks = [], [], [], [], []
            for o in range(start, end):
                opp, ch, rs, acts, task = opportunity_rows(self.ctx, o, first_id + o - done)
                opps.append(opp)
                changes += ch
                reasons += rs
                activities += acts
                if task:
                    tasks.append(task)
            yield _Chunk(
                "opportunities",
                end,
                total,
                [
                    ("opportunities", opps),
                    ("stage_changes", changes),
                    ("closed_lost_reasons", reasons),
                    ("activities", activities),
                    ("tasks", tasks),
                ],
            )

    # -- writing chunks ------------------------------------------------------------------

    def commit(self, chunk: _Chunk, sink) -> None:
        """One transaction per chunk; chunks commit in order, so the job's counts always
        describe a prefix of the plan and an interrupted run resumes cleanly."""
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL synchronous_commit = off")
                tables = dict(chunk.tables)
                if tables.get("activities"):
                    assign_ids(Activity, tables["activities"])
                for event in tables.get("score_events", ()):
                    if "activity" in event:  # the touch that scored, now that it has an id
                        event["activity_id"] = event.pop("activity")["id"]
                written = {
                    name: sink.write(self.tables[name], rows) if rows else 0
                    for name, rows in chunk.tables
                }
                with self.turn:
                    self.turn.wait_for(lambda: self.failure or self.committed == chunk.seq - 1)
                    if self.failure:
                        raise _Failed
                for name, n in written.items():
                    if name in self.counts:
                        self.counts[name] += n
                        self.created[name] += n
                if chunk.new_accounts:
                    first, n = chunk.new_accounts
                    ranges = self.account_ranges
                    if ranges and ranges[-1][0] + ranges[-1][1] == first:
                        ranges[-1][1] += n
                    else:
                        ranges.append([first, n])
                self.save_job()
        except BaseException as exc:
            with self.turn:
                self.failure = self.failure or exc
                self.turn.notify_all()
            raise
        with self.turn:
            self.committed = chunk.seq
            self.turn.notify_all()
        self.say(f"{chunk.kind}: {chunk.end:,}/{chunk.of:,}", force=chunk.end == chunk.of)

    def save_job(self, state=JobRun.State.RUNNING):
        self.job.counts = {**self.counts, "account_ids": self.account_ranges}
        self.job.state = state
        self.job.done = sum(self.counts[k] for k in ("accounts", "leads", "opportunities"))
        fields = ["counts", "state", "done"]
        if state == JobRun.State.DONE:
            self.job.finished_at = timezone.now()
            fields.append("finished_at")
        self.job.save(update_fields=fields)

    def writer(self, chunks: queue.Queue):
        sink = CopySink()
        try:
            while (chunk := chunks.get()) is not None:
                if self.failure is None:
                    try:
                        self.commit(chunk, sink)
                    except BaseException:  # kept in self.failure for the calling thread
                        pass
        finally:
            sink.close()
            connection.close()

    def execute(self, accounts, leads, opportunities):
        plan = self.plan(accounts, leads, opportunities)
        if not self.parallel:
            sink = CopySink() if connection.vendor == "postgresql" else InsertSink()
            try:
                for chunk in plan:
                    self.commit(chunk, sink)
            finally:
                sink.close()
            return
        chunks: queue.Queue = queue.Queue(maxsize=WRITERS)
        threads = [
            threading.Thread(target=self.writer, args=(chunks,), daemon=True)
            for _ in range(WRITERS)
        ]
        for thread in threads:
            thread.start()
        try:
            for chunk in plan:
                while self.failure is None:
                    try:
                        chunks.put(chunk, timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if self.failure is not None:
                    break
        finally:
            # Chunks built before a failure here are sound: the writers still commit them.
            for _thread in threads:
                chunks.put(None)
            for thread in threads:
                thread.join()
        if self.failure is not None:
            raise self.failure

    def analyze(self):
        """VACUUM ANALYZE the whole database after generating: the statistics, and the
        visibility map that autovacuum keeps on a live database (without it every
        index-only scan — the capped counts, the views' keyset pages — reads the table too,
        and the bench measures a state production never stays in). The whole database, not
        only the tables written in bulk: the lifecycle stamps (written beside them) and the
        26 demo users (autovacuum analyzes a table after 50 changes) went unanalyzed, and
        the planner, taking 3 million stamps for 186 and the 19 people for 1, chose nested
        loops — REPORT-FUNNEL 4.1 s → 1.9 s, REPORT-SLA 3.1 s → 0.65 s at 1M leads."""
        if connection.vendor != "postgresql" or not any(self.created.values()):
            return
        # VACUUM cannot run inside a transaction (a caller's atomic block, a test): ANALYZE can.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            cursor.execute(command)
        self.say(f"{command} of the database done", force=True)


def generate(
    *,
    leads: int,
    accounts: int,
    opportunities: int,
    seed: int,
    stdout=None,
    now: datetime.datetime | None = None,
) -> dict[str, int]:
    """Top the generated demo data for `seed` up to the given numbers; returns what this run
    created per kind (all zero when the numbers are already there)."""
    run = _Run(seed, now or timezone.now(), stdout)
    run.execute(accounts, leads, opportunities)
    run.save_job(JobRun.State.DONE)
    run.analyze()
    if any(run.created.values()):
        run.say(
            "generated " + ", ".join(f"{n:,} {kind}" for kind, n in run.created.items()), force=True
        )
    return run.created
