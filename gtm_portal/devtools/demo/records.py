"""The generated records: one account, lead, contact or opportunity (with the activities,
score events, stage changes and tasks that belong to it) as rows of plain values, drawn from
the record's own random stream. No database access: the run writes the rows."""

import datetime
from decimal import Decimal

from accounts.enums import AccountType, BDRProspectingStatus, PaidTier
from accounts.matching import normalize_company
from accounts.segments import segment_for_employees
from gtm_portal.activity.enums import SALES_ACTIVITY_KINDS, ActivityKind, Direction
from gtm_portal.core.enums import PersonStatus, YesNoUnknown
from leads import scoring
from leads.enums import FormKind, ScoringKind

from .draw import (
    AW_ACCOUNTS,
    CAREERS_SHARE,
    CITIES,
    COMPANY_FIRST,
    COMPANY_SECOND,
    COMPANY_SUFFIX,
    DAY,
    FIRST_NAMES,
    FORM_LABELS,
    FORMS,
    HIGH_INTENT,
    INDUSTRIES,
    KIND_CONTACT,
    KIND_LEAD,
    LAST_NAMES,
    LEAD_EMPLOYEES,
    MARKETING_KIND,
    MARKETING_KINDS,
    PAST_MQL,
    SALES_SUBJECTS,
    SALES_TOPICS,
    US_STATES,
    WEB_PAGES,
    WORKED,
    DemoContext,
    between,
    pick,
    rng_for,
    slug,
)


