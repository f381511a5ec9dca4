"""Routing pools (REF-6, ROUTE-3) and the routing preview (ROUTE-1) for managers and
Marketing Ops."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.matching import match_account
from gtm_portal.core import access

from ..enums import ROUTING_WEIGHTS
from ..forms import PoolMemberForm, RoutingPreviewForm
from ..models import Lead, PoolMember, RoutingDecision, RoutingPool
from ..rule_context import free_domains
from ..services.intake import resolve_country
from ..services.routing import preview
from ..services.routing.handout import is_available

WINDOW_DAYS = 30


def pools(request):
    access.require(request.user, "pools.view")
    today = timezone.localdate()
    since = timezone.now() - datetime.timedelta(days=WINDOW_DAYS)
    received = {
        (r["pool_id"], r["owner_id"]): r["n"]
        for r in RoutingDecision.objects.filter(decided_at__gte=since, pool__isnull=False)
        .values("pool_id", "owner_id")
        .annotate(n=Count("id"))
    }
    members = list(PoolMember.objects.select_related("user", "pool").order_by("pool__name", "id"))
    table = []
    for pool in RoutingPool.objects.prefetch_related("regions").order_by("name"):
        rows = [m for m in members if m.pool_id == pool.pk]
        live = [m for m in rows if is_available(m, today)]
        weight_total = sum(ROUTING_WEIGHTS[m.level] for m in live) or 1
        got_total = sum(received.get((pool.pk, m.user_id), 0) for m in rows) or 0
        for m in rows:
            m.weight = ROUTING_WEIGHTS[m.level]
            m.available = m in live
            m.target = round(100 * m.weight / weight_total) if m.available else 0
            m.received = received.get((pool.pk, m.user_id), 0)
            m.actual = round(100 * m.received / got_total) if got_total else 0
        table.append((pool, rows, got_total))
    return TemplateResponse(
        request,
        "leads/pools.html",
        {
            "pools": table,
            "can_edit": access.can(request.user, "reference.manage"),
            "window": WINDOW_DAYS,
        },
    )


@require_POST
def pool_member_edit(request, pk: int):
    access.require(
        request.user, "reference.manage", message="ROLE-3: only Marketing Ops edits routing pools."
    )
    with transaction.atomic():
        member = get_object_or_404(PoolMember.objects.select_for_update(), pk=pk)
        before = {f: getattr(member, f) for f in PoolMemberForm.Meta.fields}
        form = PoolMemberForm(request.POST, instance=member)
        if not form.is_valid():
            errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
            messages.error(request, f"REF-6: {errors}")
            return HttpResponseRedirect("/leads/pools/")
        form.save()
    changes = [
        f"{f} {before[f]} → {getattr(member, f)}" for f in before if before[f] != getattr(member, f)
    ]
    messages.success(
        request,
        f"{member.user.username} in {member.pool}: " + (", ".join(changes) or "no change") + ".",
    )
    return HttpResponseRedirect("/leads/pools/")


def routing_preview(request):
    """Pick a lead or type sample facts: the full decision and explanation, nothing changed."""
    if not (access.can(request.user, "pools.view")):
        raise PermissionDenied("ROLE-3: the routing preview is for managers and Marketing Ops.")
    form = RoutingPreviewForm(request.GET or None)
    result, lead = None, None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        if data["lead"]:
            lead = (
                Lead.objects.select_related("country", "region", "region__parent")
                .filter(pk=data["lead"])
                .first()
            )
            if lead is None:
                form.add_error("lead", "No lead has this id.")
        else:
            lead = _sample_person(data, form)
        if lead is not None and not form.errors:
            result = preview(lead, data["form"] or None)
    return TemplateResponse(
        request, "leads/routing_preview.html", {"form": form, "result": result, "lead": lead}
    )


def _sample_person(data, form):

    country = resolve_country(data["country"])
    if data["country"] and country is None:
        form.add_error("country", "Unknown country.")
        return None
    person = Lead(
        email=data["email"] or "",
        company=data["company"],
        title=data["title"],
        status=data["status"] or "MQL",
        employees=data["employees"],
        description=data["description"],
        country=country,
        region=country.region if country else None,
    )
    person.derive()
    person.preview_account = match_account(
        email=person.email, company=person.company, free_domains=free_domains()
    )
    return person
