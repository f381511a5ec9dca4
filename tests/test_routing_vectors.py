"""ROUTE-2 through the pure decision function, every case of tests/data/routing.json."""

import json
from pathlib import Path

import pytest

from leads.routing import AccountFacts, PersonFacts, Related, Rules, Who, decide
from leads.seed_data import COUNTRIES, FREE_DOMAINS, PUBSEC_WORDS

VECTORS = json.loads((Path(__file__).parent / "data/routing.json").read_text())
REGION_OF = {name: region for name, _iso, region, _sub, _eu in COUNTRIES}
MANAGERS = {"bdr.amer1": "bdr.mgr", "bdr.emea1": "bdr.mgr"}
QUEUES = {"Sales Admin", "Inquiry Queue", "Community Advocate Queue", "Marketing Integration"}
TIERS = {"Premium": "premium", "Ultimate": "ultimate", "CI minutes or storage only": "ci_storage"}


def who(name):
    if name is None:
        return None
    return Who(queue=name) if name in QUEUES else Who(username=name)


def facts(case):
    p = {**VECTORS["defaults"]["person"], **case["person"]}
    person = PersonFacts(
        kind=p["kind"],
        status=p["status"],
        title=p["title"] or "",
        form=p.get("form"),
        country=p.get("country", ""),
        region=REGION_OF.get(p.get("country", ""), ""),
        company=p.get("company", ""),
        description=p.get("description", ""),
        employees=p.get("employees"),
        email_domain=p.get("email_domain", "firm.example"),
        partner_prospecting_status=p.get("partner_prospecting_status") or "",
    )
    related = [
        Related(
            owner=who(r["owner"]),
            status=r["status"],
            sales_activity_days_ago=r.get("sales_activity_days_ago"),
            open_future_task=r.get("open_future_task", False),
            mql_days_ago=r.get("mql_days_ago"),
        )
        for r in case.get("related", [])
    ]
    a = case.get("account")
    account = None
    if a:
        people_days = [
            r.sales_activity_days_ago for r in related if r.sales_activity_days_ago is not None
        ]
        account = AccountFacts(
            name=a["name"],
            segment=a.get("segment", "Unknown"),
            customer=a.get("customer", False),
            paid_tier=TIERS.get(a.get("paid_tier"), "none"),
            owner=who(a.get("owner")),
            bdr_assigned=who(a.get("bdr_assigned")),
            bdr_manager=who(MANAGERS.get(a.get("bdr_assigned"))),
            bps=a.get("bps", ""),
            public_sector=a.get("public_sector", False),
            bdr_sales_activity_days_ago=a.get("bdr_sales_activity_days_ago"),
            people_sales_activity_days_ago=min(people_days) if people_days else None,
        )
    if any(r.get("no_account") for r in case.get("related", [])):
        account = None
    return person, account, related


@pytest.mark.parametrize("case", VECTORS["cases"], ids=[c["id"] for c in VECTORS["cases"]])
def test_route_2_vector(case):
    person, account, related = facts(case)
    decision = decide(
        person,
        account,
        related,
        Rules(pubsec_words=tuple(PUBSEC_WORDS), free_domains=frozenset(FREE_DOMAINS)),
    )
    expect = case["expect"]
    assert decision.rule == expect["rule"], decision.explanation
    if "pool" in expect:
        assert decision.pool == expect["pool"], decision.explanation
    if "owner" in expect:
        if expect["owner"] is None:
            assert not decision.routed
        else:
            assert decision.owner == Who(username=expect["owner"]), decision.explanation
    if "queue" in expect:
        assert decision.owner == Who(queue=expect["queue"])
    if "notify" in expect:
        assert [str(w) for w, _ in decision.notify] == expect["notify"], decision.explanation
    if expect.get("convert_to_contact"):
        assert decision.convert_to_contact
    assert decision.explanation and all(isinstance(x, str) for x in decision.explanation)
