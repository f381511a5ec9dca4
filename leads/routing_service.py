"""ROUTE-1..4: gather the facts for `routing.decide` in a fixed number of queries, hand out
pool slots under a row lock (ROUTE-3), stamp the SLA (ROUTE-4), persist the decision with the
owner change in history, and notify through the chatter service."""
import datetime

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.models import Account, Contact
from gtm_portal.activity.enums import EnrollmentState, TaskStatus
from gtm_portal.activity.models import Activity, Enrollment, Task
from gtm_portal.core import history
from gtm_portal.core.business_time import add_business_days, add_business_minutes, calendar_for
from gtm_portal.core.enums import PersonStatus as S
from gtm_portal.refdata.enums import WordList
from gtm_portal.refdata.models import Holiday, WordListEntry
from gtm_portal.users.models import User

from . import pools, routing
from .enums import ROUTING_WEIGHTS, FormKind
from .models import Lead, PoolMember, RoutingDecision, RoutingPool

SLA_MQL_MINUTES = 60
CONTACT_US_OR_PS = (FormKind.CONTACT_US, FormKind.PROFESSIONAL_SERVICES)


class RoutingContext:
    """Reference data routing reads, loaded once per batch."""

    def __init__(self):
        words = dict.fromkeys(WordList.values, ())
        lists: dict[str, list[str]] = {}
        for kind, value in WordListEntry.objects.values_list("list", "value"):
            lists.setdefault(kind, []).append(value)
        words.update({k: tuple(v) for k, v in lists.items()})
        self.rules = routing.Rules(
            pubsec_words=tuple(words[WordList.PUBSEC]),
            free_domains=frozenset(v.lower() for v in words[WordList.FREE_DOMAIN]))
        self.blocked = frozenset(v.lower() for v in words[WordList.BLOCKED_DOMAIN])
        self._queues = {u.display_name: u for u in User.objects.queues()}

    def queue(self, name: str) -> User:
        return self._queues[name]


def _who(user) -> routing.Who | None:
    if user is None:
        return None
    if user.is_queue:
        return routing.Who(queue=user.display_name, id=user.pk)
    return routing.Who(username=user.username, id=user.pk)


def _days_ago(moment, now) -> float | None:
    return None if moment is None else (now - moment).total_seconds() / 86400


def person_facts(person, form_kind, ctx: RoutingContext) -> routing.PersonFacts:
    region = person.region.top.code if person.region_id else ""
    return routing.PersonFacts(
        kind="contact" if isinstance(person, Contact) else "lead", status=person.status,
        title=person.title, form=form_kind, country=person.country.name if person.country_id else "",
        region=region, company=getattr(person, "company", "") or (
            person.account.name if isinstance(person, Contact) else ""),
        description=person.description, employees=person.employees,
        email_domain=person.email_domain,
        partner_prospecting_status=person.partner_prospecting_status, is_hot=person.is_hot,
        blocked_domain=bool(person.email_domain) and person.email_domain in ctx.blocked)


def account_for(person) -> Account | None:
    account_id = person.account_id if isinstance(person, Contact) else person.matched_account_id
    if not account_id:
        return None
    return (Account.objects.select_related("owner", "bdr_assigned", "bdr_assigned__manager", "csm")
            .get(pk=account_id))


def account_facts(account: Account, now) -> routing.AccountFacts:
    since = now - datetime.timedelta(days=routing.ACTIVITY_DAYS)
    at_account = (Q(account=account) | Q(contact__account=account)
                  | Q(lead__matched_account=account))
    person_linked = Q(contact__isnull=False) | Q(lead__isnull=False)
    recent = (Activity.objects.filter(at_account, is_sales=True, occurred_at__gte=since)
              .aggregate(bdr=Max("occurred_at", filter=Q(logged_by_id=account.bdr_assigned_id)),
                         people=Max("occurred_at", filter=person_linked)))
    customer = not account.first_order_available or account.type == "Customer"
    return routing.AccountFacts(
        name=account.name, id=account.pk, segment=account.segment, customer=customer,
        paid_tier=account.paid_tier, owner=_who(account.owner),
        bdr_assigned=_who(account.bdr_assigned),
        bdr_manager=_who(account.bdr_assigned.manager) if account.bdr_assigned_id else None,
        csm=_who(account.csm), bps=account.bdr_prospecting_status,
        public_sector=account.is_public_sector,
        bdr_sales_activity_days_ago=_days_ago(recent["bdr"], now),
        people_sales_activity_days_ago=_days_ago(recent["people"], now))


