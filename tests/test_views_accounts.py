"""VIEW-2 contact views and VIEW-3 account views: membership per SPEC's words, cover, CSV,
constant queries."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Account, Contact
from gtm_portal.activity.models import Enrollment, Sequence

from .factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def names(client, url, **params):
    r = client.get(url, params)
    assert r.status_code == 200
    return {getattr(x, "last_name", None) or x.name for x in r.context["page"].rows}


def test_contact_b1_mql_and_hot_that_i_own(client, users):
    me = users["bdr.amer1"]
    ContactFactory(last_name="mql", owner=me, status="MQL")
    ContactFactory(last_name="hot", owner=me, status="Accepted", is_hot=True)
    ContactFactory(last_name="plain", owner=me, status="Accepted")
    ContactFactory(last_name="other", owner=users["bdr.emea1"], status="MQL")
    client.force_login(me)
    assert names(client, "/contacts/views/B1/") == {"mql", "hot"}


def test_contact_b2_people_at_my_actively_working_accounts(client, users):
    client.force_login(users["bdr.amer1"])
    got = names(client, "/contacts/views/B2/")
    expected = set(
        Contact.objects.filter(account__name__in=["Globex Corporation", "Hooli"]).values_list(
            "last_name", flat=True
        )
    )
    assert got == expected and "Lumbergh" not in got  # Initech is Restricted


def test_contact_b3_high_touch_with_phone_and_b4_qualifying(client, users):
    me = users["bdr.amer1"]
    seq = Sequence.objects.create(name="ht", touch="high")
    a = ContactFactory(last_name="a", owner=me, phone="+1")
    ContactFactory(last_name="q", owner=me, status="Qualifying")
    Enrollment.objects.create(contact=a, sequence=seq, started_at=timezone.now())
    client.force_login(me)
    assert "a" in names(client, "/contacts/views/B3/")
    assert names(client, "/contacts/views/B4/") == {"q"}


def test_account_b1_territory_region_and_segments(client, users):
    me = users["bdr.amer1"]  # AMER
    client.force_login(me)
    got = names(client, "/accounts/views/B1/")
    assert {"Globex Corporation", "Hooli", "Umbrella Labs", "Springfield County"} <= got
    assert "Initech" not in got and "Vandelay Industries" not in got
    me.segments = ["SMB"]
    me.save()
    assert names(client, "/accounts/views/B1/") == {"Umbrella Labs"}


def test_account_b2_and_b3_with_days_left(client, users):
    me = users["bdr.amer1"]
    fresh = AccountFactory(
        name="Fresh AW",
        bdr_assigned=me,
        bdr_prospecting_status="Actively Working",
        actively_working_since=timezone.now() - datetime.timedelta(days=3),
    )
    client.force_login(me)
    assert names(client, "/accounts/views/B2/") == {"Globex Corporation", "Hooli", "Fresh AW"}
    r = client.get("/accounts/views/B3/")
    rows = {a.name: a.requirements for a in r.context["page"].rows}
    assert set(rows) == {"Globex Corporation", "Hooli", "Fresh AW"}
    assert rows["Fresh AW"]["research_days_left"] == 6 and rows["Fresh AW"]["enrolled"] == 0
    assert rows["Fresh AW"]["enrolled_days_left"] == 11
    assert rows["Globex Corporation"]["research_done"]
    assert rows["Globex Corporation"]["enrolled"] == 5  # CONTRACT 4: requirements met
    assert rows["Globex Corporation"]["enrolled_days_left"] is None
    assert "days left" in r.content.decode()
    assert fresh.pk


def test_views_cover_and_csv(client, users):
    client.force_login(users["bdr.mgr"])
    assert client.get("/accounts/views/B2/", {"as": "bdr.amer1"}).status_code == 200
    assert client.get("/accounts/views/B2/", {"as": "sdr.emea1"}).status_code == 403
    r = client.get("/contacts/views/B2/", {"as": "bdr.amer1", "format": "csv"})
    assert "csv" in r["Content-Type"]
    assert b"globex.example" in b"".join(r.streaming_content)
    assert client.get("/accounts/views/B9/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/contacts/views/B1/",
        "/contacts/views/B2/",
        "/contacts/views/B3/",
        "/contacts/views/B4/",
        "/accounts/views/B1/",
        "/accounts/views/B2/",
        "/accounts/views/B3/",
    ],
)
def test_constant_queries(client, users, url, django_assert_max_num_queries):
    me = users["bdr.amer1"]
    globex = Account.objects.get(name="Globex Corporation")
    for i in range(25):
        ContactFactory(owner=me, account=globex, status=("MQL", "Qualifying")[i % 2], phone="1")
        AccountFactory(
            bdr_assigned=me,
            region=globex.region,
            bdr_prospecting_status="Actively Working",
            actively_working_since=timezone.now(),
        )
    client.force_login(me)
    client.get(url)
    counts = []
    for size in (10, 200):
        with django_assert_max_num_queries(8) as q:
            assert client.get(url, {"size": size}).status_code == 200
        counts.append(len(q.captured_queries))
    assert counts[0] == counts[1]
