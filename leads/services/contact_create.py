"""CONTACT-CREATE: a contact made by hand. The form searches first (LEAD-DUP-1); this service
refuses a duplicate e-mail unless the user confirms, and `Unknown` as the initial source."""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Contact
from gtm_portal.core import access
from gtm_portal.core.enums import PersonStatus as S

from ..duplicates import matching_contacts, matching_leads

UNKNOWN_SOURCE = "Unknown"


@transaction.atomic
def contact_create(*, by, data: dict, confirmed: bool = False) -> Contact:
    access.require(by, "record.comment")
    account = data["account"]
    source = data["initial_source"]
    if source is None or source.name == UNKNOWN_SOURCE or not source.active:
        raise ValidationError(
            {
                "initial_source": "CONTACT-CREATE: choose an active initial "
                "source; Unknown is not acceptable for "
                "hand-made records."
            },
            code="CONTACT-CREATE",
        )
    email = (data.get("email") or "").strip()
    if not confirmed:
        same = matching_contacts(email=email)
        leads = matching_leads(
            email=email,
            first_name=data.get("first_name", ""),
            last_name=data["last_name"],
            company=data.get("company", ""),
        )
        if same or leads:
            who = ", ".join(
                [f"contact {c.name} at {c.account.name}" for c in same[:2]]
                + [f"lead {lead.name}" for lead in leads[:2]]
            )
            raise ValidationError(
                {
                    "confirm_duplicate": f"CONTACT-CREATE: {who} already "
                    "matches; open it, or confirm a new "
                    "contact."
                },
                code="CONTACT-CREATE",
            )
    contact = Contact(
        account=account,
        first_name=data.get("first_name", ""),
        last_name=data["last_name"],
        email=email,
        title=data.get("title", ""),
        phone=data.get("phone", ""),
        initial_source=source,
        status=S.INQUIRY,
        owner=account.contact_owner or by,
        updated_by=by,
    )
    contact.derive()
    contact.full_clean()
    contact.save()
    return contact
