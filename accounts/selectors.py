from django.shortcuts import get_object_or_404

from .models import Account, Contact
from .querysets import with_deadline_facts


def account_get_for_user_or_404(user, pk: int) -> Account:
    """The account with what its page shows in the same query: related rows and the
    ACCT-BPS 3/4 deadline facts."""
    return get_object_or_404(
        with_deadline_facts(Account.objects).select_related(
            "owner", "bdr_assigned", "parent", "ultimate_parent", "country", "region",
            "account_source", "csm", "duplicate_of", "updated_by", "merged_into",
        ),
        pk=pk,
    )


def contact_get_for_user_or_404(user, pk: int) -> Contact:
    return get_object_or_404(
        Contact.objects.select_related(
            "owner", "account", "country", "region", "initial_source", "disqualify_reason",
            "updated_by", "merged_into",
        ),
        pk=pk,
    )


def account_list_for_user(user):
    return Account.objects.visible_to(user).select_related("owner", "bdr_assigned")


def contact_list_for_user(user):
    return Contact.objects.visible_to(user).select_related("owner", "account", "initial_source")


def account_people(account, limit: int = 50):
    return list(Contact.objects.filter(account=account).select_related("owner")
                .order_by("last_name", "first_name", "id")[:limit])
