"""REPORT-SAO end to end in headless Chromium: a manager opens the SAO report, filters to a
segment, clicks a number and lands on exactly those opportunities; the chart and the table
agree. Screenshots at 1440x900 and 390x844."""

import datetime
import os

import pytest

from .test_browser import login

pytestmark = pytest.mark.browser


def _saos():
    from django.utils import timezone

    from gtm_portal.users.models import User
    from opportunities.models import Opportunity

    from .reports_data import account

    ae, sdr = User.objects.get(username="ae.amer1"), User.objects.get(username="sdr.amer1")
    when = timezone.now() - datetime.timedelta(hours=2)
    large, smb = account("Large"), account("SMB")
    made = {}
    for name, acct in (("Large one", large), ("Large two", large), ("Small one", smb)):
        made[name] = Opportunity.objects.create(
            name=name,
            account=acct,
            owner=ae,
            sdr_bdr=sdr,
            stage="1-Discovery",
            close_date=when.date() + datetime.timedelta(days=60),
            sales_accepted_date=when,
            sales_qualification_source="SDR Generated",
        )
    return made


def test_manager_filters_the_sao_report_and_drills_down(
    transactional_db, demo, browser, live_server
):
    from .conftest import ARTIFACTS

    os.makedirs(ARTIFACTS, exist_ok=True)
    made = _saos()
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    login(page, live_server, "sdr.mgr")
    page.locator("aside").get_by_role("link", name="SAOs and SQOs").click()
    page.get_by_role("heading", name="SAOs and SQOs").wait_for()
    page.get_by_label("Segment").select_option("Large")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**segment=Large**")
    table_total = sum(
        int(t) for t in page.locator("#report-table tbody tr td:nth-child(5)").all_inner_texts()
    )
    chart_total = page.evaluate(
        "() => window.reportChart.data.datasets[0].data.reduce((a, b) => a + b, 0)"
    )
    assert table_total == chart_total == 2
    assert page.locator("#sclau").inner_text() == "2"
    page.screenshot(path=os.path.join(ARTIFACTS, "report-sao-1440.png"), full_page=True)
    page.locator("#report-table tbody tr td:nth-child(5) a").first.click()
    page.get_by_role("heading", name="The records behind the number").wait_for()
    names = set(page.locator("#drill-opportunity tbody tr td:first-child").all_inner_texts())
    assert names == {"Large one", "Large two"}
    assert page.locator("#drill-total").inner_text() == "2"
    page.get_by_role("link", name="Large one").click()
    page.wait_for_url(f"**/opportunities/{made['Large one'].pk}/")
    ctx.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844})
    small = phone.new_page()
    login(small, live_server, "sdr.mgr")
    small.goto(f"{live_server.url}/reports/sao/?segment=Large")
    small.get_by_role("heading", name="SAOs and SQOs").wait_for()
    small.screenshot(path=os.path.join(ARTIFACTS, "report-sao-390.png"), full_page=True)
    phone.close()