def account_row(ctx: DemoContext, k: int, pk: int) -> dict:
    p, rng = ctx.account_draw(k)
    created = ctx.now - datetime.timedelta(days=30 + rng.random() * 1500)
    strategic = p.employees >= 20_000 and rng.random() < 0.3
    roll = rng.random()
    if roll < 0.15:
        kind = AccountType.CUSTOMER
    elif roll < 0.20:
        kind = AccountType.FORMER_CUSTOMER
    elif roll < 0.28:
        kind = AccountType.PROSPECT_CE
    elif roll < 0.30:
        kind = rng.choice((AccountType.PARTNER, AccountType.RESELLER))
    else:
        kind = AccountType.PROSPECT
    row = {
        "id": pk,
        "created_at": created,
        "updated_at": created,
        "name": p.name,
        "normalized_name": normalize_company(p.name),
        "domain": p.domain,
        "website": f"https://www.{p.domain}",
        "type": kind,
        "account_source_id": ctx.sources[rng.randrange(len(ctx.sources))],
        "employees": p.employees,
        "industry": rng.choice(INDUSTRIES),
        "billing_city": rng.choice(CITIES.get(p.country.iso2, ("",))),
        "billing_state": rng.choice(US_STATES) if p.country.iso2 == "US" else "",
        "country_id": p.country.pk,
        "region_id": p.country.region_id,
        "segment": segment_for_employees(p.employees, strategic),
        "is_strategic": strategic,
        "ultimate_parent_id": pk,
        "owner_id": p.owner_id,
        "bdr_assigned_id": p.bdr_id,
        "priority": rng.choice((None, None, 1, 2, 3)),
        "intent_score": rng.randint(0, 100) if rng.random() < 0.5 else None,
        "lam_dev_count": max(1, p.employees // rng.randint(3, 12)),
        "first_order_available": kind != AccountType.CUSTOMER,
        "is_public_sector": rng.random() < 0.03,
    }
    if kind == AccountType.CUSTOMER:
        row["paid_tier"] = rng.choice((PaidTier.PREMIUM, PaidTier.ULTIMATE, PaidTier.CI_STORAGE))
        row["total_carr"] = Decimal(rng.randint(20, 5000) * 100)
    elif kind == AccountType.PROSPECT_CE:
        row.update(using_ce=True, active_ce_users=rng.randint(1, 500), ce_instances=1)
    if p.bdr_id:
        if k < AW_ACCOUNTS and rng.random() < 0.5:
            status = BDRProspectingStatus.ACTIVELY_WORKING
            row["actively_working_since"] = ctx.now - datetime.timedelta(days=rng.random() * 9)
            row["bdr_research"] = f"{p.name}: {row['industry'].lower()} company evaluating tools."
            row["bdr_comments"] = "Champion identified; sequence running."
        else:
            roll = rng.random()
            status = (
                BDRProspectingStatus.QUEUED
                if roll < 0.55
                else BDRProspectingStatus.WORKED_IN_FY
                if roll < 0.9
                else BDRProspectingStatus.RESTRICTED
            )
            if status == BDRProspectingStatus.RESTRICTED:
                row["bdr_research"] = "Restricted: the account owner is negotiating a renewal."
        row["bdr_prospecting_status"] = status
    return row


def _person(ctx: DemoContext, rng, domain: str | None, token: str):
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    title = pick(rng, ctx.titles)
    if domain is None or rng.random() < 0.15:
        domain = ctx.free_domains[rng.randrange(len(ctx.free_domains))]
    email = f"{first}.{last}{token}@{domain}".lower()
    return first, last, title, email


def _marketing_form(rng, kind):
    return (
        rng.choice(FORMS)
        if kind == ActivityKind.FORM_FILL
        else rng.choice(WEB_PAGES)
        if kind == ActivityKind.WEB_VISIT
        else FormKind.WEBCAST_ATTENDED_LOW
        if kind == ActivityKind.WEBCAST
        else FormKind.EVENT_BOOTH
    )


def _behaviour_limit(ctx, status, demographic):
    """LEAD-STATUS 1-3 as constraints on a generated history: the highest behaviour score
    (since the last reset) a person can have and still be in `status`, and whether it may
    have filled a form (None: no limit; MQL and later statuses do not move back)."""
    below_mql = ctx.mql_threshold - 1 - demographic
    if status == PersonStatus.RAW:
        return min(ctx.inquiry_threshold, below_mql), False
    if status in (PersonStatus.INQUIRY, PersonStatus.RECYCLE):
        return below_mql, True
    return None, True


def _person_activities(ctx, rng, created, status, owner_id, links, demographic):
    """About three activities: the person's own marketing touches first, then the reps' sales
    activity once somebody works the record (ACT-1: only the latter is sales activity); a few
    people visit the careers page repeatedly. The marketing touches are drawn so that the
    scores they give (through the points table, as live scoring would) fit the status."""
    worker = owner_id if owner_id in ctx.people_ids else None
    slots, times = _activity_slots(ctx, rng, created, status)
    limit, forms_ok = _behaviour_limit(ctx, status, demographic[0])
    reset_at = None
    if status == PersonStatus.RECYCLE and not slots[0][1]:
        reset_at = between(rng, slots[0][0], ctx.now)  # recycled after its first touch
    rows, lim, first_touch = [], None, None
    touches = []  # (activity row, form kind, time) of the marketing touches
    counted = []  # (form kind, time) since the reset, as the re-score replays them
    for at, sales, form in slots:
        if sales:
            last = status == PersonStatus.QUALIFYING and at == times[-1]
            rows.append(_sales_row(ctx, rng, links, at, worker=worker, two_way=last))
            first_touch = first_touch or at
            continue
        if form is None:
            if (
                status in PAST_MQL
                and not touches
                or status == PersonStatus.RECYCLE
                and at == slots[0][0]
            ):
                form = rng.choice(HIGH_INTENT)  # the hand-raise that made it an MQL
            elif not forms_ok:
                form = rng.choice(WEB_PAGES)
            else:
                form = _marketing_form(rng, rng.choice(MARKETING_KINDS))
        if (
            limit is not None
            and (reset_at is None or at > reset_at)
            and ctx.behaviour.score(counted + [(form, at)]) > limit
        ):
            form = next(
                (
                    f
                    for f in ctx.fallbacks
                    if (forms_ok or not scoring.is_form(f))
                    and ctx.behaviour.score(counted + [(f, at)]) <= limit
                ),
                None,
            )
            if form is None:
                continue  # no touch fits the status: the person did less
        if reset_at is None or at > reset_at:
            counted.append((form, at))
        row = _marketing_row(links, form, at)
        rows.append(row)
        touches.append((row, form, at))
        lim = (row["subject"], at)
    return rows, lim, first_touch, (touches, reset_at)


def _activity_slots(ctx, rng, created, status):
    """When the person's activities happen and which are the reps' sales activity (once
    somebody works the record); a few people visit the careers page repeatedly."""
    n = rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5))
    worked = status in WORKED or (
        status not in (PersonStatus.RAW, PersonStatus.INQUIRY, PersonStatus.MQL)
        and rng.random() < 0.5
    )
    n_sales = max(1, n - rng.randint(1, 2)) if worked else 0
    times = sorted(between(rng, created, ctx.now) for _ in range(n))
    slots = [(at, j >= n - n_sales, None) for j, at in enumerate(times)]
    if rng.random() < CAREERS_SHARE:
        first = between(rng, created, ctx.now)
        slots += [
            (
                min(ctx.now, first + datetime.timedelta(seconds=int(rng.random() * 10 * 86400))),
                False,
                FormKind.PAGE_VISIT_CAREERS,
            )
            for _ in range(rng.randint(2, 3))
        ]
        slots.sort(key=lambda slot: slot[0])
    return slots, times


