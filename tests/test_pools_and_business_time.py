"""ROUTE-3 weighted round robin (property-tested) and ROUTE-4 business time."""

import datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from gtm_portal.core.business_time import (
    Calendar,
    add_business_days,
    add_business_minutes,
    business_minutes_between,
)
from leads.round_robin import Slot, pick

UTC = datetime.UTC


def run(weights, n, start_counts=None):
    counts = list(start_counts or [0] * len(weights))
    order = []
    for _ in range(n):
        slots = [Slot(key=i, weight=w, assigned=counts[i]) for i, w in enumerate(weights)]
        chosen = pick(slots)
        if chosen is None:
            break
        counts[chosen] += 1
        order.append(chosen)
    return order


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([0, 50, 100]), min_size=1, max_size=8),
    st.integers(min_value=1, max_value=300),
)
def test_route_3_every_prefix_stays_within_one_of_the_exact_share(weights, n):
    order = run(weights, n)
    total = sum(weights)
    if total == 0:
        assert order == []
        return
    for k in range(1, len(order) + 1):
        prefix = order[:k]
        for i, w in enumerate(weights):
            exact = k * w / total
            assert abs(prefix.count(i) - exact) < 1 + 1e-9, (weights, k, i)


def test_route_3_onboarding_never_gets_and_expert_gets_twice_ramping():
    order = run([100, 50, 0], 300)
    assert order.count(2) == 0
    assert order.count(0) == 200 and order.count(1) == 100


def test_route_3_no_member_twice_in_a_row_when_equal():
    order = run([100, 100, 100], 30)
    assert all(a != b for a, b in zip(order, order[1:], strict=False))


BERLIN = Calendar(tz="Europe/Berlin")


def test_route_4_sixty_business_minutes_inside_the_day():
    start = datetime.datetime(2026, 11, 18, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))  # Wed
    assert add_business_minutes(start, 60, BERLIN) == datetime.datetime(
        2026, 11, 18, 10, 0, tzinfo=UTC
    )


def test_route_4_friday_evening_rolls_to_monday_morning():
    start = datetime.datetime(2026, 11, 20, 16, 30, tzinfo=ZoneInfo("Europe/Berlin"))  # Fri
    due = add_business_minutes(start, 60, BERLIN)
    assert due.astimezone(ZoneInfo("Europe/Berlin")) == datetime.datetime(
        2026, 11, 23, 9, 30, tzinfo=ZoneInfo("Europe/Berlin")
    )


def test_route_4_weekend_and_night_submissions_start_at_opening():
    sat = datetime.datetime(2026, 11, 21, 23, 0, tzinfo=UTC)
    due = add_business_minutes(sat, 60, BERLIN)
    assert due.astimezone(ZoneInfo("Europe/Berlin")).replace(tzinfo=None) == datetime.datetime(
        2026, 11, 23, 10, 0
    )


def test_route_4_holidays_of_the_region_are_skipped():
    cal = Calendar(tz="America/New_York", holidays=frozenset({datetime.date(2026, 11, 26)}))
    wed = datetime.datetime(2026, 11, 25, 16, 30, tzinfo=ZoneInfo("America/New_York"))
    due = add_business_minutes(wed, 60, cal).astimezone(ZoneInfo("America/New_York"))
    assert due.replace(tzinfo=None) == datetime.datetime(2026, 11, 27, 9, 30)


def test_route_4_time_zones_each_owner_their_own_hours():
    instant = datetime.datetime(2026, 11, 18, 15, 0, tzinfo=UTC)
    ny = add_business_minutes(instant, 60, Calendar(tz="America/New_York"))
    sydney = add_business_minutes(instant, 60, Calendar(tz="Australia/Sydney"))
    assert ny == datetime.datetime(2026, 11, 18, 16, 0, tzinfo=UTC)  # 10:00 → 11:00 NY
    assert sydney.astimezone(ZoneInfo("Australia/Sydney")).replace(
        tzinfo=None
    ) == datetime.datetime(2026, 11, 19, 10, 0)  # 02:00 Thu → 10:00


def test_route_4_dst_change_keeps_wall_clock_hours():
    # Europe switched to winter time on Sunday 2026-10-25; Friday 16:30 CEST + 60 minutes is
    # Monday 09:30 CET, which is 08:30 UTC (an hour later in UTC than the summer offset).
    fri = datetime.datetime(2026, 10, 23, 16, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    due = add_business_minutes(fri, 60, BERLIN)
    assert due == datetime.datetime(2026, 10, 26, 8, 30, tzinfo=UTC)
    # and spring forward in the US: Friday 16:30 EST + 60 → Monday 09:30 EDT = 13:30 UTC
    us = Calendar(tz="America/New_York")
    fri = datetime.datetime(2026, 3, 6, 16, 30, tzinfo=ZoneInfo("America/New_York"))
    assert add_business_minutes(fri, 60, us) == datetime.datetime(2026, 3, 9, 13, 30, tzinfo=UTC)


def test_route_4_one_business_day_is_a_full_working_day():
    start = datetime.datetime(2026, 11, 18, 11, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    due = add_business_days(start, 1, BERLIN).astimezone(ZoneInfo("Europe/Berlin"))
    assert due.replace(tzinfo=None) == datetime.datetime(2026, 11, 19, 11, 0)


@settings(max_examples=100, deadline=None)
@given(
    st.datetimes(
        min_value=datetime.datetime(2026, 1, 1),
        max_value=datetime.datetime(2027, 1, 1),
        timezones=st.just(UTC),
    ),
    st.integers(min_value=0, max_value=5000),
)
def test_route_4_business_minutes_between_inverts_add(start, minutes):
    due = add_business_minutes(start, minutes, BERLIN)
    assert abs(business_minutes_between(start, due, BERLIN) - minutes) < 1e-6
