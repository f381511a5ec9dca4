"""UX lists and the frame in headless Chromium (#22): dense rows (≥ 15 on a 1440×900 screen),
one action menu a row, the bulk bar only once rows are selected with select-all, the keyset
pager's "Previous", and no sideways scroll at phone width on home, S1, a lead and an
opportunity (the side menu folds behind a button)."""

import os

import pytest
from django.utils import timezone

from accounts.models import Account
from gtm_portal.users.models import User
from leads.models import Lead
from opportunities.models import Opportunity
from tests.conftest import ARTIFACTS
from tests.factories import LeadFactory
from tests.test_browser import login

pytestmark = pytest.mark.browser


@pytest.fixture
def forty_mqls(transactional_db, demo):
    me = User.objects.get(username="sdr.emea1")
    return [
        LeadFactory(
            first_name="Row",
            last_name=f"Number{i:02d}",
            company="Firma GmbH",
            title="Head of Platform Engineering",
            owner=me,
            status="MQL",
            sla_due=timezone.now() + timezone.timedelta(minutes=i),
        )
        for i in range(40)
    ]


def _shot(page, name: str) -> None:
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, f"{name}.png"), full_page=True)


def _rows_on_screen(page) -> int:
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('table.table-dense tbody tr'))
            .filter(tr => tr.getBoundingClientRect().bottom <= window.innerHeight).length"""
    )


def test_a_rep_sees_fifteen_rows_selects_them_and_acts_from_one_menu(
    forty_mqls, browser, live_server
):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    login(page, live_server, "sdr.emea1")
    page.goto(f"{live_server.url}/leads/views/S1/?size=25")
    assert _rows_on_screen(page) >= 15
    bar = page.locator("#bulk-form")
    assert bar.is_hidden()  # nothing selected yet
    _shot(page, "s1-dense-1440")
    page.get_by_label("Select Row Number00").check()
    assert bar.is_visible() and "1 row selected" in bar.inner_text()
    page.get_by_label("Select every row on this page").check()
    assert "25 rows selected" in bar.inner_text()
    assert page.locator('input[name="ids"]:checked').count() == 25
    # VIEW-5: the whole page selected offers every matching row
    bar.get_by_role("button", name="Select all 40 matching rows").click()
    assert "All 40 matching rows selected" in bar.inner_text()
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    bar.get_by_role("button", name="Apply to selected").click()
    page.wait_for_timeout(200)
    assert asked and "to all 40 matching rows?" in asked[0]
    page.get_by_label("Select Row Number00").uncheck()  # back to the rows ticked
    assert "24 rows selected" in bar.inner_text()
    page.get_by_label("Select every row on this page").check()
    page.get_by_label("Select every row on this page").uncheck()
    assert bar.is_hidden()
    # a mass change asks first, with the number of rows (declined: nothing happens)
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.get_by_label("Select Row Number01").check()
    page.get_by_label("Select Row Number02").check()
    bar.get_by_role("button", name="Apply to selected").click()
    page.wait_for_timeout(200)
    assert asked and "to 2 selected rows?" in asked[0]
    assert Lead.objects.filter(last_name__in=["Number01", "Number02"], status="MQL").count() == 2
    page.get_by_label("Select Row Number01").uncheck()
    page.get_by_label("Select Row Number02").uncheck()
    # one menu a row: closed, it hides its forms; Escape closes it again
    row = page.locator("tr", has_text="Row Number03")
    log_call = row.get_by_role("button", name="Log call with Row Number03")
    assert log_call.is_hidden()
    row.get_by_label("Actions for Row Number03").click()
    assert log_call.is_visible()
    page.keyboard.press("Escape")
    assert log_call.is_hidden()
    # the pager: next, then previous gives the first page back
    page.get_by_role("link", name="Next").click()
    page.get_by_text("26–40 of 40").wait_for()
    page.get_by_role("link", name="Previous").click()
    page.get_by_text("1–25 of 40").wait_for()
    assert page.locator("tr", has_text="Row Number00").count() == 1
    context.close()


def _no_sideways_scroll(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_phone_width_has_no_sideways_scroll_and_the_menu_folds(forty_mqls, browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, live_server, "sdr.emea1")
    lead = forty_mqls[0]
    opportunity = Opportunity.objects.filter(account__in=Account.objects.all()).first()
    pages = {
        "home": "/",
        "s1": "/leads/views/S1/",
        "lead": f"/leads/{lead.pk}/",
        "opportunity": f"/opportunities/{opportunity.pk}/",
    }
    for name, url in pages.items():
        page.goto(live_server.url + url)
        assert _no_sideways_scroll(page) <= 0, name
        _shot(page, f"phone-{name}-390")
    menu = page.locator("#side-menu")
    assert not menu.get_by_role("link", name="Leads S1").is_visible()
    page.get_by_label("Open the menu").click()
    menu.get_by_role("link", name="Leads S1").click()
    page.wait_for_url(f"{live_server.url}/leads/views/S1/")
    context.close()
