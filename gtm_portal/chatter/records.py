"""The record kinds that carry a thread (CHAT-1), by URL kind. Models are named by label so
the chatter app stays below the domain apps in the import order (STYLE 1)."""
from django.apps import apps
from django.http import Http404

RECORD_MODELS = {
    "leads": "leads.Lead",
    "contacts": "accounts.Contact",
    "accounts": "accounts.Account",
    "opportunities": "opportunities.Opportunity",
}


def model_for_kind(kind: str):
    try:
        return apps.get_model(RECORD_MODELS[kind])
    except KeyError:
        raise Http404("No such record kind.") from None


def record_for_kind_or_404(kind: str, pk: int):
    model = model_for_kind(kind)
    try:
        return model.objects.get(pk=pk)
    except model.DoesNotExist:
        raise Http404("No such record.") from None


def record_label(record) -> str:
    return str(record)[:255]
