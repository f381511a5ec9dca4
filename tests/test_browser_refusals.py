"""Refusals keep the page whole (#22, UX): a refused stage change shows its message on the
record page with the user's choice kept, every lazy part still loads (no failed request),
the address bar is the record's again, and closing an opportunity asks first."""

import pytest

from opportunities.models import Opportunity
from tests.test_browser import login

pytestmark = pytest.mark.browser


def test_a_refused_stage_change_keeps_the_page_whole(
    transactional_db, demo, page, live_server, screenshot
):
    opp = Opportunity.objects.get(name="Globex - Platform Expansion")
    before = opp.stage
    login(page, live_server, "ae.amer1")
    # home's lazy parts done first: leaving a page aborts its requests in flight, which is
    # no failure of the record page this test watches
    page.wait_for_load_state("networkidle")
    failed = []
    page.on(
        "response",
        lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))
    asked = []
    page.on("dialog", lambda d: (asked.append(d.message), d.accept()))
    page.goto(f"{live_server.url}/opportunities/{opp.pk}/")
    form = page.locator("form.stage-form")
    form.locator("[name=stage]").select_option("8-Closed Lost")
    form.get_by_role("button", name="Move").click()
    page.locator("#stage .alert-danger").wait_for()
    assert asked and "8-Closed Lost" in asked[0] and "closes the opportunity" in asked[0]
    assert page.locator("form.stage-form [name=stage]").input_value() == "8-Closed Lost"
    page.wait_for_function(
        "() => !document.querySelector('#timeline-activities').textContent.includes('Loading')"
    )
    page.get_by_role("tab", name="History").click()
    page.wait_for_function(
        "() => !document.querySelector('#tab-history').textContent.includes('Loading')"
    )
    assert page.url == f"{live_server.url}/opportunities/{opp.pk}/"
    assert failed == []
    screenshot("stage-refused")
    opp.refresh_from_db()
    assert opp.stage == before


def test_declining_the_close_confirmation_sends_nothing(transactional_db, demo, page, live_server):
    opp = Opportunity.objects.get(name="Globex - Platform Expansion")
    version = opp.version
    page.on("dialog", lambda d: d.dismiss())
    login(page, live_server, "ae.amer1")
    page.goto(f"{live_server.url}/opportunities/{opp.pk}/")
    form = page.locator("form.stage-form")
    form.locator("[name=stage]").select_option("7-Closed Won")
    form.get_by_role("button", name="Move").click()
    page.wait_for_timeout(300)
    assert page.url == f"{live_server.url}/opportunities/{opp.pk}/"
    assert page.locator("#stage .alert-danger").count() == 0
    opp.refresh_from_db()
    assert opp.version == version
