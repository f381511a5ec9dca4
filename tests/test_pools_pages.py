"""REF-6 pools page (members, levels, out of office, received vs target share) and the
ROUTE-1 routing preview, which changes nothing."""

import datetime

import pytest
from django.utils import timezone

from leads.models import Lead, PoolMember, RoutingDecision

from .factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_pools_page_shows_levels_and_target_shares(client, users):
    client.force_login(users["sdr.mgr"])
    page = client.get("/leads/pools/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "US/APAC SDR" in body and "Chat (Drift) Expert SDR" in body
    table = {p.name: rows for p, rows, _ in page.context["pools"]}
    shares = {m.user.username: m.target for m in table["US/APAC SDR"]}
    assert shares == {"sdr.amer1": 40, "sdr.amer2": 20, "sdr.apac1": 40}
    assert {m.user.username: m.target for m in table["EMEA SDR"]} == {
        "sdr.emea1": 100,
        "sdr.emea2": 0,
    }
    assert "Edit" not in body  # managers read; Marketing Ops edits


def test_pools_page_is_for_managers_and_marketing_ops(client, users):
    client.force_login(users["sdr.emea1"])
    assert client.get("/leads/pools/").status_code == 403


def test_marketing_ops_sets_out_of_office_and_routing_skips_the_member(client, users):
    member = PoolMember.objects.get(pool__name="EMEA SDR", user__username="sdr.emea1")
    today = timezone.localdate()
    client.force_login(users["sdr.mgr"])
    assert (
        client.post(
            f"/leads/pools/members/{member.pk}/",
            {"level": "Expert", "active": "on", "out_of_office_from": today},
        ).status_code
        == 403
    )
    client.force_login(users["mops"])
    client.post(
        f"/leads/pools/members/{member.pk}/",
        {
            "level": "Expert",
            "active": "on",
            "out_of_office_from": today,
            "out_of_office_until": today + datetime.timedelta(days=3),
        },
    )
    member.refresh_from_db()
    assert member.out_of_office_from == today
    from leads.services.routing import take_pool_slot

    owner, _, why = take_pool_slot("EMEA SDR", today)
    assert owner is None and "no available member" in why  # emea2 is Onboarding (weight 0)


def test_pool_member_bad_dates_are_refused_and_change_nothing(client, users):
    member = PoolMember.objects.get(pool__name="EMEA SDR", user__username="sdr.emea1")
    client.force_login(users["mops"])
    r = client.post(
        f"/leads/pools/members/{member.pk}/",
        {
            "level": "Ramping",
            "active": "on",
            "out_of_office_from": "2026-12-10",
            "out_of_office_until": "2026-12-01",
        },
        follow=True,
    )
    assert "REF-6" in r.content.decode()
    member.refresh_from_db()
    assert member.level == "Expert" and member.out_of_office_from is None


def test_routing_preview_of_a_lead_changes_nothing(client, users):
    from gtm_portal.refdata.models import Country

    de = Country.objects.get(iso2="DE")
    lead = LeadFactory(status="MQL", country=de, region=de.region, title="Manager")
    before = (
        list(PoolMember.objects.values_list("assigned", flat=True)),
        RoutingDecision.objects.count(),
        lead.owner_id,
    )
    client.force_login(users["mops"])
    r = client.get("/leads/routing/preview/", {"lead": lead.pk})
    assert r.status_code == 200
    result = r.context["result"]
    assert result["decision"].rule == "ROUTE-2.12" and result["owner"].username == "sdr.emea1"
    assert "Step 12" in r.content.decode()
    lead.refresh_from_db()
    assert before == (
        list(PoolMember.objects.values_list("assigned", flat=True)),
        RoutingDecision.objects.count(),
        lead.owner_id,
    )


def test_routing_preview_from_typed_facts(client, users):
    client.force_login(users["sdr.mgr"])
    r = client.get(
        "/leads/routing/preview/",
        {"form": "trial_saas", "email": "x@hooli.example", "country": "US", "status": "MQL"},
    )
    result = r.context["result"]
    assert result["account"].name == "Hooli"
    assert result["decision"].rule == "ROUTE-2.12"
    assert [str(w) for w, _ in result["decision"].notify] == ["bdr.amer1", "bdr.mgr"]
    assert not Lead.objects.exists()
    r = client.get("/leads/routing/preview/", {"country": "Atlantis"})
    assert "Unknown country" in r.content.decode()


def test_received_counts_come_from_the_routing_log(client, users):
    from gtm_portal.refdata.models import Country
    from leads.services.routing import route_person

    de = Country.objects.get(iso2="DE")
    for _ in range(3):
        route_person(
            person=LeadFactory(status="MQL", country=de, region=de.region),
            trigger="test",
            form_kind="trial_saas",
        )
    client.force_login(users["mops"])
    table = {p.name: rows for p, rows, _ in client.get("/leads/pools/").context["pools"]}
    emea = {m.user.username: (m.received, m.actual) for m in table["EMEA SDR"]}
    assert emea["sdr.emea1"] == (3, 100)


def test_route_4_first_touch_is_the_owners_first_outbound_activity(users):
    from gtm_portal.activity.services import activity_record

    lead = LeadFactory(owner=users["sdr.emea1"], status="MQL")
    activity_record(kind="call", lead=lead, logged_by=users["sdr.emea2"], subject="not owner")
    activity_record(kind="email", lead=lead, direction="inbound", logged_by=users["sdr.emea1"])
    lead.refresh_from_db()
    assert lead.first_touch_at is None
    first = activity_record(kind="call", lead=lead, logged_by=users["sdr.emea1"])
    activity_record(kind="email", lead=lead, logged_by=users["sdr.emea1"])
    lead.refresh_from_db()
    assert lead.first_touch_at == first.occurred_at
