"""load_reference_data (CONTRACT 3): create each seeded default once; never overwrite an
admin's later edits — an edited row stays edited, a deleted one stays deleted."""

import datetime
from decimal import Decimal

import holidays as holiday_calendars
from django.contrib.auth.models import Group
from django.db import transaction

from gtm_portal.refdata.models import (
    CompPlan,
    CompPlanPart,
    Country,
    Holiday,
    InitialSource,
    PortalSetting,
    Reason,
    Region,
    SeededKey,
    WordListEntry,
)
from gtm_portal.users import roles
from gtm_portal.users.models import User
from opportunities.models import StageChecklistItem

from .. import seed_data
from ..models import RoutingPool, ScoringRule


class _Seeder:
    def __init__(self):
        self.seen = {(k, key) for k, key in SeededKey.objects.values_list("kind", "key")}
        self.created: dict[str, int] = {}

    def once(self, kind: str, key: str, create) -> None:
        if (kind, key) in self.seen:
            return
        create()
        SeededKey.objects.create(kind=kind, key=key)
        self.seen.add((kind, key))
        self.created[kind] = self.created.get(kind, 0) + 1


@transaction.atomic
def load_reference_data(today: datetime.date | None = None) -> dict[str, int]:
    today = today or datetime.date.today()
    s = _Seeder()
    _seed_roles_and_queues(s)
    regions = _seed_geography(s)
    _seed_sources_rules_settings(s)
    _seed_pools(s, regions)
    _seed_lists(s)
    _seed_holidays(s, regions, today)
    _seed_comp_plans(s)
    _seed_stage_checklist(s)
    return s.created


def _seed_stage_checklist(s) -> None:
    """OPP-CHECKLIST: the default items of each stage."""
    for stage, items in seed_data.STAGE_CHECKLIST.items():
        for position, text in enumerate(items):

            def make(stage=stage, text=text, position=position):
                StageChecklistItem.objects.get_or_create(
                    stage=stage, text=text, defaults={"position": position}
                )

            s.once("stage_checklist", f"{stage}|{text}", make)


def _seed_comp_plans(s) -> None:
    """REPORT-COMP: the two plans and their parts."""
    for name, base, variable, parts in seed_data.COMP_PLANS:

        def make_plan(name=name, base=base, variable=variable, parts=parts):
            plan, _ = CompPlan.objects.get_or_create(
                name=name, defaults={"base_pct": base, "variable_pct": variable}
            )
            for kind, share, floor, ceiling, multiplier in parts:
                CompPlanPart.objects.get_or_create(
                    plan=plan,
                    kind=kind,
                    defaults={
                        "share_pct": share,
                        "floor_pct": floor,
                        "ceiling_pct": ceiling,
                        "multiplier": Decimal(multiplier),
                    },
                )

        s.once("comp_plan", name, make_plan)


def _seed_roles_and_queues(s) -> None:
    """ROLE-1 groups, ROLE-4 queues."""
    for name in seed_data.ROLES:
        s.once("group", name, lambda name=name: Group.objects.get_or_create(name=name))

    for name in seed_data.QUEUES:

        def make_queue(name=name):
            user, created = User.objects.get_or_create(
                username=roles.queue_username(name),
                defaults={"kind": User.Kind.QUEUE, "display_name": name},
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])

        s.once("queue", name, make_queue)


def _seed_geography(s) -> dict:
    """REF-1 regions and countries; the regions by code."""
    for code, name, parent in seed_data.REGIONS:

        def make_region(code=code, name=name, parent=parent):
            Region.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "parent": Region.objects.get(code=parent) if parent else None,
                },
            )

        s.once("region", code, make_region)
    regions = {r.code: r for r in Region.objects.all()}

    for name, iso2, region, subregion, eu in seed_data.COUNTRIES:

        def make_country(name=name, iso2=iso2, region=region, subregion=subregion, eu=eu):
            if region not in regions:
                return
            Country.objects.get_or_create(
                iso2=iso2,
                defaults={
                    "name": name,
                    "region": regions[region],
                    "subregion": regions.get(subregion) if subregion else None,
                    "is_eu_eea": eu,
                },
            )

        s.once("country", iso2, make_country)
    return regions


def _seed_sources_rules_settings(s) -> None:
    """REF-3 initial sources, REF-4 scoring rules, REF-5/REF-7 settings."""
    for name, bucket, active in seed_data.INITIAL_SOURCES:
        s.once(
            "initial_source",
            name,
            lambda name=name, bucket=bucket, active=active: InitialSource.objects.get_or_create(
                name=name, defaults={"bucket": bucket, "active": active}
            ),
        )

    for code, name, kind, trigger, words, points in seed_data.SCORING_RULES:

        def make_rule(code=code, name=name, kind=kind, trigger=trigger, words=words, points=points):
            defaults = {"name": name, "kind": kind, "points": points, "words": words}
            if kind == "behaviour":
                defaults["triggers"] = trigger
            else:
                defaults["test"] = trigger
            ScoringRule.objects.get_or_create(code=code, defaults=defaults)

        s.once("scoring_rule", code, make_rule)

    for key, value in seed_data.SETTINGS.items():
        s.once(
            "setting",
            key,
            lambda key=key, value=value: PortalSetting.objects.get_or_create(
                key=key, defaults={"value": value}
            ),
        )


def _seed_pools(s, regions: dict) -> None:
    """REF-6 routing pools."""
    for name, region_codes, segments in seed_data.POOLS:

        def make_pool(name=name, region_codes=region_codes, segments=segments):
            pool, created = RoutingPool.objects.get_or_create(
                name=name, defaults={"segments": segments}
            )
            if created:
                pool.regions.set([regions[c] for c in region_codes if c in regions])

        s.once("pool", name, make_pool)


def _seed_lists(s) -> None:
    """REF-7 word lists (PubSec words, free domains) and reasons."""
    word_lists = (("pubsec", seed_data.PUBSEC_WORDS), ("free_domain", seed_data.FREE_DOMAINS))
    for list_name, values in word_lists:
        for value in values:
            s.once(
                f"word:{list_name}",
                value,
                lambda list_name=list_name, value=value: WordListEntry.objects.get_or_create(
                    list=list_name, value=value
                ),
            )

    for kind, names in seed_data.REASONS.items():
        for name in names:
            s.once(
                f"reason:{kind}",
                name,
                lambda kind=kind, name=name: Reason.objects.get_or_create(kind=kind, name=name),
            )


def _seed_holidays(s, regions: dict, today: datetime.date) -> None:
    """REF-7 holidays of each region, this year and next."""
    for code, country in seed_data.HOLIDAY_CALENDARS.items():
        region = regions.get(code)
        if region is None:
            continue
        for year in (today.year, today.year + 1):

            def make_holidays(region=region, country=country, year=year):
                calendar = holiday_calendars.country_holidays(country, years=year)
                Holiday.objects.bulk_create(
                    [
                        Holiday(region=region, date=day, name=label[:100])
                        for day, label in sorted(calendar.items())
                    ],
                    ignore_conflicts=True,
                )

            s.once("holidays", f"{code}:{year}", make_holidays)
