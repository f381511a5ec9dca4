"""Inline edit end to end in headless Chromium (CONTRACT 6, ROLE-3, ACCT-BPS 2): an AE keeps
an opportunity current from its page with the keyboard; a BDR sets BDR Assigned on an account
and moves it to Actively Working; a lead's inline edit is refused in place when someone else
saved first (Q-CONC)."""

import datetime

import pytest
from django.utils import timezone

from .test_browser import login

pytestmark = pytest.mark.browser


def value_cell(page, label: str):
    header = page.get_by_role("rowheader", name=label, exact=True)
    return page.locator("tr", has=header).locator("td.inline-editable")


def edit_inline(page, label: str, text: str | None = None, *, key: str = "Enter"):
    cell = value_cell(page, label)
    cell.click()
    form = cell.locator(".inline-edit-form")
    form.wait_for()
    field = form.locator("input:not([type=hidden]), textarea, select").first
    if text is not None:
        field.fill(text)
    field.press(key)
    form.wait_for(state="detached")
    return value_cell(page, label)


def test_ae_edits_close_date_and_next_step_inline(
    transactional_db, demo, page, live_server, screenshot
):
    from opportunities.models import Opportunity

    opp = Opportunity.objects.get(name="Globex - Platform Expansion")
    login(page, live_server, "ae.amer1")
    page.goto(f"{live_server.url}/opportunities/{opp.pk}/")
    new_close = (timezone.localdate() + datetime.timedelta(days=120)).isoformat()
    assert new_close in edit_inline(page, "Close date", new_close).inner_text()
    assert (
        "Security review with the CISO"
        in edit_inline(page, "Next step", "Security review with the CISO").inner_text()
    )
    # Escape leaves the value as it was.
    before = value_cell(page, "Competition").inner_text()
    assert (
        edit_inline(page, "Competition", "typed, then abandoned", key="Escape").inner_text()
        == before
    )
    screenshot("opportunity-inline-edit")
    opp.refresh_from_db()
    assert opp.close_date.isoformat() == new_close
    assert opp.next_step == "Security review with the CISO"
    assert opp.competition != "typed, then abandoned"
    # The AE's own inline saves never make the stage form on the same page stale (Q-CONC).
    assert edit_inline(page, "Seats", "450").inner_text().startswith("450")
    stage = page.locator("form.stage-form")
    stage.locator("[name=stage]").select_option("1-Discovery")
    stage.get_by_role("button", name="Move").click()
    page.get_by_text("Stage is now 1-Discovery").wait_for()
    opp.refresh_from_db()
    assert opp.stage == "1-Discovery" and opp.seats == 450
    # The history says who changed what.
    page.get_by_role("tab", name="History").click()
    page.locator("#tab-history").get_by_text("Security review with the CISO").wait_for()


def test_bdr_sets_bdr_assigned_then_moves_the_account_to_actively_working(
    transactional_db, demo, page, live_server, screenshot
):
    from accounts.models import Account
    from gtm_portal.core.services import record_update
    from gtm_portal.users.models import User

    # An account with no BDR Assigned, owned by an AE (not adoptable, so not claimed).
    account = Account.objects.get(name="Springfield County")
    record_update(
        obj=account,
        by=User.objects.get(username="salessupport"),
        data={"bdr_assigned": None},
        reason="test setup",
    )
    login(page, live_server, "bdr.amer1")
    page.goto(f"{live_server.url}/accounts/{account.pk}/")
    cell = value_cell(page, "BDR Assigned")
    cell.click()
    select = cell.locator("select")
    select.select_option(label=User.objects.get(username="bdr.amer1").label)
    select.press("Enter")
    page.wait_for_load_state("networkidle")
    account.refresh_from_db()
    assert account.bdr_assigned.username == "bdr.amer1"
    # ACCT-BPS 2 through the status form on the page.
    status = page.locator("form", has=page.locator("[name=to]")).first
    status.locator("[name=to]").select_option("Actively Working")
    status.get_by_role("button").first.click()
    page.wait_for_load_state("networkidle")
    screenshot("account-actively-working")
    account.refresh_from_db()
    assert account.bdr_prospecting_status == "Actively Working"
    assert account.actively_working_since is not None


def test_stale_inline_edit_is_refused_in_place(transactional_db, demo, page, live_server):
    from gtm_portal.users.models import User
    from leads.services.persons import person_update

    from .factories import LeadFactory

    lead = LeadFactory(owner=User.objects.get(username="sdr.emea1"))
    login(page, live_server, "sdr.emea1")
    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    cell = value_cell(page, "Mobile")
    cell.click()
    cell.locator(".inline-edit-form").wait_for()
    person_update(person=lead, by=User.objects.get(username="sdr.mgr"), data={"mobile": "1"})
    cell.locator("input[name=mobile]").fill("2")
    cell.locator("input[name=mobile]").press("Enter")
    cell.get_by_text("changed by").wait_for()
    assert page.url.endswith(f"/leads/{lead.pk}/")
    lead.refresh_from_db()
    assert lead.mobile == "1"
