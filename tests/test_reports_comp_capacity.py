"""REPORT-COMP (every case of SPEC: floors, ceilings, accelerators, both plans, the what-if,
a frozen quarter) and REPORT-CAPACITY (the formula, the AEs' active opportunities)."""

from decimal import Decimal

import pytest

from gtm_portal.activity.models import Activity
from gtm_portal.refdata.models import CompPlan, SaoQuota
from gtm_portal.users.models import Team
from opportunities.models import Opportunity
from reports import comp_rules
from reports.models import QuarterClose
from reports.services import quarter_close
from tests.helpers import session
from tests.reports_data import account, at, contact_role, opportunity, rows, user

D = Decimal
STANDARD = comp_rules.Part("individual", D(70), None, None, D("1.5"))
TEAM = comp_rules.Part("team", D(30), D(75), D(150), D("1.25"))
Q1 = {"from": "2026-02-01", "to": "2026-04-30"}  # FY2027-Q1 (the fiscal year starts in February)


@pytest.mark.parametrize(
    ("part", "attainment", "factor"),
    [
        (STANDARD, "120", "130"),  # ×1.5 above 100%, no ceiling
        (STANDARD, "40", "40"),  # no floor
        (STANDARD, "250", "325"),  # no ceiling
        (TEAM, "80", "80"),
        (TEAM, "75", "75"),  # at the floor it pays
        (TEAM, "70", "0"),  # below the floor: 0
        (TEAM, "120", "125"),  # ×1.25 from 100% to 150%
        (TEAM, "160", "162.5"),  # above the ceiling it counts the ceiling
        (comp_rules.Part("net_arr", D(25), None, D(200), D(1)), "250", "200"),
    ],
)
def test_factor_cases_of_the_spec(part, attainment, factor):
    assert comp_rules.factor(D(attainment), part) == D(factor)


def test_standard_payout_example():
    """0.7 × 130 + 0.3 × 80 = 115."""
    assert comp_rules.payout({"individual": D(130), "team": D(80)}, [STANDARD, TEAM]) == D(115)


def _credited(opp):
    contact = contact_role(opp)
    Activity.objects.create(contact=contact, kind="call", two_way=True, occurred_at=at(2026, 2, 1))


@pytest.fixture
def comp_world(refdata):
    """sdr.one (standard, quota 2+2+1 = 5, 6 credited SAOs + 1 without a two-way activity)
    and sdr.two (quota 5, 2 credited) in team T (team quota 10: 8 credited = 80%);
    bdr.one (Enterprise Expand, quota 3, 3 credited; alone in team B with team quota 2
    = 150%; won IACV 30,000 against a net ARR quota of 20,000 = 150%)."""
    mgr = user("sdr.boss", "SDR Manager")
    ae = user("ae.one", "AE")
    one = user("sdr.one", "SDR", team="T", manager=mgr)
    two = user("sdr.two", "SDR", team="T", manager=mgr)
    bdr = user("bdr.one", "BDR", team="B", manager=mgr)
    standard = CompPlan.objects.get(name="SDR/BDR standard")
    expand = CompPlan.objects.get(name="Enterprise Expand")
    for month, n in ((2, 2), (3, 2), (4, 1)):
        SaoQuota.objects.create(user=one, month=f"2026-{month:02d}-01", sao_quota=n, plan=standard)
    SaoQuota.objects.create(user=two, month="2026-02-01", sao_quota=5, plan=standard)
    SaoQuota.objects.create(
        user=bdr, month="2026-03-01", sao_quota=3, plan=expand, net_arr_quota=20000
    )
    SaoQuota.objects.create(team=Team.objects.get(name="T"), month="2026-03-01", sao_quota=10)
    SaoQuota.objects.create(team=Team.objects.get(name="B"), month="2026-03-01", sao_quota=2)
    acct = account("Large")
    opps = {"one": [], "two": [], "bdr": []}
    for key, rep, n in (("one", one, 6), ("two", two, 2), ("bdr", bdr, 3)):
        for i in range(n):
            o = opportunity(owner=ae, account=acct, sdr=rep, sales_accepted_date=at(2026, 3, 1 + i))
            _credited(o)
            opps[key].append(o)
    opportunity(owner=ae, account=acct, sdr=one, sales_accepted_date=at(2026, 3, 20))  # no two-way
    won = opps["bdr"][0]
    Opportunity.objects.filter(pk=won.pk).update(
        stage="7-Closed Won", iacv=30000, closed_at=at(2026, 4, 2)
    )
    return {"mgr": mgr, "one": one, "two": two, "bdr": bdr, "opps": opps}


def _by_rep(report):
    return {r["rep"]: r for r in report}


