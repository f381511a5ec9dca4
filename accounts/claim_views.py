"""ACCT-CLAIM pages: claim, transfer request and decision (CONTRACT 6)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from gtm_portal.core import records
from gtm_portal.core.redirects import back_to
from gtm_portal.core.services import version_from

from .claims import ClaimRefused, record_claim, transfer_decide, transfer_request
from .models import TransferRequest


def _record(kind: str, pk: int):
    """A claimable record (lead, contact, account) by its URL kind, or 404."""
    return get_object_or_404(records.kind_for_url_or_404(kind, claimable=True).model, pk=pk)


@require_POST
def claim(request, kind: str, pk: int):
    """CONTRACT 6: 302 on success; 409 "already claimed by <username>" (or why not) otherwise;
    409 "changed by X at T" (StaleEditMiddleware) when the page's `version` is stale."""
    record = _record(kind, pk)
    try:
        record_claim(record=record, by=request.user, expected_version=version_from(request.POST))
    except ClaimRefused as refused:
        if request.htmx:
            return HttpResponse(str(refused), status=409)
        return TemplateResponse(
            request,
            "accounts/claim_refused.html",
            {"record": record, "why": str(refused)},
            status=409,
        )
    messages.success(request, "It is yours now.")
    back = request.POST.get("next", "")
    if back.startswith("/queues/"):  # ROLE-4: claimed from a queue's list, back to it
        return HttpResponseRedirect(back)
    return HttpResponseRedirect(record.get_absolute_url())


@require_POST
def transfer(request, kind: str, pk: int):
    """ACCT-CLAIM 2: the request form (reason and the record's `version`)."""
    record = _record(kind, pk)
    try:
        transfer_request(
            record=record,
            by=request.user,
            reason=request.POST.get("reason", ""),
            expected_version=version_from(request.POST),
        )
        messages.success(request, "Transfer requested; the owner decides.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return HttpResponseRedirect(record.get_absolute_url())


@require_POST
def decide(request, pk: int):
    """ACCT-CLAIM 2: approve or decline; the form carries the record's `version`."""
    transfer_req = get_object_or_404(TransferRequest, pk=pk)
    model = transfer_req.content_type.model_class()
    record = model.objects.filter(pk=transfer_req.object_id).first()
    if record is None:
        raise Http404("The record of this transfer request no longer exists.")
    try:
        transfer_decide(
            request=transfer_req,
            by=request.user,
            approve=request.POST.get("decision") == "approve",
            reason=request.POST.get("reason", ""),
            expected_version=version_from(request.POST),
        )
        messages.success(request, "Decision recorded.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return back_to(request, record.get_absolute_url())  # the inbox, home, or the record
