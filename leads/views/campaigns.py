"""CAMP-1 pages (CONTRACT 6.5): the campaigns, one campaign's members with its statuses,
spend, members who reached MQL, influenced pipeline and pipe-to-spend; adding or changing a
member (from the campaign page and the record page) through `campaign_member_set`."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.models import Contact
from gtm_portal.core.lists import keyset_page

from ..models import Campaign, CampaignMemberStatus, Lead
from ..selectors import campaign_list, campaign_members, campaign_stats, member_pipeline
from ..services.campaigns import campaign_member_set

PERSON_MODELS = {"lead": Lead, "contact": Contact}


def campaigns(request):
    return TemplateResponse(request, "campaigns/list.html", {"campaigns": campaign_list()})


def campaign_detail(request, pk: int):
    campaign = get_object_or_404(Campaign, pk=pk)
    page = keyset_page(campaign_members(campaign), request)
    pipeline = member_pipeline(page.rows)
    rows = [
        (m, pipeline.get(("lead", m.lead_id) if m.lead_id else ("contact", m.contact_id)))
        for m in page.rows
    ]
    return TemplateResponse(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "statuses": campaign.statuses.order_by("id"),
            "stats": campaign_stats(campaign),
            "page": page,
            "rows": rows,
        },
    )


def _back(request, campaign: Campaign | None):
    target = request.POST.get("next") or request.headers.get("referer", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(campaign.get_absolute_url() if campaign else "/campaigns/")


@require_POST
def campaign_member(request, pk: int | None = None):
    """POST /campaigns/<id>/members/ (`kind`, `id`, `status`): add or change one member
    (CAMP-1); 302 back. The record page posts to /campaigns/members/ with `campaign`."""
    campaign_id = pk or request.POST.get("campaign", "")
    status_value = request.POST.get("status", "")
    if not pk and ":" in request.POST.get("campaign_status", ""):  # the record page's pick
        campaign_id, status_value = request.POST["campaign_status"].split(":", 1)
    campaign = (
        Campaign.objects.filter(pk=campaign_id).first() if str(campaign_id).isdigit() else None
    )
    if campaign is None:
        messages.error(request, "CAMP-1: choose a campaign.")
        return _back(request, None)
    model = PERSON_MODELS.get(request.POST.get("kind", ""))
    person_id = request.POST.get("id", "")
    person = model.objects.filter(pk=person_id).first() if model and person_id.isdigit() else None
    status = _status(campaign, status_value)
    if person is None or status is None:
        messages.error(
            request,
            "CAMP-1: name the person (kind lead or contact, and its id) and one of "
            f"{campaign.name}'s member statuses.",
        )
        return _back(request, campaign)
    try:
        _, created = campaign_member_set(
            campaign=campaign, person=person, status=status, by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        verb = "added to" if created else "updated in"
        messages.success(request, f"{person} {verb} {campaign.name} as {status.name}.")
    return _back(request, campaign)


def _status(campaign: Campaign, value: str) -> CampaignMemberStatus | None:
    """A member status by name (any case) or id."""
    value = value.strip()
    statuses = campaign.statuses.all()
    if value.isdigit():
        return statuses.filter(pk=int(value)).first()
    return statuses.filter(name__iexact=value).first() if value else None
