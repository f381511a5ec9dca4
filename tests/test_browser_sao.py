"""SAO-WD end to end in headless Chromium: an SDR asks for web-direct SAO credit, the manager
approves it from the approval queue (HTMX row swap), the SDR is told and credited."""

import pytest

from .test_browser import login

pytestmark = pytest.mark.browser


def test_sao_wd_sdr_requests_credit_and_the_manager_approves_from_the_queue(
    transactional_db, demo, browser, live_server
):
    import os

    from gtm_portal.activity.models import Activity
    from gtm_portal.users.models import User
    from opportunities.models import Opportunity

    from .conftest import ARTIFACTS

    os.makedirs(ARTIFACTS, exist_ok=True)
    opp = Opportunity.objects.get(name="Umbrella - Web Direct")
    call = Activity.objects.get(subject="Connected call with Umbrella's head of engineering")
    sdr_user = User.objects.get(username="sdr.amer1")

    sdr_ctx = browser.new_context(viewport={"width": 1366, "height": 900})
    sdr = sdr_ctx.new_page()
    sdr.set_default_timeout(15_000)
    login(sdr, live_server, "sdr.amer1")
    sdr.goto(f"{live_server.url}/opportunities/{opp.pk}/")
    sdr.get_by_role("link", name="Request SAO credit").click()
    sdr.get_by_role("heading", name="Request SAO credit").wait_for()
    sdr.locator(f"#ev-{call.pk}").check()
    sdr.get_by_label("How did you influence the purchase?").fill(
        "Ran the discovery call; they bought Premium online two weeks later."
    )
    sdr.screenshot(path=os.path.join(ARTIFACTS, "sao-request-form.png"), full_page=True)
    sdr.get_by_role("button", name="Send to my manager").click()
    sdr.wait_for_url(f"**/opportunities/{opp.pk}/")
    assert sdr.get_by_text("SAO credit requested; your manager decides.").is_visible()

    mgr_ctx = browser.new_context(viewport={"width": 1366, "height": 900})
    mgr = mgr_ctx.new_page()
    mgr.set_default_timeout(15_000)
    login(mgr, live_server, "sdr.mgr")
    approvals = mgr.locator("aside").get_by_role("link", name="Approvals")
    approvals.locator("#sao-pending-count").filter(has_text="1").wait_for()
    approvals.click()
    row = mgr.locator("tr.sao-row", has_text="Umbrella - Web Direct")
    assert row.get_by_text("Connected call with Umbrella's head of engineering").is_visible()
    assert row.get_by_text("12 developers outgrowing the free tier", exact=False).is_visible()
    mgr.screenshot(path=os.path.join(ARTIFACTS, "sao-approval-queue.png"), full_page=True)
    row.get_by_role("button", name=f"Approve SAO credit for {sdr_user.label}").click()
    row.get_by_text("Approved").wait_for()
    assert "/opportunities/approvals/" in mgr.url  # swapped in place, no reload
    mgr.screenshot(path=os.path.join(ARTIFACTS, "sao-approved-row.png"), full_page=True)

    sdr.goto(f"{live_server.url}/")
    assert int(sdr.locator("#unread-count").inner_text()) >= 1
    assert sdr.get_by_text("approved", exact=False).first.is_visible()
    sdr.goto(f"{live_server.url}/opportunities/{opp.pk}/")
    header = sdr.locator(".record-header")
    assert header.get_by_text(sdr_user.label).is_visible()
    assert header.get_by_text("SAO ", exact=False).first.is_visible()
    sdr.screenshot(path=os.path.join(ARTIFACTS, "sao-credited-opportunity.png"), full_page=True)
    assert Opportunity.objects.get(pk=opp.pk).sdr_bdr == sdr_user
    mgr_ctx.close()
    sdr_ctx.close()
