"""REPORT-FUNNEL and REPORT-SAO on a small fixed data set, numbers worked out by hand."""

from zoneinfo import ZoneInfo

import pytest

from opportunities.models import Opportunity
from tests.factories import ContactFactory, LeadFactory
from tests.helpers import session
from tests.reports_data import (
    account,
    at,
    contact_role,
    opportunity,
    pending,
    rows,
    source,
    stamps,
    user,
)

NY = ZoneInfo("America/New_York")
RANGE = {"from": "2026-03-01", "to": "2026-04-30"}


@pytest.fixture
def funnel_world(refdata):
    """Three leads, one contact, one test lead (excluded), two opportunities (see each
    stamp below). L1's MQL and O1's SAO sit at 23:30 / 23:00 New York time on March 31st —
    April 1st in UTC."""
    ae = user("ae.one", "AE")
    big = account("Large")
    l1, l2, l3 = LeadFactory(), LeadFactory(), LeadFactory()
    stamps(
        l1,
        Raw=at(2026, 3, 10),
        Inquiry=at(2026, 3, 12),
        MQL=at(2026, 3, 31, 23, 30, tz=NY),
        Accepted=at(2026, 4, 2),
    )
    stamps(l2, Raw=at(2026, 3, 15), Inquiry=at(2026, 3, 20))
    stamps(
        l3,
        Raw=at(2026, 4, 5),
        Inquiry=at(2026, 4, 6),
        MQL=at(2026, 4, 7),
        Accepted=at(2026, 4, 8),
        Qualifying=at(2026, 4, 9),
    )
    c1 = ContactFactory(account=big)
    stamps(c1, Raw=at(2026, 3, 5), Inquiry=at(2026, 3, 6), MQL=at(2026, 3, 7))
    stamps(LeadFactory(title="Test"), Raw=at(2026, 3, 10))  # LEAD-TEST: never reported
    o1 = opportunity(
        owner=ae,
        account=big,
        sales_accepted_date=at(2026, 3, 31, 23, tz=NY),
        sales_qualified=True,
        sales_qualified_date=at(2026, 4, 10),
    )
    pending(o1, at(2026, 3, 20))
    o2 = opportunity(
        owner=ae,
        account=big,
        stage="7-Closed Won",
        sales_accepted_date=at(2026, 4, 3),
        closed_at=at(2026, 4, 20),
    )
    pending(o2, at(2026, 4, 2))
    return {"ae": ae}


def _table(report):
    return {(r["month"], r["stage"]): (int(r["count"]), r["conversion_pct"]) for r in report}


@pytest.mark.django_db
def test_funnel_counts_and_conversions_in_utc(funnel_world):
    """REPORT-FUNNEL: each record counts in the month it first reached the stage; conversion
    = count ÷ previous stage's count × 100, empty for Raw and when the previous is 0."""
    t = _table(rows(funnel_world["ae"], "funnel", **RANGE))
    march = [
        t[("2026-03", s)]
        for s in (
            "Raw",
            "Inquiry",
            "MQL",
            "Accepted",
            "Qualifying",
            "Pending Acceptance",
            "SAO",
            "SQO",
            "Won",
        )
    ]
    assert march == [
        (3, ""),
        (3, "100.0"),
        (1, "33.3"),
        (0, "0.0"),
        (0, ""),
        (1, ""),
        (0, "0.0"),
        (0, ""),
        (0, ""),
    ]
    april = [
        t[("2026-04", s)]
        for s in (
            "Raw",
            "Inquiry",
            "MQL",
            "Accepted",
            "Qualifying",
            "Pending Acceptance",
            "SAO",
            "SQO",
            "Won",
        )
    ]
    assert april == [
        (1, ""),
        (1, "100.0"),
        (2, "200.0"),
        (2, "100.0"),
        (1, "50.0"),
        (1, "100.0"),
        (2, "200.0"),
        (1, "50.0"),
        (1, "100.0"),
    ]


@pytest.mark.django_db
def test_funnel_months_follow_the_viewers_time_zone(funnel_world):
    """Q-TZ: for a New York viewer, L1's MQL and O1's SAO fall in March."""
    viewer = funnel_world["ae"]
    viewer.time_zone = "America/New_York"
    viewer.save()
    t = _table(rows(viewer, "funnel", **RANGE))
    assert t[("2026-03", "MQL")][0] == 2 and t[("2026-04", "MQL")][0] == 1
    assert t[("2026-03", "SAO")][0] == 1 and t[("2026-04", "SAO")][0] == 1


@pytest.mark.django_db
def test_funnel_sao_and_sqo_equal_the_sao_report(funnel_world):
    viewer = funnel_world["ae"]
    t = _table(rows(viewer, "funnel", **RANGE))
    report = rows(viewer, "sao", **RANGE)
    assert (
        sum(t[(m, "SAO")][0] for m in ("2026-03", "2026-04"))
        == sum(int(r["sao"]) for r in report)
        == 2
    )
    assert (
        sum(t[(m, "SQO")][0] for m in ("2026-03", "2026-04"))
        == sum(int(r["sqo"]) for r in report)
        == 1
    )


