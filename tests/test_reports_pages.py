"""CONTRACT 6.4 shapes on the demo data set: every slug answers, CSV header rows exactly,
400 naming the field for a bad filter, the side menu and the home dashboards."""

import pytest
from django.urls import reverse

from gtm_portal.devtools.demo.quotas import seed_quotas
from tests.helpers import session

HEADERS = {
    "funnel": "month,stage,count,conversion_pct",
    "sao": "month,segment,source_bucket,qualification_source,sao,sqo",
    "pipeline": "close_month,stage,opportunities,iacv",
    "reps": "month,rep,accepted,worked,calls,emails,meetings,opportunities,sao,quota,attainment_pct",
    "sla": "rep,mqls,touched,median_minutes,p90_minutes,within_sla_pct,breaches",
    "hygiene": "rep,check,count",
    "comp": (
        "rep,quarter,plan,individual_attainment_pct,team_attainment_pct,"
        "individual_factor_pct,team_factor_pct,variable_payout_pct"
    ),
    "capacity": "name,value",
}


@pytest.fixture
def quotas(users):
    seed_quotas()
    return users


@pytest.mark.django_db
@pytest.mark.parametrize("slug", sorted(HEADERS))
def test_report_page_and_csv_header(quotas, slug):
    client = session(quotas["sdr.mgr"])
    page = client.get(f"/reports/{slug}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "vendor/chartjs/chart.umd.min.js" in html and 'id="report-table"' in html
    assert html.index('id="report-chart"') < html.index('id="report-table"')
    csv = client.get(f"/reports/{slug}/", {"format": "csv"})
    assert csv.status_code == 200
    text = b"".join(csv.streaming_content).decode()
    assert text.splitlines()[0] == HEADERS[slug]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2026-05-01", "to": "2026-04-01"}, "to"),
        ({"region": "MARS"}, "region"),
        ({"segment": "Huge"}, "segment"),
        ({"source_bucket": "nope"}, "source_bucket"),
        ({"team": "No such team"}, "team"),
        ({"rep": "nobody"}, "rep"),
        ({"rep": "x\x00y"}, "rep"),
    ],
)
def test_bad_filter_is_400_naming_the_field(quotas, params, field):
    client = session(quotas["sdr.mgr"])
    for slug in HEADERS:
        r = client.get(f"/reports/{slug}/", {**params, "format": "csv"})
        assert r.status_code == 400, slug
        assert r.content.decode().startswith(f"{field}:")
        html = client.get(f"/reports/{slug}/", params)
        assert html.status_code == 400 and field in html.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("slug", "params", "field"),
    [
        ("capacity", {"days_to_close": "abc"}, "days_to_close"),
        ("capacity", {"win_rate_pct": "120"}, "win_rate_pct"),
        ("capacity", {"capacity_goal": "-1"}, "capacity_goal"),
        ("comp", {"individual_pct": "NaN"}, "individual_pct"),
        ("comp", {"plan": "Gold"}, "plan"),
    ],
)
def test_bad_input_is_400_naming_the_field(quotas, slug, params, field):
    r = session(quotas["sdr.mgr"]).get(f"/reports/{slug}/", {**params, "format": "csv"})
    assert r.status_code == 400 and r.content.decode().startswith(f"{field}:")


@pytest.mark.django_db
def test_index_and_side_menu_for_everyone(quotas):
    for username in ("sdr.amer1", "exec", "mops", "ae.amer1"):
        client = session(quotas[username])
        html = client.get("/").content.decode()
        assert reverse("reports:index") in html and reverse("reports:report", args=["sao"]) in html
        index = client.get("/reports/")
        assert index.status_code == 200
        for slug in HEADERS:
            assert f"/reports/{slug}/" in index.content.decode()


@pytest.mark.django_db
def test_unknown_slug_is_404(quotas):
    assert session(quotas["sdr.mgr"]).get("/reports/nope/").status_code == 404


@pytest.mark.django_db
def test_login_required(client):
    r = client.get("/reports/sao/")
    assert r.status_code == 302 and "/login/" in r["Location"]
