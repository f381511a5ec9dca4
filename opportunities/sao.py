"""SAO-WD web-direct SAO credit requests and SAO-1 "never double credit".

`sao_credit_request` files a request (or opens a dispute when another rep already holds the
open request); `sao_credit_decide` approves or declines a pending request; `sao_credit_resolve`
settles a dispute. Every path locks the opportunity row first, so parallel decisions on the same
opportunity queue up and the second one finds the request already decided. Refusals raise
`ValidationError` / `PermissionDenied` whose message starts with the rule ID; they change
nothing (each service is one transaction). The thread of the opportunity tells the whole story
(CHAT-4): every step posts a system comment through `comment_post`.
"""

import datetime
from dataclasses import dataclass
from typing import NoReturn

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gtm_portal.activity.enums import ActivityKind
from gtm_portal.activity.models import Activity, QualificationNote
from gtm_portal.chatter.models import Notification
from gtm_portal.chatter.services import comment_post, notify
from gtm_portal.core import access, history
from gtm_portal.core.services import check_version, touch
from gtm_portal.users import roles
from gtm_portal.users.models import User

from .enums import CreditRequestState as St
from .enums import OrderType
from .models import Opportunity, OpportunityContactRole, SAOCreditRequest
from .services import lock_opportunity, qualification_source

EVIDENCE_WINDOW = datetime.timedelta(days=60)
OPEN_STATES = (St.PENDING, St.APPROVED)


def _refuse(message: str, field: str | None = None) -> NoReturn:
    code = message.split(":", 1)[0]
    raise ValidationError({field: message} if field else message, code=code)


# --- evidence (SAO-WD 1) -------------------------------------------------------------------


def buyer_filter(opportunity) -> Q:
    """The buyer: a contact with a role on the opportunity, or the lead that became one."""
    contact_ids = list(
        OpportunityContactRole.objects.filter(opportunity=opportunity).values_list(
            "contact_id", flat=True
        )
    )
    return Q(contact_id__in=contact_ids) | Q(lead__converted_contact_id__in=contact_ids)


def _has_note_for_call(activity: Activity, before: datetime.datetime) -> bool:
    """The person's qualification notes hold an entry for the call written before `before`:
    linked to the call, or written on the person between the call and `before`."""
    person = Q(lead_id=activity.lead_id) if activity.lead_id else Q(contact_id=activity.contact_id)
    return QualificationNote.objects.filter(
        Q(activity=activity)
        | (person & Q(activity__isnull=True, written_at__gte=activity.occurred_at)),
        written_at__lt=before,
    ).exists()


def evidence_problem(*, opportunity, requester, activity: Activity) -> str | None:
    """Why `activity` cannot back `requester`'s request on `opportunity` (None: it can)."""
    created = opportunity.created_at
    if activity.logged_by_id != requester.pk:
        return "SAO-WD 1: the evidence must be an activity you logged yourself."
    if not activity.two_way:
        return (
            "SAO-WD 1: the evidence must be a two-way activity (a reply, a connected call, "
            "a held meeting)."
        )
    if (
        not (activity.lead_id or activity.contact_id)
        or not Activity.objects.filter(buyer_filter(opportunity), pk=activity.pk).exists()
    ):
        return (
            "SAO-WD 1: the evidence must be an activity with the buyer (a contact on the "
            "opportunity)."
        )
    if activity.occurred_at >= created:
        return (
            "SAO-WD 1: the activity happened after the opportunity was created; choose one "
            "from the 60 days before."
        )
    if activity.occurred_at < created - EVIDENCE_WINDOW:
        return (
            f"SAO-WD 1: the activity of {activity.occurred_at:%Y-%m-%d} is more than 60 days "
            f"before the opportunity was created ({created:%Y-%m-%d}); choose a later one."
        )
    if activity.kind == ActivityKind.CALL and not _has_note_for_call(activity, created):
        return (
            "SAO-WD 1: a call counts only when the person's qualification notes hold an "
            "entry for it written before the opportunity was created."
        )
    return None