def _sales_row(ctx, rng, links, at, *, worker, two_way: bool) -> dict:
    kind = pick(rng, ctx.sales_kinds)
    two_way = two_way or rng.random() < 0.2
    return {
        **links,
        "kind": kind,
        "is_sales": kind in SALES_ACTIVITY_KINDS,
        "direction": Direction.INBOUND
        if two_way and kind == ActivityKind.EMAIL
        else Direction.OUTBOUND,
        "two_way": two_way,
        "logged_by_id": worker or ctx.rep_for(rng, None),
        "occurred_at": at,
        "created_at": at,
        "subject": SALES_SUBJECTS[kind].format(topic=rng.choice(SALES_TOPICS)),
    }


def _marketing_row(links, form, at) -> dict:
    return {
        **links,
        "kind": MARKETING_KIND[form],
        "is_sales": False,
        "direction": Direction.INBOUND,
        "two_way": False,
        "logged_by_id": None,
        "occurred_at": at,
        "created_at": at,
        "subject": FORM_LABELS[form],
        "form_kind": form,
    }


def _score_history(ctx, links, created, demographic, touches, reset_at):
    """The score events live scoring would have written for this history (demographic rules
    when the person appeared, each touch's behaviour rules and careers penalties, the reset
    on the move to Recycle), the behaviour score they add up to and the reset time (none when
    there was no behaviour score to reset, as LEAD-STATUS 3 does it)."""
    events = []
    score = 0
    for rule_id, name, points in demographic[1]:
        score += points
        events.append(
            {
                **links,
                "rule_id": rule_id,
                "rule_name": name,
                "kind": ScoringKind.DEMOGRAPHIC,
                "points": points,
                "created_at": created,
                "score_after": score,
            }
        )
    parts = [touches]
    if reset_at is not None:
        before = [t for t in touches if t[2] <= reset_at]
        if ctx.behaviour.score([(form, at) for _row, form, at in before]):
            parts = [before, [t for t in touches if t[2] > reset_at]]
        else:
            reset_at = None
    behaviour = 0
    for n, part in enumerate(parts):
        if n:
            score -= behaviour
            events.append(
                {
                    **links,
                    "rule_id": None,
                    "kind": "reset",
                    "points": -behaviour,
                    "rule_name": "Moved to Recycle: behaviour score reset",
                    "created_at": reset_at,
                    "score_after": score,
                }
            )
            behaviour = 0
        careers = [
            i for i, (_row, form, _at) in enumerate(part) if form == FormKind.PAGE_VISIT_CAREERS
        ]
        penalised = (
            ()
            if len(careers) < 2
            else {careers[k] for k in ctx.behaviour.penalised([part[i][2] for i in careers])}
        )
        for i, (row, form, at) in enumerate(part):
            fired = ctx.rules_for.get(form, ())
            if i in penalised:
                fired = fired + ctx.rules_for[scoring.CAREERS_REPEAT]
            for rule_id, name, points in fired:
                behaviour += points
                score += points
                events.append(
                    {
                        **links,
                        "rule_id": rule_id,
                        "rule_name": name,
                        "kind": ScoringKind.BEHAVIOUR,
                        "points": points,
                        "activity": row,
                        "created_at": at,
                        "score_after": score,
                    }
                )
    return behaviour, events, reset_at


