"""Actions on a person page (lead or contact): edit, status, misroute, re-route, assign."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from accounts.models import Contact
from gtm_portal.activity.models import Sequence
from gtm_portal.activity.views import undo_token
from gtm_portal.core import access
from gtm_portal.core.input_guard import parse_id
from gtm_portal.core.recordpage import refused_status_keep
from gtm_portal.core.redirects import back_to
from gtm_portal.core.services import version_from

from ..forms import AssignForm, MisrouteForm, StatusForm
from ..models import Lead
from ..services import dsr, persons
from ..services.sequences import person_enroll, person_log_with_follow_up

MODELS = {"leads": Lead, "contacts": Contact}


def _person(kind, pk):
    model = MODELS.get(kind)
    if model is None:
        raise Http404
    return get_object_or_404(model, pk=pk)


def person_personal_data(request, kind: str, pk: int):
    """LEAD-DSR-1 export: a JSON download (Marketing Ops; others 403)."""
    person = _person(kind, pk)
    data = dsr.person_export(person=person, by=request.user)
    response = JsonResponse(data, encoder=DjangoJSONEncoder, json_dumps_params={"indent": 1})
    response["Content-Disposition"] = f'attachment; filename="{kind}-{pk}-personal-data.json"'
    return response


@require_POST
def person_erase(request, kind: str, pk: int):
    """LEAD-DSR-1 erase with `confirm=erase` (Marketing Ops; others 403): 302 to the record;
    without the confirmation a message and nothing changed."""
    person = _person(kind, pk)
    try:
        dsr.person_erase(person=person, by=request.user, confirm=request.POST.get("confirm", ""))
    except ValidationError as exc:
        _say(request, exc)
    else:
        messages.success(request, "LEAD-DSR-1: the person's personal data is erased.")
    return HttpResponseRedirect(person.get_absolute_url())


def _say(request, exc: ValidationError):
    messages.error(request, " ".join(exc.messages))


@require_POST
def person_status(request, kind: str, pk: int):
    person = _person(kind, pk)
    form = StatusForm(request.POST, person=person)
    if not form.is_valid():
        refused_status_keep(
            request, person, request.POST, ["LEAD-STATUS: choose one of the statuses offered."]
        )
        return HttpResponseRedirect(person.get_absolute_url() + "#status")
    try:
        persons.person_change_status(
            person=person,
            to=form.cleaned_data["to"],
            by=request.user,
            reason=form.cleaned_data["reason"],
            disqualify_reason=form.cleaned_data["disqualify_reason"],
            expected_version=version_from(request.POST),
        )
    except ValidationError as exc:
        # UX: the refusal shows in the status form, opened again with the choice kept.
        refused_status_keep(request, person, request.POST, exc.messages)
        return HttpResponseRedirect(person.get_absolute_url() + "#status")
    messages.success(request, f"Status is now {form.cleaned_data['to']}.")
    return HttpResponseRedirect(person.get_absolute_url())


@require_POST
def person_misroute(request, kind: str, pk: int):
    person = _person(kind, pk)
    form = MisrouteForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("ROUTE-5: say what is wrong with the routing.")
        persons.person_flag_misroute(person=person, by=request.user, body=form.cleaned_data["body"])
        messages.success(request, "Misroute flagged; Marketing Ops is notified.")
    except ValidationError as exc:
        _say(request, exc)
    return HttpResponseRedirect(person.get_absolute_url() + "#comments")


@require_POST
def person_reroute(request, kind: str, pk: int):
    person = _person(kind, pk)
    decision = persons.person_reroute(person=person, by=request.user)
    messages.success(
        request,
        f"Routed again: {decision.rule} → "
        f"{decision.owner.label if decision.owner else 'not routed'}.",
    )
    return HttpResponseRedirect(person.get_absolute_url())


@require_POST
def person_assign(request, kind: str, pk: int):
    person = _person(kind, pk)
    access.require(request.user, "routing.reroute", person)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "ROUTE-5: choose an owner and give the reason.")
        return HttpResponseRedirect(person.get_absolute_url())
    try:
        persons.person_assign(
            person=person,
            owner=form.cleaned_data["owner"],
            by=request.user,
            reason=form.cleaned_data["reason"],
            expected_version=version_from(request.POST),
        )
        messages.success(request, f"Assigned to {form.cleaned_data['owner'].label}.")
    except ValidationError as exc:
        _say(request, exc)
    return HttpResponseRedirect(person.get_absolute_url())


def _done(request, person, message, *, ok=True):
    """HTMX row actions get a small status line; full pages go back where they came from."""
    if request.htmx:
        line = (
            '<span class="log-result small text-success" role="status">{}</span>'
            if ok
            else '<span class="log-result small text-danger" role="status" data-refused>{}</span>'
        )
        return HttpResponse(format_html(line, message))
    (messages.success if ok else messages.error)(request, message)
    return back_to(request, person.get_absolute_url())


@require_POST
def person_activity(request, kind: str, pk: int):
    """ACT-1: log a call, e-mail, meeting, LinkedIn message, chat or note — from the record
    page, a list row or the log dialog (outcome, notes, follow-up task: UX). An activity that
    changed nothing else comes back with an undo for a few seconds."""

    person = _person(kind, pk)
    wants_follow_up = request.POST.get("follow_up") in ("on", "1", "true")
    try:
        activity, task = person_log_with_follow_up(
            person=person,
            by=request.user,
            kind=request.POST.get("kind", ""),
            direction=request.POST.get("direction", "outbound"),
            two_way=request.POST.get("two_way") in ("on", "1", "true"),
            subject=request.POST.get("subject", "")[:255],
            body=request.POST.get("body", ""),
            outcome=request.POST.get("outcome", ""),
            follow_up=wants_follow_up,
            follow_up_subject=request.POST.get("follow_up_subject", "")[:255],
            follow_up_due=_date_or_none(request.POST.get("follow_up_due")),
        )
    except ValidationError as exc:
        return _done(request, person, " ".join(exc.messages), ok=False)
    except PermissionDenied as exc:
        if not request.htmx:
            raise
        refused = _done(request, person, str(exc), ok=False)  # the dialog shows why
        refused.status_code = 403
        return refused
    message = f"{activity.get_kind_display()} logged" + (
        f", with a follow-up task due {task.due_date:%b} {task.due_date.day}." if task else "."
    )
    if not request.htmx:
        return _done(request, person, message)
    undo = None if activity.moved_on else undo_token(activity, task)
    response = TemplateResponse(
        request, "activity/_logged.html", {"message": message, "undo": undo}
    )
    response["HX-Trigger"] = "timelineChanged"
    return response


def _date_or_none(value):
    try:
        return datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


@require_POST
def person_enroll_view(request, kind: str, pk: int):
    """SEQ-2/SEQ-3: enroll in a sequence, or say exactly why not."""

    person = _person(kind, pk)
    sequence = Sequence.objects.filter(
        pk=parse_id(request.POST.get("sequence")) or 0, active=True
    ).first()
    if sequence is None:
        return _done(request, person, "SEQ-1: choose an active sequence.", ok=False)
    try:
        person_enroll(person=person, sequence=sequence, by=request.user)
    except ValidationError as exc:
        return _done(request, person, " ".join(exc.messages), ok=False)
    person.refresh_from_db()
    return _done(request, person, f"Enrolled in {sequence.name}; status {person.status}.")