@pytest.mark.django_db
def test_comp_rows_for_both_plans(comp_world):
    got = _by_rep(rows(comp_world["mgr"], "comp", **Q1))
    assert [
        got["sdr.one"][k]
        for k in (
            "quarter",
            "plan",
            "individual_attainment_pct",
            "team_attainment_pct",
            "individual_factor_pct",
            "team_factor_pct",
            "variable_payout_pct",
        )
    ] == ["FY2027-Q1", "SDR/BDR standard", "120.0", "80.0", "130.0", "80.0", "115.0"]
    # 2 of 5 = 40% (no floor) → 40; team 80 → 80; 0.7 × 40 + 0.3 × 80 = 52
    assert got["sdr.two"]["variable_payout_pct"] == "52.0"
    # Enterprise Expand: 0.5 × 100 + 0.25 × 150 (net ARR) + 0.25 × 162.5 (team 150%) = 128.125
    b = got["bdr.one"]
    assert (
        b["plan"],
        b["individual_factor_pct"],
        b["team_attainment_pct"],
        b["team_factor_pct"],
        b["variable_payout_pct"],
    ) == ("Enterprise Expand", "100.0", "150.0", "162.5", "128.1")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        ({"individual_pct": "120", "team_pct": "80"}, ["130.0", "80.0", "115.0"]),
        ({"individual_pct": "120", "team_pct": "70"}, ["130.0", "0.0", "91.0"]),
        ({"individual_pct": "120", "team_pct": "160"}, ["130.0", "162.5", "139.8"]),
        (
            {
                "individual_pct": "100",
                "team_pct": "150",
                "net_arr_pct": "250",
                "plan": "Enterprise Expand",
            },
            ["100.0", "162.5", "140.6"],
        ),  # 50 + 0.25 × 200 (ceiling) + 0.25 × 162.5 = 140.625
    ],
)
def test_what_if_row(comp_world, inputs, expected):
    what_if = _by_rep(rows(comp_world["mgr"], "comp", **Q1, **inputs))["what-if"]
    assert [
        what_if["individual_factor_pct"],
        what_if["team_factor_pct"],
        what_if["variable_payout_pct"],
    ] == expected


@pytest.mark.django_db
def test_the_formula_is_shown(comp_world):
    html = session(comp_world["mgr"]).get("/reports/comp/", Q1).content.decode()
    assert "floor 75%" in html and "ceiling 150%" in html and "×1.5 above 100%" in html


@pytest.mark.django_db
def test_closed_quarter_is_frozen_and_shows_a_dated_adjustment(comp_world):
    mgr = comp_world["mgr"]
    quarter_close(quarter="FY2027-Q1", by=mgr)
    moved = comp_world["opps"]["one"][0]
    Opportunity.objects.filter(pk=moved.pk).update(sales_accepted_date=at(2026, 5, 3))
    from gtm_portal.core.history import related_change  # noqa: PLC0415

    related_change(moved, "sales_accepted_date", "moved to May", by=mgr).save()
    page = session(mgr).get("/reports/comp/", Q1)
    assert _by_rep(rows(mgr, "comp", **Q1))["sdr.one"]["individual_attainment_pct"] == "120.0"
    lines = page.context["table"].extra["adjustments"]
    assert [(a["opportunity_id"], a["delta"], a["by"]) for a in lines] == [
        (moved.pk, -1, "sdr.boss")
    ]
    assert lines[0]["at"] is not None


@pytest.mark.django_db
def test_closing_twice_or_by_a_rep_is_refused(comp_world):
    from django.core.exceptions import PermissionDenied, ValidationError  # noqa: PLC0415

    with pytest.raises(PermissionDenied):
        quarter_close(quarter="FY2027-Q1", by=comp_world["one"])
    assert not QuarterClose.objects.exists()
    quarter_close(quarter="FY2027-Q1", by=comp_world["mgr"])
    with pytest.raises(ValidationError):
        quarter_close(quarter="FY2027-Q1", by=comp_world["mgr"])
    r = session(comp_world["one"]).post("/reports/comp/close/", {"quarter": "FY2026-Q4"})
    assert r.status_code == 403 and QuarterClose.objects.count() == 1


def _capacity(viewer, **inputs):
    return {r["name"]: r["value"] for r in rows(viewer, "capacity", **inputs)}


@pytest.mark.django_db
def test_capacity_defaults_and_formula(refdata):
    """180 days → 6 months to close, 3 to lose; 0.33 × 6 + 0.67 × 3 = 3.99; 40 ÷ 3.99 = 10.03."""
    viewer = user("ae.one", "AE")
    assert _capacity(viewer) == {
        "days_to_close": "180",
        "win_rate_pct": "33",
        "capacity_goal": "40",
        "months_to_close": "6.00",
        "months_to_lose": "3.00",
        "months_on_average": "3.99",
        "sclau_per_month": "10.03",
    }
    # 90 days, 50%, 20: 3 and 1.5 months; 0.5 × 3 + 0.5 × 1.5 = 2.25; 20 ÷ 2.25 = 8.89
    got = _capacity(viewer, days_to_close="90", win_rate_pct="50", capacity_goal="20")
    assert (got["months_on_average"], got["sclau_per_month"]) == ("2.25", "8.89")


@pytest.mark.django_db
def test_capacity_lists_each_aes_active_opportunities(refdata):
    ae = user("ae.one", "AE")
    user("ae.two", "AE")
    acct = account("Large")
    for stage in ("1-Discovery", "6-Awaiting Signature", "0-Pending Acceptance", "7-Closed Won"):
        opportunity(owner=ae, account=acct, stage=stage)
    page = session(ae).get("/reports/capacity/")
    assert dict(page.context["table"].extra["aes"]) == {"ae.one": 2, "ae.two": 0}