def _person_fields(ctx, rng, status, created):
    row = {"status": status}
    if status in PAST_MQL or (
        status in (PersonStatus.RECYCLE, PersonStatus.DISQUALIFIED) and rng.random() < 0.5
    ):
        if status == PersonStatus.MQL:
            mql = ctx.now - datetime.timedelta(
                seconds=rng.random() * min((ctx.now - created).total_seconds(), 20 * 86400)
            )
            row["sla_due"] = mql + DAY
            row["is_hot"] = rng.random() < 0.05
        else:
            mql = between(rng, created, ctx.now)
        row["mql_date"] = mql
        row["mql_count"] = 1 if rng.random() < 0.85 else 2
    if status == PersonStatus.DISQUALIFIED and ctx.disqualify_reasons:
        row["disqualify_reason_id"] = rng.choice(ctx.disqualify_reasons)
    if status in WORKED:
        row.update(
            bant_budget=rng.choice(YesNoUnknown.values),
            bant_authority=rng.choice(YesNoUnknown.values),
            bant_need=rng.choice(YesNoUnknown.values),
            bant_timeline=rng.choice(YesNoUnknown.values),
        )
    return row


def _scores(ctx, row, links, demographic, history):
    """Scores, reset time and score events of a generated person (LEAD-SCORE-1)."""
    touches, reset_at = history
    behaviour, events, reset_at = _score_history(
        ctx, links, row["created_at"], demographic, touches, reset_at
    )
    row.update(
        behaviour_score=behaviour,
        demographic_score=demographic[0],
        person_score=behaviour + demographic[0],
        score_reset_at=reset_at,
    )
    return events


def _domain_of(email: str) -> str:
    return email.rsplit("@", 1)[-1] if "@" in email else ""


def _phone(rng, country):
    if country.iso2 == "US":
        return f"+1 {rng.randint(201, 989)} 555 {rng.randint(1000, 9999)}"
    return f"+{rng.randint(30, 99)} {rng.randint(20, 999)} {rng.randint(100000, 9999999)}"


