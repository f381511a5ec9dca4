"""The named demo campaigns of CONTRACT 4 (CAMP-1). Idempotent: a campaign that exists
keeps an admin's later edits; missing statuses are added."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from leads.enums import CampaignType
from leads.models import Campaign

# name → (type, high priority, cost, start days ago, [(status, responded)])
CAMPAIGNS = {
    "20261110_DevOps_Webcast": (
        CampaignType.WEBCAST,
        False,
        5000,
        21,
        [("Registered", True), ("Attended", True), ("No Show", False)],
    ),
    "20261201_NYC_Field_Event": (
        CampaignType.FIELD_EVENT,
        True,
        20000,
        None,
        [("Registered", False), ("Attended", True), ("No Show", False)],
    ),
    "20261120_Newsletter": (
        CampaignType.EMAIL,
        False,
        0,
        None,
        [("Sent", False), ("Clicked", True)],
    ),
}


@transaction.atomic
def seed_campaigns(today: datetime.date | None = None) -> list[Campaign]:
    today = today or timezone.localdate()
    out = []
    for name, (kind, high, cost, days_ago, statuses) in CAMPAIGNS.items():
        start = today - datetime.timedelta(days=days_ago) if days_ago is not None else None
        campaign, _ = Campaign.objects.get_or_create(
            name=name,
            defaults={
                "type": kind,
                "high_priority": high,
                "cost": Decimal(cost),
                "start_date": start,
            },
        )
        for status, responded in statuses:
            campaign.statuses.get_or_create(name=status, defaults={"responded": responded})
        out.append(campaign)
    return out