@dataclass
class EvidenceChoice:
    activity: Activity
    problem: str | None

    @property
    def eligible(self) -> bool:
        return self.problem is None


def evidence_choices(*, opportunity, requester, limit: int = 50) -> list[EvidenceChoice]:
    """The requester's two-way activities with the buyer up to the opportunity's creation,
    each with the reason it cannot be used (the same check the request runs)."""
    candidates = (
        Activity.objects.filter(
            buyer_filter(opportunity),
            logged_by=requester,
            two_way=True,
            occurred_at__lt=opportunity.created_at,
        )
        .select_related("lead", "contact")
        .order_by("-occurred_at", "-id")[:limit]
    )
    return [
        EvidenceChoice(
            a, evidence_problem(opportunity=opportunity, requester=requester, activity=a)
        )
        for a in candidates
    ]


# --- who may ----------------------------------------------------------------------------------


def request_refusal(*, opportunity, by, requests=None) -> str | None:
    """SAO-WD 1-3: why `by` (an SDR/BDR) may not ask for credit here (None: they may).
    `requests`: the opportunity's requests when the caller has them already."""
    if opportunity.order_type != OrderType.WEB_DIRECT:
        return (
            "SAO-WD 1: SAO credit requests are for web-direct opportunities; sales-assisted "
            "ones credit the SDR/BDR through 0-Pending Acceptance."
        )
    if opportunity.owner_id == by.pk:
        return "OPP-V1: you own this opportunity, so you cannot also be its SDR/BDR."
    if not by.manager_id:
        return "SAO-WD 2: you have no manager to decide; ask an admin to set your manager."
    if requests is None:
        requests = list(SAOCreditRequest.objects.filter(opportunity=opportunity))
    mine = next(
        (r for r in requests if r.requester_id == by.pk and r.state in (*OPEN_STATES, St.DISPUTED)),
        None,
    )
    if mine is not None:
        return f"SAO-WD 3: your request is already {mine.get_state_display().lower()}."
    if opportunity.sdr_bdr_id and not any(r.state == St.APPROVED for r in requests):
        return (
            f"SAO-1: {opportunity.sdr_bdr.label} is already credited on this opportunity; "
            "one rep per opportunity."
        )
    if any(r.state == St.DISPUTED for r in requests):
        return "SAO-WD 3: a dispute over this credit is already open; its managers decide."
    return None


def may_request(user, opportunity, requests=None) -> bool:
    """Whether to offer "Request SAO credit" (the service asks the same questions)."""
    return (
        access.can(user, "sao_credit.request", opportunity)
        and request_refusal(opportunity=opportunity, by=user, requests=requests) is None
    )


def can_decide(user, credit_request) -> bool:
    return access.can(user, "sao_credit.decide", credit_request)


def can_resolve(user, dispute) -> bool:
    """SAO-WD 3: either requester's manager (or above), never one of the requesters."""
    pair = (dispute, dispute.disputes)
    if user.pk in {r.requester_id for r in pair}:
        return False
    return any(access.can(user, "sao_credit.decide", r) for r in pair)


# --- writes -----------------------------------------------------------------------------------


def _requests_for_update():
    """Lock only the request rows (PostgreSQL refuses FOR UPDATE on the nullable side of the
    joins that select_related adds)."""
    return SAOCreditRequest.objects.select_for_update(of=("self",))


def _evidence_line(activity: Activity) -> str:
    person = activity.lead or activity.contact
    return (
        f"{activity.get_kind_display()} with {person} on {activity.occurred_at:%Y-%m-%d}"
        f"{' — ' + activity.subject if activity.subject else ''}"
    )


