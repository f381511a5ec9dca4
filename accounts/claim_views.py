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


@require_POST
def transfer(request, kind: str, pk: int):
    from django.core.exceptions import ValidationError

    from .claims import transfer_request

    if kind not in MODELS:
        raise Http404
    record = get_object_or_404(apps.get_model(MODELS[kind]), pk=pk)
    try:
        transfer_request(record=record, by=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, "Transfer requested; the owner decides.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return HttpResponseRedirect(record.get_absolute_url())


@require_POST
def decide(request, pk: int):
    from django.core.exceptions import ValidationError

    from .claims import transfer_decide
    from .models import TransferRequest

    transfer_req = get_object_or_404(TransferRequest, pk=pk)
    record_url = "/"
    model = apps.get_model(transfer_req.content_type.app_label, transfer_req.content_type.model)
    record = model.objects.filter(pk=transfer_req.object_id).first()
    if record is not None:
        record_url = record.get_absolute_url()
    try:
        transfer_decide(request=transfer_req, by=request.user,
                        approve=request.POST.get("decision") == "approve",
                        reason=request.POST.get("reason", ""))
        messages.success(request, "Decision recorded.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return HttpResponseRedirect(record_url)
