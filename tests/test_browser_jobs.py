"""The jobs page (CONTRACT 6.7) and AUTO-6's duplicate suggestions in headless Chromium, at
desktop (1440x900) and phone (390x844) sizes: Marketing Ops runs a job now and sees the run."""

import os

import pytest

from .conftest import ARTIFACTS
from .test_browser import login

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width, height", [(1440, 900), (390, 844)])
def test_marketing_ops_runs_a_job_now_and_sees_its_run(
    transactional_db, demo, browser, live_server, width, height
):
    from leads.services.dedupe import duplicate_suggestions

    from .factories import LeadFactory

    LeadFactory(first_name="Dana", last_name="Twice", email="dana@twice.example")
    LeadFactory(first_name="Dana", last_name="Twice", email="DANA@twice.example")
    duplicate_suggestions()
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        login(page, live_server, "mops")
        page.goto(f"{live_server.url}/jobs/")
        assert page.get_by_role("heading", name="Scheduled jobs").is_visible()
        card = page.locator("#job-intake_log_purge")
        card.get_by_role("button", name="Run now").click()
        page.wait_for_url(f"{live_server.url}/jobs/#job-intake_log_purge")
        assert "intake_log_purge queued" in page.content()
        assert card.get_by_text("Done").first.is_visible()
        # every figure of the run is on screen, not clipped or scrolled off beside the table
        # (at phone width each run is one block with its cells labelled)
        run = card.locator("tbody tr").first
        for text in ("Done", "changed" if width < 576 else "Details"):
            box = card.get_by_text(text, exact=True).first.bounding_box()
            assert box and box["x"] + box["width"] <= width, text
        for cell in run.locator("td").all():
            box = cell.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width
        os.makedirs(ARTIFACTS, exist_ok=True)
        page.screenshot(path=os.path.join(ARTIFACTS, f"jobs-{width}.png"), full_page=False)
        page.goto(f"{live_server.url}/leads/duplicates/")
        # AUTO-6: "Merge" opens the confirmation that says what will happen (one click on it merges).
        page.locator("summary", has_text="Merge").first.click()
        assert page.get_by_role("button", name="Confirm merge").first.is_visible()
        assert page.get_by_role("link", name="Choose field by field…").first.is_visible()
        page.screenshot(path=os.path.join(ARTIFACTS, f"duplicates-{width}.png"), full_page=False)
        page.get_by_role("button", name="Not a duplicate").first.click()
        assert "never suggested again" in page.content()
    finally:
        context.close()
