"""ORDER-1/2 web-direct orders: idempotent by invoice number (Q-IDEM), one transaction.
Lives in leads because a matching open lead becomes Web Portal Purchase and is converted."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.enums import AccountType
from accounts.matching import match_account, normalize_company, normalize_domain
from accounts.models import Account, Contact
from gtm_portal.activity.services import task_create
from gtm_portal.chatter.models import Notification
from gtm_portal.chatter.services import notify
from gtm_portal.core import history
from gtm_portal.core.enums import OPEN_PERSON_STATUSES
from gtm_portal.core.enums import PersonStatus as S
from gtm_portal.core.locks import lock_emails
from gtm_portal.core.models import email_is
from gtm_portal.refdata.models import InitialSource
from gtm_portal.users import roles
from gtm_portal.users.models import User
from opportunities.enums import OPEN_STAGES, OrderType, Stage
from opportunities.models import Opportunity, WebOrder
from opportunities.services import opportunity_create

from ..models import Lead
from ..rule_context import free_domains
from ..workflow import Via
from .persons import lead_convert_to_contact, person_change_status

WEB_DIRECT_SOURCE = "Web Direct"
THANK_YOU_DAYS = 2


def submit_order(data: dict) -> tuple[int, dict]:
    """201 with the created ids, or 200 with the first answer for a repeated invoice with
    the same body; 409 naming the first order for a repeated invoice with a different body
    (Q-IDEM), nothing written."""
    try:
        with transaction.atomic():
            log = WebOrder.objects.create(
                invoice_number=data["invoice_number"],
                subscription_id=data["subscription_id"],
                payload=_payload(data),
                response={},
                received_at=timezone.now(),
            )
            body = _process(data, log)
            return 201, body
    except IntegrityError:
        first = WebOrder.objects.filter(invoice_number=data["invoice_number"]).first()
        if first is None:
            raise
        return _replay(first, data)


def _payload(data: dict) -> dict:
    return {k: str(v) for k, v in data.items()}


def _replay(first: WebOrder, data: dict) -> tuple[int, dict]:
    if first.payload == _payload(data):
        return 200, first.response
    received = first.received_at.isoformat()
    return 409, {
        "errors": {
            "invoice_number": [
                f"ORDER-1: invoice {first.invoice_number} was first received at {received} "
                "with a different body; nothing was written."
            ]
        },
        "first_submission": {"invoice_number": first.invoice_number, "received_at": received},
    }


def _process(data: dict, log: WebOrder) -> dict:
    """ORDER-2 in order: the account (found or created), the buyer as a contact (a matching
    open lead becomes Web Portal Purchase and is converted), the Closed Won opportunity."""
    source = InitialSource.objects.get(name=WEB_DIRECT_SOURCE)
    sales_admin = User.objects.queue(roles.Q_SALES_ADMIN)
    email = data["email"].strip()
    lock_emails([email])
    account = match_account(
        email=email,
        company=data["company"],
        website=data.get("website", ""),
        free_domains=free_domains(),
    )
    created_account = account is None
    if created_account:
        account = _new_customer_account(data, owner=sales_admin, source=source)
    contact, lead = _buyer_contact(data, email=email, account=account, source=source)
    duplicate = (
        Opportunity.objects.filter(
            account=account, stage__in=OPEN_STAGES, order_type=OrderType.SALES_ASSISTED
        )
        .order_by("pk")
        .first()
    )
    invoice = data["invoice_number"]
    owner = account.owner or sales_admin
    opp = opportunity_create(
        name=f"{account.name} - Web Direct {invoice}"[:255],
        account=account,
        owner=owner,
        stage=Stage.CLOSED_WON,
        stage_reason=f"Web direct order {invoice}",
        order_type=OrderType.WEB_DIRECT,
        close_date=data["order_date"],
        amount=data["amount"],
        iacv=data["amount"],
        source=source,
        po_expected=False,
        edition=data.get("plan", "")
        if data.get("plan") in ("Starter", "Premium", "Ultimate")
        else "",
        seats=data.get("seats"),
        closed_won_details=f"Web direct order {invoice}",
        possible_duplicate_of=duplicate,
        contacts=[(contact, {"is_primary": True, "is_bill_to": True, "is_sold_to": True})],
        # OPP-TASK's next action is ORDER-2's thank-you task (a queue owner gets none there:
        # `_thank_you_for_queue` gives it to the queue).
        next_action=_thank_you(contact),
        next_action_due=_thank_you_due(),
    )
    if owner.is_queue:
        _thank_you_for_queue(opp, owner, contact)
    if duplicate is not None:
        notify(
            recipients=_people(owner),
            reason=Notification.Reason.INFO,
            record=opp,
            message=f"ORDER-2: possible duplicate of {duplicate.name}, an open sales-assisted "
            f"opportunity at {account.name}; check before working either.",
        )
    if lead is not None:
        _record_converted_opportunity(lead, opp, invoice)
    body = {
        "account_id": account.pk,
        "contact_id": contact.pk,
        "opportunity_id": opp.pk,
        "created_account": created_account,
        "possible_duplicate_of": duplicate.pk if duplicate else None,
    }
    log.account, log.opportunity, log.response = account, opp, body
    log.save(update_fields=["account", "opportunity", "response"])
    return body


def _thank_you(contact) -> str:
    return f"Thank {contact.name} for the order and ask for time to learn their plans"


def _thank_you_due():
    return timezone.localdate() + datetime.timedelta(days=THANK_YOU_DAYS)


def _people(owner) -> list:
    """Who acts for `owner`: the person, or a queue's members."""
    return list(owner.queue_members.all()) if owner.is_queue else [owner]