def related_people(person, account, ctx: RoutingContext, now) -> list[routing.Related]:
    """ROUTE-2 step 10 facts (shared with LEAD-DUP-1): other people at the account, or with
    the same company e-mail domain when there is no account."""
    if account is not None:
        scopes = [(Lead.objects.filter(matched_account=account, merged_into__isnull=True), "lead"),
                  (Contact.objects.filter(account=account, merged_into__isnull=True), "contact")]
    elif person.email_domain and person.email_domain not in ctx.rules.free_domains:
        scopes = [(Lead.objects.filter(email_domain=person.email_domain,
                                       merged_into__isnull=True), "lead"),
                  (Contact.objects.filter(email_domain=person.email_domain,
                                          merged_into__isnull=True), "contact")]
    else:
        return []
    since = now - datetime.timedelta(days=routing.ACTIVITY_DAYS)
    out = []
    for qs, kind in scopes:
        if kind == type(person).__name__.lower():
            qs = qs.exclude(pk=person.pk)
        last_sales = (Activity.objects.filter(**{kind: OuterRef("pk")}, is_sales=True,
                                              occurred_at__gte=since)
                      .order_by("-occurred_at").values("occurred_at")[:1])
        future_task = Task.objects.filter(**{kind: OuterRef("pk")}, status=TaskStatus.OPEN,
                                          due_date__gte=timezone.localdate(now))
        rows = (qs.filter(status__in=(S.ACCEPTED, S.QUALIFYING, S.MQL), owner__kind="person")
                .annotate(last_sales=Subquery(last_sales), has_task=Exists(future_task))
                .select_related("owner").order_by("mql_date", "pk")[:50])
        for r in rows:
            out.append(routing.Related(
                owner=_who(r.owner), status=r.status,
                sales_activity_days_ago=_days_ago(r.last_sales, now),
                open_future_task=r.has_task, mql_days_ago=_days_ago(r.mql_date, now)))
    return out


def is_available(member: PoolMember, today) -> bool:
    """REF-6: active, a live user, and not out of office today."""
    out = (member.out_of_office_from and member.out_of_office_from <= today
           and (member.out_of_office_until is None or today <= member.out_of_office_until))
    return member.active and member.user.is_active and not out


def take_pool_slot(pool_name: str, today, *, dry_run: bool = False
                   ) -> tuple[User | None, RoutingPool | None, str]:
    """ROUTE-3: lock the pool's member rows, pick the member furthest behind its share,
    count the hand-out. Two concurrent routings never get the same slot (row lock). A dry
    run (the routing preview) locks and counts nothing."""
    pool = RoutingPool.objects.filter(name=pool_name, active=True).first()
    if pool is None:
        return None, None, f"Pool {pool_name} is missing or inactive."
    qs = PoolMember.objects.filter(pool=pool)
    if not dry_run:
        qs = qs.select_for_update(of=("self",))
    members = list(qs.select_related("user").order_by("id"))
    available = [m for m in members if is_available(m, today)]
    slots = [pools.Slot(key=m.pk, weight=ROUTING_WEIGHTS.get(m.level, 0), assigned=m.assigned)
             for m in available]
    chosen_id = pools.pick(slots)
    if chosen_id is None:
        return None, pool, f"Pool {pool_name} has no available member with a weight above 0."
    member = next(m for m in available if m.pk == chosen_id)
    if not dry_run:
        PoolMember.objects.filter(pk=member.pk).update(assigned=member.assigned + 1,
                                                       last_assigned_at=timezone.now())
    share = ", ".join(f"{m.user.username} {m.level} {m.assigned + (m.pk == chosen_id)}"
                      for m in available)
    return member.user, pool, (f"Weighted round robin in {pool_name}: {member.user.username} is "
                               f"furthest behind their share (hand-outs: {share}).")


def sla_due(person, form_kind, owner: User, now) -> datetime.datetime | None:
    """ROUTE-4: MQL and hot leads — 60 business minutes; contact-us and professional
    services — 1 business day; when both apply the earlier deadline holds."""
    if owner is None or owner.is_queue:
        return None
    region = owner.region.top if owner.region_id else None
    holidays = (set(Holiday.objects.filter(region=region, date__gte=now.date(),
                                           date__lte=now.date() + datetime.timedelta(days=60))
                    .values_list("date", flat=True)) if region else set())
    cal = calendar_for(owner, holidays)
    deadlines = []
    if person.status == S.MQL or person.is_hot:
        deadlines.append(add_business_minutes(now, SLA_MQL_MINUTES, cal))
    if form_kind in CONTACT_US_OR_PS:
        deadlines.append(add_business_days(now, 1, cal))
    return min(deadlines) if deadlines else None