@pytest.mark.django_db
def test_funnel_drill_down_lists_exactly_the_records(funnel_world):
    client = session(funnel_world["ae"])
    r = client.get("/reports/funnel/records/", {**RANGE, "month": "2026-04", "stage": "MQL"})
    assert r.status_code == 200
    ids = {row.pk for _, page in r.context["pages"] for row in page}
    assert len(ids) == 2 and r.context["total"] == 2
    r = client.get("/reports/funnel/records/", {**RANGE, "month": "2026-04", "stage": "SAO"})
    assert {o.pk for _, p in r.context["pages"] for o in p} == set(
        Opportunity.objects.filter(sales_accepted_date__gte=at(2026, 4, 1, 0)).values_list(
            "pk", flat=True
        )
    )


@pytest.fixture
def sao_world(refdata):
    """S1 Large/inbound/SDR; S2 Strategic/no source/BDR; S3 Mid-Market AE with a Web
    contact (marketing-assisted); S4 Large AE with an AE Generated contact (cold calling);
    S5 SMB AE without contacts (cold calling), accepted in March, qualified in April."""
    ae, sdr, bdr = user("ae.one", "AE"), user("sdr.one", "SDR"), user("bdr.one", "BDR")
    web, ae_gen = source("Web", "inbound"), source("AE Generated", "outbound")
    large, strategic, mid, smb = (
        account("Large"),
        account("Strategic"),
        account("Mid-Market"),
        account("SMB"),
    )
    opp = {}
    opp["S1"] = opportunity(
        owner=ae,
        account=large,
        sdr=sdr,
        source=web,
        sales_qualification_source="SDR Generated",
        sales_accepted_date=at(2026, 4, 3),
        sales_qualified=True,
        sales_qualified_date=at(2026, 4, 10),
    )
    opp["S2"] = opportunity(
        owner=ae,
        account=strategic,
        sdr=bdr,
        sales_qualification_source="BDR Generated",
        sales_accepted_date=at(2026, 4, 5),
    )
    opp["S3"] = opportunity(
        owner=ae,
        account=mid,
        source=ae_gen,
        sales_qualification_source="AE Generated",
        sales_accepted_date=at(2026, 4, 6),
    )
    contact_role(opp["S3"], initial_source=web)
    opp["S4"] = opportunity(
        owner=ae,
        account=large,
        source=ae_gen,
        sales_qualification_source="AE Generated",
        sales_accepted_date=at(2026, 4, 7),
        sales_qualified=True,
        sales_qualified_date=at(2026, 4, 8),
    )
    contact_role(opp["S4"], initial_source=ae_gen)
    opp["S5"] = opportunity(
        owner=ae,
        account=smb,
        source=ae_gen,
        sales_qualification_source="AE Generated",
        sales_accepted_date=at(2026, 3, 20),
        sales_qualified=True,
        sales_qualified_date=at(2026, 4, 2),
    )
    opportunity(owner=ae, account=large, sales_accepted_date=None)  # never accepted
    return {"ae": ae, "opp": opp}


@pytest.mark.django_db
def test_sao_by_month_segment_bucket_and_the_four_sources(sao_world):
    report = rows(sao_world["ae"], "sao", **RANGE)
    got = {
        (r["month"], r["segment"], r["source_bucket"], r["qualification_source"]): (
            int(r["sao"]),
            int(r["sqo"]),
        )
        for r in report
    }
    assert got == {
        ("2026-03", "SMB", "outbound", "AE cold calling"): (1, 0),
        ("2026-04", "SMB", "outbound", "AE cold calling"): (0, 1),
        ("2026-04", "Large", "inbound", "SDR"): (1, 1),
        ("2026-04", "Strategic", "none", "BDR"): (1, 0),
        ("2026-04", "Mid-Market", "outbound", "AE marketing-assisted"): (1, 0),
        ("2026-04", "Large", "outbound", "AE cold calling"): (1, 1),
    }


@pytest.mark.django_db
def test_sclau_counts_large_and_up(sao_world):
    """REPORT-SAO: SCLAU = SAOs at Large and Strategic accounts: S1, S2, S4."""
    r = session(sao_world["ae"]).get("/reports/sao/", RANGE)
    assert r.context["table"].extra["sclau"] == 3
    assert r.context["table"].extra["sao_total"] == 5


@pytest.mark.django_db
def test_sao_segment_filter_and_drill_down(sao_world):
    report = rows(sao_world["ae"], "sao", **RANGE, segment="Large")
    assert sum(int(r["sao"]) for r in report) == 2
    client = session(sao_world["ae"])
    page = client.get("/reports/sao/", {**RANGE, "segment": "Large"})
    links = [
        url
        for row in page.context["rows"]
        for _, url, _numeric in row
        if url and "measure=sao" in url
    ]
    found = set()
    for url in links:
        listed = client.get(url)
        found |= {o.pk for _, p in listed.context["pages"] for o in p}
    assert found == {sao_world["opp"]["S1"].pk, sao_world["opp"]["S4"].pk}
    csv = client.get(links[0] + "&format=csv")
    assert (
        b"".join(csv.streaming_content).decode().splitlines()[0]
        == "kind,id,name,owner,status,date,amount"
    )


@pytest.mark.django_db
def test_sao_range_is_inclusive_in_the_viewers_zone(sao_world):
    """`to` is inclusive: an SAO at 12:00 on the `to` day counts; the next day's does not."""
    report = rows(sao_world["ae"], "sao", **{"from": "2026-04-03", "to": "2026-04-05"})
    assert sum(int(r["sao"]) for r in report) == 2
