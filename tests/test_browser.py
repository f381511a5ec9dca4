"""End-to-end in headless Chromium: log in, see the frame, open a record page and its history."""

import os

import pytest

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def login(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")


def test_sdr_logs_in_and_reads_an_account_with_its_history(
    transactional_db, demo, page, live_server, screenshot
):
    from accounts.models import Account
    from gtm_portal.core.services import record_update
    from gtm_portal.users.models import User

    globex = Account.objects.get(name="Globex Corporation")
    record_update(
        obj=globex,
        by=User.objects.get(username="salessupport"),
        data={"industry": "Aerospace"},
        reason="Data fix",
    )

    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url  # ROLE-2
    login(page, live_server, "sdr.emea1")
    assert page.get_by_role("heading", name="My tasks due today or overdue").is_visible()
    screenshot("home-sdr")

    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "global-search"

    page.goto(f"{live_server.url}/accounts/")
    page.get_by_role("link", name="Globex Corporation").click()
    assert page.get_by_role("heading", name="Globex Corporation").is_visible()
    assert page.get_by_text("Hank Scorpio").is_visible()
    page.get_by_role("tab", name="History").click()
    history = page.locator("#tab-history")
    history.get_by_text("Aerospace").wait_for()
    assert history.get_by_text("Data fix").is_visible()
    screenshot("account-history")


def test_executive_sees_no_admin_link_and_marketing_ops_does(
    transactional_db, demo, page, live_server
):
    login(page, live_server, "exec")
    assert page.locator("aside").get_by_role("link", name="Admin").count() == 0
    page.goto(f"{live_server.url}/admin/")
    assert "/admin/login/" in page.url or "login" in page.url
    page.context.clear_cookies()
    login(page, live_server, "mops")
    page.locator("aside").get_by_role("link", name="Admin").click()
    assert page.get_by_role("link", name="Scoring rules").is_visible()


def test_mention_in_a_comment_raises_the_other_users_bell(
    transactional_db, demo, browser, live_server
):
    """CHAT-2/3 end to end: sdr.emea1 mentions @sdr.mgr; the manager's bell shows 1."""
    from accounts.models import Account

    globex = Account.objects.get(name="Globex Corporation")
    manager_ctx = browser.new_context()
    manager = manager_ctx.new_page()
    login(manager, live_server, "sdr.mgr")
    assert manager.locator("#unread-count").count() == 0

    author_ctx = browser.new_context()
    author = author_ctx.new_page()
    login(author, live_server, "sdr.emea1")
    author.goto(f"{live_server.url}/accounts/{globex.pk}/")
    box = author.get_by_label("New comment")
    box.click()
    box.type("Can you take this one @sdr.m")
    author.get_by_role("option", name="@sdr.mgr — Sam Manager").click()
    box.type("thanks")
    author.get_by_role("button", name="Post", exact=True).click()
    # the handles are checked before the post goes (an unknown one would be flagged)
    author.locator(".mention", has_text="@sdr.mgr").first.wait_for()
    assert author.url.startswith(f"{live_server.url}/accounts/{globex.pk}/")
    os.makedirs(ARTIFACTS, exist_ok=True)
    author.screenshot(path=os.path.join(ARTIFACTS, "comment-mention.png"))

    manager.reload()
    assert manager.locator("#unread-count").inner_text() == "1"
    manager.locator("#bell").click()
    manager.get_by_role("link", name="Globex Corporation").first.click()
    assert "Can you take this one" in manager.content()
    manager.goto(f"{live_server.url}/")
    assert manager.locator("#unread-count").count() == 0
    manager_ctx.close()
    author_ctx.close()


def test_sdr_works_s1_logs_a_call_enrolls_and_the_lead_leaves(
    transactional_db, demo, page, live_server, screenshot
):
    """Issue 6 flow: S1 → log a call on a row (no reload) → enroll → the lead leaves S1 and
    its status is Accepted."""
    from django.utils import timezone

    from gtm_portal.activity.models import Activity
    from gtm_portal.users.models import User
    from leads.models import Lead

    from .factories import LeadFactory

    me = User.objects.get(username="sdr.emea1")
    lead = LeadFactory(
        first_name="Greta",
        last_name="Mueller",
        owner=me,
        status="MQL",
        company="Firma GmbH",
        sla_due=timezone.now(),
    )
    login(page, live_server, "sdr.emea1")
    page.locator("aside").get_by_role("link", name="Leads S1").click()
    row = page.locator("tr", has_text="Greta Mueller")
    row.get_by_label("Actions for Greta Mueller").click()  # one menu a row (UX lists)
    row.get_by_role("button", name="Log call with Greta Mueller").click()
    page.locator("#log-dialog").get_by_role("button", name="Save").click()  # the log dialog
    row.get_by_role("status").filter(has_text="Call logged").wait_for()
    assert "/leads/views/S1/" in page.url
    assert Activity.objects.filter(lead=lead, kind="call", logged_by=me).exists()
    screenshot("s1-call-logged")
    row.get_by_label("Actions for Greta Mueller").click()  # the dialog closed the menu
    row.get_by_role("button", name="Enroll Greta Mueller").click()
    row.get_by_role("status").filter(has_text="Enrolled").wait_for()
    page.reload()
    assert page.locator("tr", has_text="Greta Mueller").count() == 0
    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    assert page.locator(".record-header").get_by_text("Accepted").is_visible()
    assert Lead.objects.get(pk=lead.pk).status == "Accepted"
    screenshot("s1-lead-accepted")
