"""Marketing Ops pages in the portal: the points table with a preview of its effect
(LEAD-SCORE-1, REF-4/5), re-score progress, the intake log (INTAKE)."""

import datetime

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from gtm_portal.core import access
from gtm_portal.core.enums import PersonStatus as S
from gtm_portal.core.lists import keyset_page
from gtm_portal.core.models import JobRun
from gtm_portal.refdata.enums import Setting
from gtm_portal.refdata.models import PortalSetting

from .. import rule_context
from ..enums import IntakeOutcome
from ..forms import ScoringRuleForm, ThresholdsForm
from ..models import IntakeSubmission, Lead, ScoringRule
from ..services import rescore
from ..tasks import RESCORE_JOB, start_rescore


def _require_mops(request):
    access.require(
        request.user,
        "reference.manage",
        message="ROLE-3: only Marketing Ops "
        "edits the scoring table, routing pools and reference data.",
    )


def scoring_table(request):
    _require_mops(request)
    thresholds = ThresholdsForm(
        initial={
            "mql_threshold": rule_context.setting(Setting.MQL_THRESHOLD),
            "inquiry_threshold": rule_context.setting(Setting.INQUIRY_THRESHOLD),
        }
    )
    return TemplateResponse(
        request,
        "leads/scoring.html",
        {
            "rules": ScoringRule.objects.order_by("kind", "-active", "-points", "name"),
            "thresholds": thresholds,
            "jobs": JobRun.objects.filter(name=RESCORE_JOB).order_by("-started_at")[:5],
        },
    )


def _candidate_rules(instance: ScoringRule | None, data: dict | None):
    """The active rules as they would be after saving the form (for the preview)."""
    rows = {r.pk: r for r in ScoringRule.objects.filter(active=True)}
    if instance is not None and data is not None:
        candidate = ScoringRule(pk=instance.pk or -1, code=instance.code or "new", **data)
        if candidate.active:
            rows[candidate.pk] = candidate
        else:
            rows.pop(candidate.pk, None)
    return [rule_context.to_rule(r) for r in rows.values()]


def scoring_rule_edit(request, pk: int | None = None):
    _require_mops(request)
    instance = get_object_or_404(ScoringRule, pk=pk) if pk else ScoringRule()
    form = ScoringRuleForm(request.POST or None, instance=instance)
    effect = None
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in form.Meta.fields}
        if request.POST.get("confirm") != "1":
            effect = rescore.preview(_candidate_rules(instance, data))
        else:
            with transaction.atomic():
                rule = form.save(commit=False)
                if not rule.code:
                    rule.code = slugify(rule.name)[:50] + f"-{ScoringRule.objects.count() + 1}"
                rule.full_clean()
                rule.save()
                job = start_rescore(by=request.user)
            messages.success(request, f"Saved “{rule.name}”. Re-scoring every open lead.")
            return HttpResponseRedirect(f"/leads/scoring/jobs/{job.pk}/")
    return TemplateResponse(
        request, "leads/scoring_rule.html", {"form": form, "rule": instance, "effect": effect}
    )


@require_POST
def thresholds_save(request):
    _require_mops(request)
    form = ThresholdsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "REF-5: give whole numbers (MQL threshold at least 1).")
        return HttpResponseRedirect("/leads/scoring/")
    new_mql = form.cleaned_data["mql_threshold"]
    if request.POST.get("confirm") != "1":
        crossing = Lead.objects.filter(
            status__in=(S.RAW, S.INQUIRY, S.RECYCLE), person_score__gte=new_mql
        ).exclude(title="Test")
        n = crossing.order_by()[:100_001].count()
        return TemplateResponse(
            request,
            "leads/thresholds_confirm.html",
            {"form": form, "becoming_mql": n, "capped": n > 100_000},
        )
    with transaction.atomic():
        for key in ("mql_threshold", "inquiry_threshold"):
            PortalSetting.objects.update_or_create(
                key=key, defaults={"value": form.cleaned_data[key]}
            )
        job = start_rescore(by=request.user)
    messages.success(request, "Thresholds saved. Re-scoring every open lead.")
    return HttpResponseRedirect(f"/leads/scoring/jobs/{job.pk}/")


@require_POST
def scoring_rule_toggle(request, pk: int):
    _require_mops(request)
    with transaction.atomic():
        rule = get_object_or_404(ScoringRule.objects.select_for_update(), pk=pk)
        rule.active = not rule.active
        rule.save(update_fields=["active", "updated_at"])
        job = start_rescore(by=request.user)
    messages.success(
        request,
        f"“{rule.name}” is now {'active' if rule.active else 'inactive'}. "
        "Re-scoring every open lead.",
    )
    return HttpResponseRedirect(f"/leads/scoring/jobs/{job.pk}/")


def job_progress(request, pk: int):
    _require_mops(request)
    job = get_object_or_404(JobRun, pk=pk)
    template = "leads/_job_progress.html" if request.htmx else "leads/job.html"
    return TemplateResponse(request, template, {"job": job})


RETENTION_DAYS = 90


def intake_log(request):
    """The intake log: every submission with its outcome, filterable, kept 90 days."""
    _require_mops(request)
    qs = IntakeSubmission.objects.select_related("lead", "contact").filter(
        received_at__gte=timezone.now() - datetime.timedelta(days=RETENTION_DAYS)
    )
    outcome = request.GET.get("outcome", "")
    if outcome in IntakeOutcome.values:
        qs = qs.filter(outcome=outcome)
    form = request.GET.get("form", "")
    if form:
        qs = qs.filter(form=form)
    email = request.GET.get("email", "").strip()
    if email:
        qs = qs.filter(email__iexact=email)
    return TemplateResponse(
        request,
        "leads/intake_log.html",
        {
            "page": keyset_page(qs, request),
            "outcomes": IntakeOutcome.choices,
            "outcome": outcome,
            "form": form,
            "email": email,
        },
    )
