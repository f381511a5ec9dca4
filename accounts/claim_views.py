from django.apps import apps
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from .claims import ClaimRefused, record_claim

MODELS = {"leads": "leads.Lead", "contacts": "accounts.Contact", "accounts": "accounts.Account"}


@require_POST
def claim(request, kind: str, pk: int):
    """CONTRACT 6: 302 on success; 409 "already claimed by <username>" (or why not) otherwise."""
    if kind not in MODELS:
        raise Http404
    record = get_object_or_404(apps.get_model(MODELS[kind]), pk=pk)
    try:
        record_claim(record=record, by=request.user)
    except ClaimRefused as refused:
        if request.htmx:
            return HttpResponse(str(refused), status=409)
        return TemplateResponse(request, "accounts/claim_refused.html",
                                {"record": record, "why": str(refused)}, status=409)
    messages.success(request, "It is yours now.")
    return HttpResponseRedirect(record.get_absolute_url())
