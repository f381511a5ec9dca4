"""Actions on a person page (lead or contact): edit, status, misroute, re-route, assign."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from accounts.models import Contact
from gtm_portal.core import access

from . import services
from .forms import AssignForm, LeadEditForm, MisrouteForm, StatusForm
from .models import Lead

MODELS = {"leads": Lead, "contacts": Contact}


def _person(kind, pk):
    model = MODELS.get(kind)
    if model is None:
        raise Http404
    return get_object_or_404(model, pk=pk)


def _say(request, exc: ValidationError):
    messages.error(request, " ".join(exc.messages))


def person_edit(request, kind: str, pk: int):
    person = _person(kind, pk)
    access.require(request.user, "person.edit", person)
    form_class = LeadEditForm
    if kind == "contacts":
        from django import forms as djforms

        form_class = djforms.modelform_factory(
            Contact, form=LeadEditForm, fields=LeadEditForm.Meta.fields[1:])
    if request.method == "POST":
        form = form_class(request.POST, instance=_person(kind, pk))
        if form.is_valid():
            data = {f: form.cleaned_data[f] for f in form.Meta.fields if f in form.cleaned_data}
            try:
                services.person_update(person=person, by=request.user, data=data,
                                       expected_version=form.cleaned_data["version"])
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc.messages)
            else:
                messages.success(request, "Saved.")
                return HttpResponseRedirect(person.get_absolute_url())
    else:
        form = form_class(instance=person, initial={"version": person.version})
    return TemplateResponse(request, "leads/person_edit.html",
                            {"form": form, "obj": person, "kind": kind})


@require_POST
def person_status(request, kind: str, pk: int):
    person = _person(kind, pk)
    form = StatusForm(request.POST, person=person)
    if not form.is_valid():
        messages.error(request, "LEAD-STATUS: choose one of the statuses offered.")
        return HttpResponseRedirect(person.get_absolute_url())
    try:
        services.person_change_status(
            person=person, to=form.cleaned_data["to"], by=request.user,
            reason=form.cleaned_data["reason"],
            disqualify_reason=form.cleaned_data["disqualify_reason"])
        messages.success(request, f"Status is now {form.cleaned_data['to']}.")
    except ValidationError as exc:
        _say(request, exc)
    return HttpResponseRedirect(person.get_absolute_url())


@require_POST
def person_misroute(request, kind: str, pk: int):
    person = _person(kind, pk)
    form = MisrouteForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("ROUTE-5: say what is wrong with the routing.")
        services.person_flag_misroute(person=person, by=request.user,
                                      body=form.cleaned_data["body"])
        messages.success(request, "Misroute flagged; Marketing Ops is notified.")
    except ValidationError as exc:
        _say(request, exc)
    return HttpResponseRedirect(person.get_absolute_url() + "#comments")


@require_POST
def person_reroute(request, kind: str, pk: int):
    person = _person(kind, pk)
    decision = services.person_reroute(person=person, by=request.user)
    messages.success(request, f"Routed again: {decision.rule} → "
                              f"{decision.owner.label if decision.owner else 'not routed'}.")
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
        services.person_assign(person=person, owner=form.cleaned_data["owner"], by=request.user,
                               reason=form.cleaned_data["reason"])
        messages.success(request, f"Assigned to {form.cleaned_data['owner'].label}.")
    except ValidationError as exc:
        _say(request, exc)
    return HttpResponseRedirect(person.get_absolute_url())
