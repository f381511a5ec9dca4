"""End-to-end in headless Chromium: log in, see the frame, open a record page and its history."""
import pytest

pytestmark = pytest.mark.browser


def login(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")


def test_sdr_logs_in_and_reads_an_account_with_its_history(transactional_db, demo, page,
                                                             live_server, screenshot):
    from accounts.models import Account
    from gtm_portal.core.services import record_update
    from gtm_portal.users.models import User

    globex = Account.objects.get(name="Globex Corporation")
    record_update(obj=globex, by=User.objects.get(username="salessupport"),
                  data={"industry": "Aerospace"}, reason="Data fix")

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


def test_executive_sees_no_admin_link_and_marketing_ops_does(transactional_db, demo, page,
                                                            live_server):
    login(page, live_server, "exec")
    assert page.locator("aside").get_by_role("link", name="Admin").count() == 0
    page.goto(f"{live_server.url}/admin/")
    assert "/admin/login/" in page.url or "login" in page.url
    page.context.clear_cookies()
    login(page, live_server, "mops")
    page.locator("aside").get_by_role("link", name="Admin").click()
    assert page.get_by_role("link", name="Scoring rules").is_visible()
