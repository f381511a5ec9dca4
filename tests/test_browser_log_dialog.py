"""UX "small writes open small dialogs" in headless Chromium (#22): a row's "Log call" opens
the log dialog with its defaults, Enter saves, the row says so with an Undo that takes the
call back; a refusal stays in the dialog; the record page's timeline reloads after a log;
arrow keys move between a list's rows and Enter opens one."""

import pytest

from gtm_portal.activity.models import Activity, Task
from gtm_portal.users.models import User
from tests.factories import LeadFactory
from tests.test_browser import login
from tests.test_browser_lists import _shot

pytestmark = pytest.mark.browser


@pytest.fixture
def my_mqls(transactional_db, demo):
    me = User.objects.get(username="sdr.emea1")
    return [
        LeadFactory(first_name="Dial", last_name=f"Person{i}", owner=me, status="MQL")
        for i in range(3)
    ]


def test_log_a_call_from_a_row_in_the_dialog_then_undo_it(my_mqls, browser, live_server):
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    login(page, live_server, "sdr.emea1")
    page.goto(f"{live_server.url}/leads/views/S1/")
    lead = my_mqls[1]
    row = page.locator("tr", has_text="Dial Person1")
    row.get_by_label("Actions for Dial Person1").click()
    row.get_by_role("button", name="Log call with Dial Person1").click()
    dialog = page.locator("#log-dialog")
    assert dialog.is_visible()
    assert page.get_by_label("Subject").input_value() == "Call with Dial Person1"
    assert page.get_by_label("Outcome").input_value() == "voicemail"  # never two-way by default
    assert not page.get_by_label("Two-way").is_checked()
    page.get_by_label("Outcome").select_option("connected")
    assert page.get_by_label("Two-way").is_checked()
    page.get_by_label("Outcome").select_option("no_answer")
    page.get_by_label("Notes").fill("Rang twice")
    page.get_by_label("Follow-up task for me").check()
    _shot(page, "log-dialog-1440")
    page.get_by_label("Subject").press("Enter")  # Enter saves
    result = page.locator(f"#result-{lead.pk}")
    result.get_by_text("Call logged, with a follow-up task due").wait_for()
    assert dialog.is_hidden()
    call = Activity.objects.get(lead=lead)
    assert (call.outcome, call.body, call.two_way) == ("no_answer", "Rang twice", False)
    assert Task.objects.get(lead=lead).subject == "Follow up with Dial Person1"
    result.get_by_role("button", name="Undo").click()
    result.get_by_text("Call removed.").wait_for()
    assert not Activity.objects.filter(lead=lead).exists()
    assert not Task.objects.filter(lead=lead).exists()


def test_a_refusal_stays_in_the_dialog_and_the_timeline_reloads_after_a_log(
    my_mqls, browser, live_server
):
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    login(page, live_server, "sdr.emea1")
    lead = my_mqls[0]
    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    page.get_by_text("No comments, activities or changes").wait_for()  # the lazy timeline
    page.get_by_role("button", name="Log e-mail").click()
    page.get_by_label("Follow-up task for me").check()
    page.locator("#ld-fu-due").fill("")  # a follow-up without its date is refused
    page.get_by_role("button", name="Save").click()
    error = page.locator("#log-dialog .ld-error")
    error.wait_for()
    assert "due date" in error.inner_text()
    assert page.locator("#log-dialog").is_visible()
    assert not Activity.objects.filter(lead=lead).exists()
    page.get_by_label("Follow-up task for me").uncheck()
    page.get_by_role("button", name="Save").click()
    page.locator("#log-result").get_by_text("E-mail logged.").wait_for()
    page.locator("#timeline-list").get_by_text("E-mail to Dial Person0").wait_for()
    _shot(page, "lead-timeline-after-log-1440")


def test_arrow_keys_move_between_rows_and_enter_opens_one(my_mqls, browser, live_server):
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    login(page, live_server, "sdr.emea1")
    page.goto(f"{live_server.url}/leads/views/S1/?sort=name")
    page.locator("h1").click()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Dial Person1"
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.textContent") == "Dial Person0"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/leads/{my_mqls[0].pk}/")