@transaction.atomic
def sao_credit_request(
    *,
    opportunity,
    by,
    evidence: Activity | None,
    explanation: str,
    expected_version: int | None = None,
) -> SAOCreditRequest:
    """SAO-WD 1-3: file a credit request (posted on the opportunity, mentioning the
    requester's manager), or open a dispute when another rep's request is pending or approved.
    Q-CONC: `expected_version` is the opportunity's version when the request form was opened
    (StaleEdit when it changed since)."""
    access.require(
        by, "sao_credit.request", opportunity, "SAO-WD 1: only SDRs and BDRs ask for SAO credit."
    )
    opp = lock_opportunity(opportunity)
    check_version(opp, expected_version)
    evidence, explanation = _checked_request(opp, by=by, evidence=evidence, explanation=explanation)
    manager = by.manager
    held = (
        _requests_for_update()
        .select_related("requester__manager")
        .filter(opportunity=opp, state__in=OPEN_STATES)
        .first()
    )
    req = SAOCreditRequest(
        opportunity=opp, requester=by, evidence=evidence, explanation=explanation
    )
    if held is None:
        req.full_clean()
        req.save()
        comment_post(
            record=opp,
            author=None,
            kind="system",
            topic="sao_credit",
            body=f"@{manager.username} {by.label} asks for web-direct SAO credit "
            f"(SAO-WD). Evidence: {_evidence_line(evidence)}. "
            f"Explanation: {explanation}",
            notify_users=[manager],
            notify_reason=Notification.Reason.DECIDE,
        )
        return req
    _open_dispute(opp, req, held=held, by=by)
    return req


def _checked_request(
    opp, *, by, evidence: Activity | None, explanation: str
) -> tuple[Activity, str]:
    """SAO-WD 1-2: who may ask, which evidence counts, an explanation; the evidence and the
    cleaned explanation."""
    problem = request_refusal(opportunity=opp, by=by)
    if problem:
        _refuse(problem)
    explanation = (explanation or "").replace("\x00", "").strip()
    if evidence is None:
        _refuse(
            "SAO-WD 1: choose the activity that shows your conversation with the buyer.", "evidence"
        )
    problem = evidence_problem(opportunity=opp, requester=by, activity=evidence)
    if problem:
        _refuse(problem, "evidence")
    if not explanation:
        _refuse("SAO-WD 1: explain how you influenced the purchase.", "explanation")
    return evidence, explanation


def _open_dispute(opp, req: SAOCreditRequest, *, held: SAOCreditRequest, by) -> None:
    """SAO-WD 3: a second requester opens a dispute; a pending first request waits for it."""
    explanation, evidence = req.explanation, req.evidence
    manager = by.manager
    if held.state == St.PENDING:
        held.state = St.DISPUTED
        held.save(update_fields=["state", "updated_at"])
    req.state, req.disputes = St.DISPUTED, held
    req.full_clean()
    req.save()
    managers = [m for m in (manager, held.requester.manager) if m is not None]
    handles = " ".join(sorted({f"@{m.username}" for m in managers}))
    comment_post(
        record=opp,
        author=None,
        kind="system",
        topic="sao_credit",
        body=f"{handles} SAO-WD 3: {by.label} disputes the SAO credit "
        f"{'held by' if held.state == St.APPROVED else 'asked for by'} "
        f"{held.requester.label}. Evidence: {_evidence_line(evidence)}. "
        f"Explanation: {explanation}. Either manager credits one of them or "
        "declines both.",
        notify_users=managers,
        notify_reason=Notification.Reason.DECIDE,
    )
    notify(
        recipients=[held.requester],
        reason=Notification.Reason.INFO,
        record=opp,
        message=f"SAO-WD 3: {by.label} disputes your SAO credit request; the managers decide.",
    )


