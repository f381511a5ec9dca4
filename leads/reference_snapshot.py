"""Reference data the intake and routing paths read on every submission (points table,
thresholds, word lists, queues, countries, initial sources, pools, holidays), kept in the
process (`core.snapshots`) and dropped at once when somebody changes it: the save/delete
signals of those tables replace its generation token (SPEC Q-PERF intake ≥ 200/s)."""

import datetime

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from gtm_portal.core import snapshots
from gtm_portal.refdata.models import (
    Country,
    Holiday,
    InitialSource,
    PortalSetting,
    Region,
    WordListEntry,
)
from gtm_portal.users.models import User

from .models import RoutingPool, ScoringRule
from .rule_context import Context, blocked_domains
from .services.routing import RoutingContext


class ReferenceData:
    def __init__(self):

        self.scoring = Context()
        self.routing = RoutingContext()
        self.blocked = blocked_domains()
        countries = list(Country.objects.select_related("region", "region__parent"))
        self.country_by_iso = {c.iso2.lower(): c for c in countries}
        self.country_by_name = {c.name.lower(): c for c in countries}
        self.sources = {s.name: s for s in InitialSource.objects.all()}
        self.day = timezone.localdate()
        holidays: dict[int, set] = {}
        for region_id, day in Holiday.objects.filter(
            date__gte=self.day - datetime.timedelta(days=1),
            date__lte=self.day + datetime.timedelta(days=62),
        ).values_list("region_id", "date"):
            holidays.setdefault(region_id, set()).add(day)
        # Routing reads its pools and holidays from here too.
        self.routing.pools = {p.name: p for p in RoutingPool.objects.filter(active=True)}
        self.routing.holidays = (self.day, holidays)

    def country(self, value: str):
        value = (value or "").strip().lower()
        if not value:
            return None
        if len(value) == 2 and value in self.country_by_iso:
            return self.country_by_iso[value]
        return self.country_by_name.get(value)


# Today's reference data (its holidays are read around today: a new day rebuilds it).
_snapshot = snapshots.Snapshot(
    "refs:generation",
    lambda: ReferenceData(),
    still_good=lambda data: data.day == timezone.localdate(),
)
bump = _snapshot.bump


def snapshot() -> "ReferenceData":
    return _snapshot.get()


def connect_signals() -> None:

    for model in (
        ScoringRule,
        PortalSetting,
        WordListEntry,
        Country,
        Region,
        InitialSource,
        Holiday,
        RoutingPool,
    ):
        post_save.connect(bump, sender=model, dispatch_uid=f"refcache-{model.__name__}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"refcache-del-{model.__name__}")

    def user_changed(sender, instance, **kwargs):
        if instance.is_queue:
            bump()

    post_save.connect(user_changed, sender=User, dispatch_uid="refcache-user", weak=False)
