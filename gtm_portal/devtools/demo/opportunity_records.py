"""The generated opportunities: one opportunity with its stage path, closing fields,
activities and task as rows of plain values, drawn from the record's own random stream. No
database access: the run writes the rows."""

import datetime
from decimal import Decimal

from django.utils import timezone

from gtm_portal.activity.enums import SALES_ACTIVITY_KINDS, Direction
from gtm_portal.users import roles
from opportunities.enums import OPEN_STAGES, OrderType, Stage

from .draw import (
    ACCEPTED_STAGES,
    DAY,
    KIND_OPPORTUNITY,
    OPP_TOPICS,
    QUALIFIED_STAGES,
    SALES_SUBJECTS,
    SALES_TOPICS,
    STAGE_INDEX,
    DemoContext,
    between,
    pick,
    rng_for,
)


def opportunity_rows(ctx: DemoContext, o: int, pk: int):
    """Generated opportunity `o` (id `pk`): its row, stage changes, closed-lost reasons,
    activities and, when open, the task for its next step."""
    rng = rng_for(ctx.seed, KIND_OPPORTUNITY, o)
    account_id, profile = ctx.random_account(rng)
    region = profile.country.region.code
    if profile.owner_id in ctx.ae_ids:
        owner = profile.owner_id
    else:
        ids = ctx.aes_by_region.get(region) or ctx.ae_ids
        owner = ids[rng.randrange(len(ids))]
    stage = pick(rng, ctx.stages)
    web_direct = stage == Stage.CLOSED_WON and rng.random() < 0.2
    sdr_bdr = None
    if not web_direct and rng.random() < 0.6:
        sdr_bdr = profile.bdr_id or ctx.rep_for(rng, region, bdr_share=0.3)
    if sdr_bdr == owner:  # OPP-V1, also a database check
        sdr_bdr = None
    kind = pick(rng, ctx.opp_types)
    created = ctx.now - datetime.timedelta(days=5 + 540 * rng.random())
    iacv = Decimal(int(3000 * rng.paretovariate(1.3)) // 100 * 100)
    row = {
        "id": pk,
        "created_at": created,
        "account_id": account_id,
        "owner_id": owner,
        "sdr_bdr_id": sdr_bdr,
        "stage": stage,
        "name": f"{profile.name} - {rng.choice(OPP_TOPICS)}",
        "type": kind,
        "order_type": OrderType.WEB_DIRECT if web_direct else OrderType.SALES_ASSISTED,
        "iacv": iacv,
        "amount": iacv,
        "source_id": ctx.source_by_name.get("Web Direct")
        if web_direct
        else ctx.sources[rng.randrange(len(ctx.sources))],
        "sales_qualification_source": (
            ""
            if web_direct
            else "BDR Generated"
            if ctx.rep_role.get(sdr_bdr) == roles.BDR
            else "SDR Generated"
            if sdr_bdr
            else "AE Generated"
        ),
        "seats": rng.randint(5, 2000),
    }
    changes = _stage_path(ctx, rng, row, web_direct)
    reasons = _closing_fields(ctx, rng, row, web_direct)
    for change in changes:
        change["opportunity_id"] = pk
    activities = _opportunity_activities(ctx, rng, row)
    row["updated_at"] = max([row["stage_changed_at"]] + [a["occurred_at"] for a in activities])
    task = None
    if row["stage"] in OPEN_STAGES:  # OPP-TASK: an open opportunity carries its next action
        task = {
            "opportunity_id": pk,
            "account_id": account_id,
            "subject": f"Next step: {row['next_step']}",
            "due_date": row["next_step_date"],
            "owner_id": owner,
            "created_by_id": owner,
            "created_at": created,
            "updated_at": created,
        }
    return row, changes, reasons, activities, task


def _stage_path(ctx, rng, row, web_direct) -> list[dict]:
    """The stage changes that led to the row's stage (OPP-S1 acceptance, OPP-S2
    qualification on the way), with their dates; sets the row's stage date and the
    qualification fields the path passed."""
    created, stage = row["created_at"], row["stage"]
    owner, sdr_bdr = row["owner_id"], row["sdr_bdr_id"]
    changes = [
        {
            "from_stage": "",
            "to_stage": Stage.PRE if not web_direct else stage,
            "changed_by_id": sdr_bdr or owner,
            "changed_at": created,
        }
    ]
    at = created
    if not web_direct and stage != Stage.PRE:
        if stage != Stage.DUPLICATE or rng.random() < 0.5:
            at = between(rng, created, min(ctx.now, created + 10 * DAY))
            changes.append(
                {
                    "from_stage": Stage.PRE,
                    "to_stage": Stage.PENDING,
                    "changed_by_id": sdr_bdr or owner,
                    "changed_at": at,
                }
            )
            row.update(
                right_person_confirmed=True,
                business_problem="Wants one platform instead of several CI tools.",
            )
        accepted = stage in ACCEPTED_STAGES or stage == Stage.CLOSED_LOST and rng.random() < 0.6
        if accepted:  # OPP-S1
            at = between(rng, at, min(ctx.now, at + 20 * DAY))
            row["sales_accepted_date"] = at
            if stage in QUALIFIED_STAGES or rng.random() < 0.5:  # OPP-S2
                at = between(rng, at, min(ctx.now, at + 30 * DAY))
                row.update(sales_qualified=True, sales_qualified_date=at, initial_iacv=row["iacv"])
        if stage != changes[-1]["to_stage"]:
            at = between(rng, at, min(ctx.now, at + 60 * DAY))
            changes.append(
                {
                    "from_stage": changes[-1]["to_stage"],
                    "to_stage": stage,
                    "changed_by_id": owner,
                    "changed_at": at,
                }
            )
    row["stage_changed_at"] = changes[-1]["changed_at"]
    return changes


def _closing_fields(ctx, rng, row, web_direct) -> list[dict]:
    """Close date, next step and the stage's own fields (PO expected, closed-won details,
    closed-lost detail and reasons, unqualified reason); returns the closed-lost reasons."""
    stage, at = row["stage"], row["stage_changed_at"]
    if stage not in OPEN_STAGES:
        row["closed_at"] = at
        row["close_date"] = timezone.localdate(at)
    else:
        row["close_date"] = ctx.today + datetime.timedelta(days=rng.randint(-20, 180))
        row["next_step"] = rng.choice(
            (
                "Discovery call",
                "Demo for the platform team",
                "Send proposal",
                "Security questionnaire",
                "Align on pricing",
            )
        )
        row["next_step_date"] = ctx.today + datetime.timedelta(days=rng.randint(-5, 21))
    index = STAGE_INDEX[stage]
    if STAGE_INDEX[Stage.PROPOSAL] <= index <= STAGE_INDEX[Stage.CLOSED_WON]:
        row["po_expected"] = rng.random() < 0.6
    if stage in (Stage.AWAITING_SIGNATURE, Stage.CLOSED_WON):
        row["closed_won_details"] = (
            "Web direct order" if web_direct else "Signed order form; standard terms."
        )
        row["edition"] = rng.choice(("Premium", "Ultimate", "Starter"))
    reasons = []
    if stage == Stage.CLOSED_LOST:
        row["closed_lost_detail"] = "Budget went to another project this year."
        if ctx.closed_lost_reasons:
            reasons.append(
                {"opportunity_id": row["id"], "reason_id": rng.choice(ctx.closed_lost_reasons)}
            )
    elif stage == Stage.UNQUALIFIED and ctx.unqualified_reasons:
        row["unqualified_reason_id"] = rng.choice(ctx.unqualified_reasons)
    return reasons


def _opportunity_activities(ctx, rng, row) -> list[dict]:
    """None to three activities between creation and close (or now), mostly the owner's."""
    owner, sdr_bdr = row["owner_id"], row["sdr_bdr_id"]
    activities = []
    for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
        when = between(rng, row["created_at"], row.get("closed_at") or ctx.now)
        kind = pick(rng, ctx.sales_kinds)
        activities.append(
            {
                "opportunity_id": row["id"],
                "account_id": row["account_id"],
                "kind": kind,
                "is_sales": kind in SALES_ACTIVITY_KINDS,
                "direction": Direction.OUTBOUND,
                "two_way": rng.random() < 0.4,
                "logged_by_id": owner if rng.random() < 0.7 else (sdr_bdr or owner),
                "occurred_at": when,
                "created_at": when,
                "subject": SALES_SUBJECTS[kind].format(topic=rng.choice(SALES_TOPICS)),
            }
        )
    return activities
