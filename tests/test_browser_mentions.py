"""CHAT-2 mentions from the keyboard (#22): ArrowDown/Enter insert a suggested handle, Escape
closes the list, and a handle nobody answers to is flagged before posting (nothing posted
until the writer fixes it or says "post anyway")."""

import pytest

from accounts.models import Account
from gtm_portal.chatter.models import Comment
from tests.test_browser import login

pytestmark = pytest.mark.browser


def test_keyboard_mention_and_an_unknown_handle_flagged(
    transactional_db, demo, page, live_server, screenshot
):
    globex = Account.objects.get(name="Globex Corporation")
    login(page, live_server, "sdr.emea1")
    page.goto(f"{live_server.url}/accounts/{globex.pk}/")
    box = page.get_by_label("New comment")
    box.click()
    box.type("Over to you @sdr.m")
    suggestions = page.locator("#comments .mention-suggestions").first
    suggestions.get_by_role("option", name="@sdr.mgr — Sam Manager").wait_for()
    box.press("Escape")
    assert suggestions.is_hidden()
    box.type("g")  # the list comes back for the same handle
    suggestions.get_by_role("option").first.wait_for()
    box.press("ArrowDown")
    box.press("ArrowUp")
    box.press("Enter")  # inserts the highlighted handle instead of a new line
    assert box.input_value() == "Over to you @sdr.mgr "
    box.type("and @nobody.here")
    page.get_by_role("button", name="Post", exact=True).click()
    flag = page.get_by_role("alert").filter(has_text="@nobody.here is nobody here")
    flag.wait_for()
    assert Comment.objects.count() == 0
    screenshot("mention-unknown-flagged")
    flag.get_by_role("button", name="post anyway").click()
    page.locator(".mention", has_text="@sdr.mgr").first.wait_for()
    comment = Comment.objects.get()
    assert comment.body == "Over to you @sdr.mgr and @nobody.here"