def lead_rows(ctx: DemoContext, i: int, pk: int):
    rng = rng_for(ctx.seed, KIND_LEAD, i)
    status = pick(rng, ctx.lead_statuses)
    account_id, profile = None, None
    if ctx.n_accounts and (rng.random() < 0.3 or status == PersonStatus.QUALIFIED):
        account_id, profile = ctx.random_account(rng)
    if profile:
        company, domain, country = profile.name, profile.domain, profile.country
    else:
        company = (
            f"{rng.choice(COMPANY_FIRST)} {rng.choice(COMPANY_SECOND)} {rng.choice(COMPANY_SUFFIX)}"
        )
        domain = slug(company) + ".example" if rng.random() < 0.9 else None
        country = pick(rng, ctx.countries)
        if domain is None:
            company = ""
    first, last, title, email = _person(ctx, rng, domain, ctx.token(".", i))
    created = ctx.now - datetime.timedelta(days=730 * rng.random() ** 1.5)
    region = country.region.code
    if status in (PersonStatus.RAW, PersonStatus.INQUIRY) and rng.random() < 0.7:
        owner = ctx.inquiry_queue
    else:
        owner = ctx.rep_for(rng, region)
    phone = _phone(rng, country) if rng.random() < 0.6 else ""
    if status == PersonStatus.BAD_DATA:
        email, phone = "", ""
    demographic = ctx.demographic(title, email)
    row = {
        "id": pk,
        "created_at": created,
        "first_name": first,
        "last_name": last,
        "email": email,
        "email_domain": _domain_of(email),
        "phone": phone,
        "title": title,
        "company": company,
        "website": f"https://www.{domain}" if domain and company else "",
        "country_id": country.pk,
        "region_id": country.region_id,
        "state": rng.choice(US_STATES) if country.iso2 == "US" else "",
        "city": rng.choice(CITIES.get(country.iso2, ("",))),
        "initial_source_id": ctx.sources[rng.randrange(len(ctx.sources))],
        "owner_id": owner,
        "matched_account_id": account_id,
        "employees": profile.employees if profile else rng.choice(LEAD_EMPLOYEES),
        "email_opt_out": rng.random() < 0.03,
        "gdpr_opt_in": country.is_eu_eea and rng.random() < 0.6,
        **_person_fields(ctx, rng, status, created),
    }
    if status == PersonStatus.QUALIFIED:
        row["converted_account_id"] = account_id
        row["converted_at"] = between(rng, row.get("mql_date") or created, ctx.now)
    activities, lim, first_touch, history = _person_activities(
        ctx, rng, created, status, owner, {"lead_id": pk}, demographic
    )
    events = _scores(ctx, row, {"lead_id": pk}, demographic, history)
    row["updated_at"] = max([created] + [a["occurred_at"] for a in activities])
    if lim:
        row["last_interesting_moment"], row["last_interesting_moment_at"] = lim
    row["first_touch_at"] = first_touch
    row["first_touch_minutes"] = ctx.first_touch_minutes(row.get("mql_date"), first_touch, owner)
    task = None
    if (
        owner in ctx.people_ids
        and status in (PersonStatus.MQL, PersonStatus.ACCEPTED, PersonStatus.QUALIFYING)
        and rng.random() < 0.3
    ):
        task = {
            "lead_id": pk,
            "subject": f"Follow up with {first} {last}",
            "due_date": ctx.today + datetime.timedelta(days=rng.randint(-5, 14)),
            "owner_id": owner,
            "created_by_id": owner,
            "created_at": row["updated_at"],
            "updated_at": row["updated_at"],
        }
    return row, activities, task, events


def contact_rows(ctx: DemoContext, c: int, pk: int):
    rng = rng_for(ctx.seed, KIND_CONTACT, c)
    account_id, profile = ctx.random_account(rng)
    status = pick(rng, ctx.contact_statuses)
    first, last, title, email = _person(ctx, rng, profile.domain, ctx.token("", c))
    created = ctx.now - datetime.timedelta(days=900 * rng.random() ** 1.5)
    owner = profile.bdr_id or (
        profile.owner_id if rng.random() < 0.5 else ctx.rep_for(rng, profile.country.region.code)
    )
    phone = _phone(rng, profile.country) if rng.random() < 0.7 else ""
    if status == PersonStatus.BAD_DATA:
        email, phone = "", ""
    demographic = ctx.demographic(title, email)
    row = {
        "id": pk,
        "created_at": created,
        "account_id": account_id,
        "first_name": first,
        "last_name": last,
        "email": email,
        "email_domain": _domain_of(email),
        "phone": phone,
        "title": title,
        "country_id": profile.country.pk,
        "region_id": profile.country.region_id,
        "initial_source_id": ctx.sources[rng.randrange(len(ctx.sources))],
        "owner_id": owner,
        **_person_fields(ctx, rng, status, created),
    }
    activities, lim, first_touch, history = _person_activities(
        ctx, rng, created, status, owner, {"contact_id": pk, "account_id": account_id}, demographic
    )
    events = _scores(ctx, row, {"contact_id": pk}, demographic, history)
    row["updated_at"] = max([created] + [a["occurred_at"] for a in activities])
    if lim:
        row["last_interesting_moment"], row["last_interesting_moment_at"] = lim
    row["first_touch_at"] = first_touch
    row["first_touch_minutes"] = ctx.first_touch_minutes(row.get("mql_date"), first_touch, owner)
    return row, activities, events
