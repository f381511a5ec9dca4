"""ROUTE-4: the SLA deadline of a routed person, in the owner's business time."""

import datetime

from django.utils import timezone

from gtm_portal.core.business_time import add_business_days, add_business_minutes, calendar_for
from gtm_portal.core.enums import PersonStatus as S
from gtm_portal.core.first_touch import holiday_region_id
from gtm_portal.refdata.models import Holiday
from gtm_portal.users.models import User

from ...enums import FormKind

SLA_MQL_MINUTES = 60
CONTACT_US_OR_PS = (FormKind.CONTACT_US, FormKind.PROFESSIONAL_SERVICES)


class SlaCalendars:
    """ROUTE-4 calendars: each owner's hours and time zone with their region's holidays,
    read once per batch."""

    def __init__(self, now, known: tuple | None = None):
        self.now = now
        self._holidays: dict[int | None, set] = {}
        self._due: dict = {}
        self._known = None
        if known is not None and known[0] == timezone.localdate(now):
            self._known = known[1]

    def holidays_for(self, owners) -> None:
        regions = {
            holiday_region_id(o) for o in owners if o is not None and not o.is_queue and o.region_id
        } - set(self._holidays)
        if self._known is not None:
            for region_id in regions:
                self._holidays[region_id] = self._known.get(region_id, set())
            return
        if not regions:
            return
        for region_id in regions:
            self._holidays[region_id] = set()
        rows = Holiday.objects.filter(
            region_id__in=regions,
            date__gte=self.now.date(),
            date__lte=self.now.date() + datetime.timedelta(days=60),
        )
        for region_id, day in rows.values_list("region_id", "date"):
            self._holidays[region_id].add(day)

    def calendar(self, owner):
        self.holidays_for([owner])
        return calendar_for(owner, self._holidays.get(holiday_region_id(owner), set()))

    def due(self, owner, now, *, hot: bool, hand_raise: bool) -> datetime.datetime | None:
        """The deadline for one owner, worked out once per owner and kind of deadline: a
        batch shares one `now`."""
        key = (owner.pk, now, hot, hand_raise)
        if key not in self._due:
            deadlines = []
            if hot or hand_raise:
                cal = self.calendar(owner)
                if hot:
                    deadlines.append(add_business_minutes(now, SLA_MQL_MINUTES, cal))
                if hand_raise:
                    deadlines.append(add_business_days(now, 1, cal))
            self._due[key] = min(deadlines) if deadlines else None
        return self._due[key]


def sla_due(
    person, form_kind, owner: User | None, now, calendars: SlaCalendars | None = None
) -> datetime.datetime | None:
    """ROUTE-4: MQL and hot leads — 60 business minutes; contact-us and professional
    services — 1 business day; when both apply the earlier deadline holds."""
    if owner is None or owner.is_queue:
        return None
    return (calendars or SlaCalendars(now)).due(
        owner,
        now,
        hot=person.status == S.MQL or person.is_hot,
        hand_raise=form_kind in CONTACT_US_OR_PS,
    )
