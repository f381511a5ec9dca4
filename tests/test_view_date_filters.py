"""VIEW-4: every date column a list view shows has a from/to filter (leads: created, SLA due,
last interesting moment; contacts: last interesting moment; accounts B3: Actively Working
since; opportunities: close date); a bad date is a message next to the filter, not a 500."""

import datetime

import pytest
from django.utils import timezone

from .factories import AccountFactory, ContactFactory, LeadFactory, UserFactory

NOW = timezone.now()


def _days(n: int) -> datetime.datetime:
    return NOW - datetime.timedelta(days=n)


def _day(n: int) -> str:
    return timezone.localdate(_days(n)).isoformat()


@pytest.fixture
def bdr(refdata):
    return UserFactory(username="bdr.view4", roles=["BDR"])


def _names(response) -> set[str]:
    return {r.name for r in response.context["page"].rows}


def test_view_4_lead_views_filter_sla_due_and_last_interesting_moment(client, bdr):
    LeadFactory(
        first_name="Old",
        last_name="Moment",
        owner=bdr,
        status="MQL",
        last_interesting_moment_at=_days(20),
        sla_due=_days(19),
    )
    LeadFactory(
        first_name="New",
        last_name="Moment",
        owner=bdr,
        status="MQL",
        last_interesting_moment_at=_days(2),
        sla_due=_days(1),
    )
    client.force_login(bdr)
    url = "/leads/views/B1/"
    assert _names(client.get(url)) == {"Old Moment", "New Moment"}
    assert _names(client.get(url, {"moment_from": _day(5)})) == {"New Moment"}
    assert _names(client.get(url, {"moment_to": _day(10)})) == {"Old Moment"}
    assert _names(client.get(url, {"sla_from": _day(3), "sla_to": _day(0)})) == {"New Moment"}
    bad = client.get(url, {"sla_from": "not a date"})
    assert bad.status_code == 200 and _names(bad) == set()
    assert "Enter a valid date" in bad.content.decode()


def test_view_4_contact_views_filter_last_interesting_moment(client, bdr):
    account = AccountFactory(bdr_assigned=bdr, bdr_prospecting_status="Actively Working")
    ContactFactory(
        first_name="Early",
        last_name="Bird",
        account=account,
        owner=bdr,
        last_interesting_moment_at=_days(30),
    )
    ContactFactory(
        first_name="Late",
        last_name="Comer",
        account=account,
        owner=bdr,
        last_interesting_moment_at=_days(1),
    )
    client.force_login(bdr)
    url = "/contacts/views/B2/"
    page = client.get(url)
    assert _names(page) == {"Early Bird", "Late Comer"}
    assert 'name="moment_from"' in page.content.decode()
    assert _names(client.get(url, {"moment_from": _day(7)})) == {"Late Comer"}
    assert _names(client.get(url, {"moment_to": _day(7), "status": ["Accepted"]})) == {"Early Bird"}
    bad = client.get(url, {"moment_to": "2026-13-45"})
    assert bad.status_code == 200 and _names(bad) == set()


def test_view_4_account_b3_filters_actively_working_since(client, bdr):
    for name, days in (("Since Long", 40), ("Since Short", 3)):
        AccountFactory(
            name=name,
            bdr_assigned=bdr,
            bdr_prospecting_status="Actively Working",
            actively_working_since=_days(days),
        )
    client.force_login(bdr)
    url = "/accounts/views/B3/"
    assert _names(client.get(url)) == {"Since Long", "Since Short"}
    assert _names(client.get(url, {"since_from": _day(10)})) == {"Since Short"}
    assert _names(client.get(url, {"since_to": _day(10)})) == {"Since Long"}
    assert client.get(url, {"since_to": "yesterday"}).status_code == 200