def preview(person, form_kind: str | None, now=None) -> dict:
    """The routing preview: the same facts and the same pure decision, nothing written."""
    ctx = RoutingContext()
    now = now or timezone.now()
    account = account_for(person) if person.pk else getattr(person, "preview_account", None)
    facts = person_facts(person, form_kind, ctx)
    a_facts = account_facts(account, now) if account else None
    related = related_people(person, account, ctx, now) if person.pk or account else []
    decision = routing.decide(facts, a_facts, related, ctx.rules)
    explanation = list(decision.explanation)
    owner = None
    if decision.pool:
        owner, _pool, line = take_pool_slot(decision.pool, timezone.localdate(now), dry_run=True)
        explanation.append(line.replace("is furthest", "would be next: furthest"))
    elif decision.owner is not None:
        owner = (ctx.queue(decision.owner.queue) if decision.owner.queue else
                 User.objects.filter(username=decision.owner.username).first())
    return {"decision": decision, "owner": owner, "explanation": explanation,
            "account": account, "facts": facts}


@transaction.atomic
def route_person(*, person, trigger: str, form_kind: str | None = None, by=None,
                 ctx: RoutingContext | None = None, now=None) -> RoutingDecision:
    """ROUTE-1: decide, assign, stamp the SLA, store and explain; notify after commit."""
    from gtm_portal.chatter.models import Notification
    from gtm_portal.chatter.services import comment_post, notify

    ctx = ctx or RoutingContext()
    now = now or timezone.now()
    model = type(person)
    # Lock first, then read with joins: a joined row read in the locking query would be the
    # version seen before waiting for the lock.
    model.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True).get()
    person = (model.objects.select_related("country", "region", "region__parent", "owner",
                                           *(("account",) if model is Contact else ()))
              .get(pk=person.pk))
    account = account_for(person)
    facts = person_facts(person, form_kind, ctx)
    a_facts = account_facts(account, now) if account else None
    related = related_people(person, account, ctx, now) if facts.status == S.MQL or (
        form_kind in routing.ROUTING_HAND_RAISE) else []
    decision = routing.decide(facts, a_facts, related, ctx.rules)
    explanation = list(decision.explanation)

    owner, pool = None, None
    if decision.pool:
        owner, pool, line = take_pool_slot(decision.pool, timezone.localdate(now))
        explanation.append(line)
        if owner is None:
            owner = ctx.queue("Inquiry Queue")
            explanation.append("Nobody could take it, so the Inquiry Queue holds it.")
    elif decision.owner is not None:
        owner = (ctx.queue(decision.owner.queue) if decision.owner.queue
                 else User.objects.get(pk=decision.owner.id) if decision.owner.id
                 else User.objects.get(username=decision.owner.username))

    fields = history.tracked_fields(model)
    before, before_display = history.snapshot(person, fields), history.display_snapshot(person, fields)
    due = sla_due(person, form_kind, owner, now) if decision.routed else None
    changed = []
    if decision.routed and owner is not None and person.owner_id != owner.pk:
        person.owner = owner
        changed.append("owner")
    if due is not None or (decision.routed and person.sla_due is not None):
        person.sla_due = due
        changed.append("sla_due")
    if changed:
        person.version += 1
        person.updated_by = by if getattr(by, "pk", None) else None
        person.save(update_fields=changed + ["version", "updated_by", "updated_at"])
        history.record_changes(person, before, before_display, by=by,
                               reason=f"{decision.rule}: routed ({trigger})")
    if decision.end_sequences:
        link = {"contact" if model is Contact else "lead": person}
        Enrollment.objects.filter(**link, state=EnrollmentState.ACTIVE).update(
            state=EnrollmentState.FINISHED, finished_at=now)
    link = {"contact" if model is Contact else "lead": person}
    row = RoutingDecision.objects.create(
        **link, rule=decision.rule, owner=owner if decision.routed else None, pool=pool,
        explanation=explanation, sla_due=due, trigger=trigger, decided_at=now, decided_by=by,
        notifications=[{"to": str(w), "why": why} for w, why in decision.notify])
    if decision.routed and owner is not None and not owner.is_queue:
        notify(recipients=[owner], reason=Notification.Reason.ROUTED, record=person, actor=by,
               message=f"{decision.rule}: {explanation[-1]}"[:500])
    for who, why in decision.notify:
        target = User.objects.filter(pk=who.id).first() if who.id else (
            User.objects.filter(username=who.username).first() if who.username else None)
        if target is not None and target != owner:
            notify(recipients=[target], reason=Notification.Reason.INFO, record=person,
                   actor=by, message=why)
    if decision.comment_on_account and account is not None:
        comment_post(record=account, author=None, kind="system", topic="routing",
                     body=decision.comment_on_account)
    row.person_obj = person
    row.convert_to_contact = decision.convert_to_contact
    row.account_obj = account
    return row
