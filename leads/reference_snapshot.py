"""Reference data the intake and routing paths read on every submission (points table,
thresholds, word lists, queues, countries, initial sources, pools, holidays), kept in the
process for up to 30 seconds and dropped at once when somebody changes it: a generation token
in the shared cache is replaced by the save/delete signals of those tables (SPEC Q-PERF intake
≥ 200/s). With a shared cache (`CACHE_URL`, Redis) an edit shows on the next submission in
every process; with the per-process default cache other processes see it within 30 s."""
import datetime
import threading
import time

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from gtm_portal.core import generation as tokens

TTL_SECONDS = 30
KEY = "refs:generation"
_lock = threading.Lock()
_local: dict = {"gen": None, "at": 0.0, "data": None}


def generation() -> str:
    return tokens.current(KEY)


def bump(*_args, **_kwargs) -> None:
    """Drop every process's snapshot now and again once the change is committed: a process
    that rebuilt its snapshot in between (still reading the old rows) rebuilds once more."""
    tokens.bump(KEY)


class Snapshot:
    def __init__(self):
        from gtm_portal.refdata.models import Country, Holiday, InitialSource

        from .models import RoutingPool
        from .rule_context import Context, blocked_domains
        from .services.routing import RoutingContext

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
                date__lte=self.day + datetime.timedelta(days=62)).values_list("region_id", "date"):
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


def snapshot() -> Snapshot:
    gen = generation()
    now = time.monotonic()
    data = _local["data"]
    if (data is None or _local["gen"] != gen or now - _local["at"] > TTL_SECONDS
            or data.day != timezone.localdate()):
        with _lock:
            data = Snapshot()
            _local.update(gen=gen, at=now, data=data)
    return data


def connect_signals() -> None:
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

    for model in (ScoringRule, PortalSetting, WordListEntry, Country, Region, InitialSource,
                  Holiday, RoutingPool):
        post_save.connect(bump, sender=model, dispatch_uid=f"refcache-{model.__name__}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"refcache-del-{model.__name__}")

    def user_changed(sender, instance, **kwargs):
        if instance.is_queue:
            bump()

    post_save.connect(user_changed, sender=User, dispatch_uid="refcache-user", weak=False)