def _credit(opp: Opportunity, req: SAOCreditRequest, *, by, prior: SAOCreditRequest | None):
    """Make `req.requester` the credited rep (SAO-1): the SDR/BDR field, the sales accepted
    date (stamped only if empty) and the sales qualification source from their role."""
    if opp.owner_id == req.requester_id:
        _refuse(
            f"OPP-V1: {req.requester.label} now owns the opportunity and cannot also be "
            "its SDR/BDR; change the owner first."
        )
    fields = history.tracked_fields(Opportunity)
    before, shown = history.snapshot(opp, fields), history.display_snapshot(opp, fields)
    if prior is not None:  # the credit moves: keep what the first approval replaced
        req.prior_sales_accepted_date = prior.prior_sales_accepted_date
        req.prior_qualification_source = prior.prior_qualification_source
    else:
        req.prior_sales_accepted_date = opp.sales_accepted_date
        req.prior_qualification_source = opp.sales_qualification_source
    opp.sdr_bdr = req.requester
    opp.sales_accepted_date = opp.sales_accepted_date or timezone.now()
    opp.sales_qualification_source = qualification_source(req.requester)
    _save_opp(opp, before, shown, by=by, reason=f"SAO-WD: SAO credit to {req.requester.label}")


def _uncredit(opp: Opportunity, req: SAOCreditRequest, *, by):
    """Undo an approval (a dispute declined both): the opportunity is as before it."""
    fields = history.tracked_fields(Opportunity)
    before, shown = history.snapshot(opp, fields), history.display_snapshot(opp, fields)
    opp.sdr_bdr = None
    opp.sales_accepted_date = req.prior_sales_accepted_date
    opp.sales_qualification_source = req.prior_qualification_source
    _save_opp(
        opp,
        before,
        shown,
        by=by,
        reason=f"SAO-WD 3: SAO credit withdrawn from {req.requester.label}",
    )


def _save_opp(opp, before, shown, *, by, reason):
    opp.save(
        update_fields=[
            "sdr_bdr",
            "sales_accepted_date",
            "sales_qualification_source",
            *touch(opp, by),
        ]
    )
    history.record_changes(opp, before, shown, by=by, reason=reason)


def _close(req: SAOCreditRequest, state: str, *, by, reason: str, now):
    req.state, req.decided_by, req.decided_at, req.decision_reason = state, by, now, reason
    req.save(
        update_fields=[
            "state",
            "decided_by",
            "decided_at",
            "decision_reason",
            "prior_sales_accepted_date",
            "prior_qualification_source",
            "updated_at",
        ]
    )


def _sales_support_ids() -> list[int]:
    return list(
        User.objects.filter(
            groups__name=roles.SALES_SUPPORT, is_active=True, kind=User.Kind.PERSON
        ).values_list("pk", flat=True)
    )


def _locked_request(credit_request) -> tuple[Opportunity, SAOCreditRequest]:
    opp = lock_opportunity(credit_request.opportunity)
    req = (
        _requests_for_update()
        .select_related("requester__manager", "evidence", "decided_by")
        .get(pk=credit_request.pk)
    )
    return opp, req


@transaction.atomic
def sao_credit_decide(*, credit_request, by, approve: bool, reason: str = "") -> SAOCreditRequest:
    """SAO-WD 2: the requester's manager (or a manager above) approves — the requester is
    credited (SAO-1) and Sales Support notified — or declines with a reason, which the
    requester is told. Decides once: a second decision finds the request decided."""
    opp, req = _locked_request(credit_request)
    if req.requester_id == by.pk:
        raise PermissionDenied("SAO-WD 2: you cannot decide your own SAO credit request.")
    if not can_decide(by, req):
        raise PermissionDenied(
            "SAO-WD 2: only the requester's manager (or a manager above them) decides this request."
        )
    if req.state == St.DISPUTED:
        _refuse("SAO-WD 3: this request is part of a dispute; resolve the dispute instead.")
    if req.state != St.PENDING:
        who = req.decided_by.label if req.decided_by else "someone"
        _refuse(f"SAO-WD 2: this request was already {req.get_state_display().lower()} by {who}.")
    reason = (reason or "").replace("\x00", "").strip()
    now = timezone.now()
    if not approve:
        if not reason:
            _refuse("SAO-WD 2: give the reason for declining; the requester reads it.", "reason")
        _close(req, St.DECLINED, by=by, reason=reason, now=now)
        comment_post(
            record=opp,
            author=None,
            kind="system",
            topic="sao_credit",
            body=f"SAO-WD: {by.label} declined {req.requester.label}'s SAO credit "
            f"request: {reason}",
            notify_users=[req.requester],
            notify_reason=Notification.Reason.DECIDED,
        )
        return req
    credited = opp.sdr_bdr
    if credited is not None and credited.pk != req.requester_id:
        _refuse(
            f"SAO-1: {credited.label} is already credited on this opportunity; never double credit."
        )
    _credit(opp, req, by=by, prior=None)
    _close(req, St.APPROVED, by=by, reason=reason, now=now)
    comment_post(
        record=opp,
        author=None,
        kind="system",
        topic="sao_credit",
        body=f"@sales-support SAO-WD: {by.label} approved {req.requester.label}'s SAO "
        f"credit; {req.requester.label} is now the SDR/BDR "
        f"({opp.sales_qualification_source}).{' ' + reason if reason else ''}",
        notify_users=[req.requester, *_sales_support_ids()],
        notify_reason=Notification.Reason.DECIDED,
    )
    return req