def _thank_you_for_queue(opp, queue, contact) -> None:
    """ORDER-2: no AE owns the account — the thank-you task is the Sales Admin queue's
    (shown on its list), and each member hears of it."""
    task = task_create(
        owner=queue,
        by=None,
        opportunity=opp,
        subject=_thank_you(contact),
        due_date=_thank_you_due(),
    )
    notify(
        recipients=_people(queue),
        reason=Notification.Reason.INFO,
        record=opp,
        message=f"ORDER-2: a task for {queue.label}: {task.subject}",
    )


def _record_converted_opportunity(lead, opp, invoice) -> None:
    """ORDER-2: the matched lead records the opportunity it was converted into (with
    history, like LEAD-CONVERT-1)."""
    lead = Lead.objects.get(pk=lead.pk)
    fields = ["converted_opportunity"]
    before, shown = history.snapshot(lead, fields), history.display_snapshot(lead, fields)
    Lead.objects.filter(pk=lead.pk).update(converted_opportunity=opp)
    lead.converted_opportunity = opp
    history.record_changes(
        lead, before, shown, by=None, reason=f"ORDER-2: converted by web-direct order {invoice}"
    )


def _new_customer_account(data: dict, *, owner, source) -> Account:
    """ORDER-2: no account matched — a Customer account owned by Sales Admin."""
    account = Account(
        name=data["company"],
        domain=normalize_domain(data.get("website", "")),
        website=data.get("website", ""),
        type=AccountType.CUSTOMER,
        owner=owner,
        account_source=source,
        normalized_name=normalize_company(data["company"]),
        first_order_available=False,
    )
    account.full_clean()
    account.save()
    account.ultimate_parent = account
    account.save(update_fields=["ultimate_parent"])
    return account


def _buyer_contact(data: dict, *, email: str, account, source) -> tuple[Contact, Lead | None]:
    """The buyer: the contact with the e-mail; else a matching open lead, moved to Web
    Portal Purchase and converted (ORDER-2, LEAD-STATUS 9); else a new contact. Returns the
    contact and the lead converted into it (or None)."""
    contact = Contact.objects.filter(email_is(email), merged_into__isnull=True).first()
    converted = None
    lead = (
        Lead.objects.filter(
            email_is(email),
            merged_into__isnull=True,
            converted_at__isnull=True,
            status__in=OPEN_PERSON_STATUSES,
        )
        .order_by("created_at")
        .first()
    )
    if lead is not None:
        person_change_status(
            person=lead,
            to=S.WEB_PORTAL_PURCHASE,
            by=None,
            via=Via.ORDER,
            reason=f"ORDER-2: web-direct order {data['invoice_number']}",
            check_access=False,
        )
        if contact is None:
            contact = lead_convert_to_contact(
                lead=Lead.objects.get(pk=lead.pk),
                account=account,
                owner=account.contact_owner,
                by=None,
                reason=f"ORDER-2: converted by web-direct order {data['invoice_number']}",
            )
            converted = lead
    if contact is None:
        contact = Contact(
            account=account,
            first_name=data.get("first_name", ""),
            last_name=data["last_name"],
            email=email,
            initial_source=source,
            status=S.WEB_PORTAL_PURCHASE,
            owner=account.contact_owner,
        )
        contact.derive()
        contact.full_clean()
        contact.save()
    return contact, converted
