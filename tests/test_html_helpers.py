"""core.html.local_date writes what the template's `date` filter writes (the rows of the
workspace views moved from templates to Python, SPEC Q-PERF)."""

import datetime
import random
from zoneinfo import ZoneInfo

import pytest
from django.utils import dateformat, timezone

from gtm_portal.core.html import local_date


@pytest.mark.parametrize(
    "zone", ["UTC", "Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Chatham"]
)
def test_local_date_matches_the_date_filter(zone):
    rnd = random.Random(zone)
    with timezone.override(ZoneInfo(zone)):
        for _ in range(400):
            moment = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(
                seconds=rnd.randrange(0, 8 * 365 * 86400)
            )
            for fmt in ("M j H:i", "M j", "Y-m-d", "D, j M Y"):  # the last: no fast path
                assert local_date(moment, fmt) == dateformat.format(timezone.localtime(moment), fmt)
            day = moment.date()
            assert local_date(day, "Y-m-d") == dateformat.format(day, "Y-m-d")
            assert local_date(day, "M j") == dateformat.format(day, "M j")
    assert local_date(None, "M j") == ""


def test_local_date_month_names_are_the_filters():
    with timezone.override(ZoneInfo("UTC")):
        for month in range(1, 13):
            moment = datetime.datetime(2026, month, 5, 12, 0, tzinfo=datetime.UTC)
            assert local_date(moment, "M j") == dateformat.format(moment, "M j")
        assert local_date(datetime.datetime(2026, 3, 5, tzinfo=datetime.UTC), "M j") == "Mar 5"