@transaction.atomic
def sao_credit_resolve(
    *, dispute, by, winner: SAOCreditRequest | None, reason: str
) -> SAOCreditRequest:
    """SAO-WD 3: either requester's manager credits one requester (`winner`) or declines both
    (`winner=None`), with a reason; everyone involved is notified; never double credit."""
    opp, challenger = _locked_request(dispute)
    if challenger.disputes_id is None:
        _refuse("SAO-WD 3: this request is not a dispute.")
    first = (
        _requests_for_update().select_related("requester__manager").get(pk=challenger.disputes_id)
    )
    if not can_resolve(by, challenger):
        raise PermissionDenied(
            "SAO-WD 3: only a manager of one of the requesters (never a "
            "requester) resolves this dispute."
        )
    if challenger.state != St.DISPUTED:
        _refuse("SAO-WD 3: this dispute was already resolved.")
    if winner is not None and winner.pk not in (challenger.pk, first.pk):
        _refuse("SAO-WD 3: credit one of the two requesters, or decline both.", "winner")
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        _refuse("SAO-WD 3: give the reason for the decision; both requesters read it.", "reason")
    now = timezone.now()
    first_held_credit = first.state == St.APPROVED
    if winner is None or winner.pk == challenger.pk:
        # Release the first request before the second may be approved (one open request).
        if first_held_credit and winner is None:
            _uncredit(opp, first, by=by)
        _close(first, St.DECLINED, by=by, reason=reason, now=now)
    if winner is None:
        _close(challenger, St.DECLINED, by=by, reason=reason, now=now)
        verdict = "declined both requests"
    elif winner.pk == challenger.pk:
        _credit(opp, challenger, by=by, prior=first if first_held_credit else None)
        _close(challenger, St.APPROVED, by=by, reason=reason, now=now)
        verdict = f"credited {challenger.requester.label}"
    else:
        _close(challenger, St.DECLINED, by=by, reason=reason, now=now)
        if not first_held_credit:
            _credit(opp, first, by=by, prior=None)
        first.decided_by, first.decided_at, first.decision_reason = by, now, reason
        first.state = St.APPROVED
        first.save(
            update_fields=[
                "state",
                "decided_by",
                "decided_at",
                "decision_reason",
                "prior_sales_accepted_date",
                "prior_qualification_source",
                "updated_at",
            ]
        )
        verdict = f"credited {first.requester.label}"
    involved = {
        first.requester_id,
        challenger.requester_id,
        first.requester.manager_id,
        challenger.requester.manager_id,
    }
    if winner is not None or first_held_credit:
        involved |= set(_sales_support_ids())
    comment_post(
        record=opp,
        author=None,
        kind="system",
        topic="sao_credit",
        body=f"SAO-WD 3: {by.label} resolved the SAO credit dispute between "
        f"{first.requester.label} and {challenger.requester.label}: {verdict}. "
        f"Reason: {reason}",
        notify_users=[uid for uid in involved if uid and uid != by.pk],
        notify_reason=Notification.Reason.DECIDED,
    )
    return challenger
