from django.shortcuts import get_object_or_404

from gtm_portal.core.labels import select_labels

from .models import Account, Contact
from .querysets import with_deadline_facts


def account_get_for_user_or_404(user, pk: int) -> Account:
    """The account with what its page shows in the same query: related rows and the
    ACCT-BPS 3/4 deadline facts."""
    return get_object_or_404(
        select_labels(with_deadline_facts(Account.objects),
                      "owner", "bdr_assigned", "parent", "ultimate_parent", "country", "region",
                      "account_source", "csm", "duplicate_of", "updated_by", "merged_into"),
        pk=pk,
    )


def contact_get_for_user_or_404(user, pk: int) -> Contact:
    return get_object_or_404(
        select_labels(Contact.objects, "owner", "country", "region", "initial_source",
                      "disqualify_reason", "updated_by", "merged_into", full=("account",)),
        pk=pk,
    )


def account_list_for_user(user, fields=None):
    return select_labels(Account.objects.visible_to(user), "owner", "bdr_assigned", fields=fields)


def contact_list_for_user(user, fields=None):
    return select_labels(Contact.objects.visible_to(user), "owner", "account", "initial_source",
                         fields=fields)


def account_people(account, limit: int = 50):
    return list(select_labels(Contact.objects.filter(account=account), "owner",
                              fields=("first_name", "last_name", "title", "status", "account",
                                      "owner"))
                .order_by("last_name", "first_name", "id")[:limit])
