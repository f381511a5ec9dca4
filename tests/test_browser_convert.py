"""End-to-end in headless Chromium (issue 7): find duplicates, then convert a lead into a new
account with an opportunity and land on the opportunity (LEAD-DUP-1, LEAD-CONVERT-1)."""

import datetime

import pytest

from .test_browser import login

pytestmark = pytest.mark.browser


def test_sdr_converts_a_lead_into_a_new_account_and_lands_on_the_opportunity(
    transactional_db, demo, page, live_server, screenshot
):
    from django.utils import timezone

    from accounts.models import Account
    from gtm_portal.activity.models import Activity
    from gtm_portal.users.models import User
    from leads.models import Lead
    from opportunities.models import Opportunity

    from .factories import AccountFactory, LeadFactory

    me = User.objects.get(username="sdr.amer1")
    ae = User.objects.get(username="ae.amer1")
    # A look-alike account exists: the new one needs the explicit confirmation.
    AccountFactory(name="Roadrunner Labs", domain="rr-labs.example", owner=ae)
    lead = LeadFactory(
        first_name="Wile",
        last_name="Coyote",
        owner=me,
        status="Qualifying",
        company="Roadrunner Labs",
        email="wile@roadrunner.example",
        title="Head of Engineering",
    )
    Activity.objects.create(
        lead=lead,
        kind="call",
        two_way=True,
        logged_by=me,
        occurred_at=timezone.now(),
        subject="Discovery call",
    )

    login(page, live_server, "sdr.amer1")
    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    page.get_by_role("link", name="Find duplicates").click()
    page.get_by_role("heading", name="Duplicates of Wile Coyote").wait_for()
    assert page.locator("#dup-accounts").is_visible()
    screenshot("lead-duplicates")
    page.get_by_role("link", name="Convert", exact=True).click()
    page.get_by_role("heading", name="Convert Wile Coyote").wait_for()

    page.get_by_label("A new account", exact=True).check()
    page.get_by_label("Account name").fill("Roadrunner Labs Europe")
    # A rep leaves the new account with Sales Admin (an AE claims it) and keeps the warm
    # conversation as their own 00-Pre Opportunity (LEAD-CONVERT-1, OPP-V1).
    page.get_by_label("Warm conversation, not ready for sales").check()
    page.get_by_label("Close date").fill(
        (timezone.localdate() + datetime.timedelta(days=45)).isoformat()
    )
    page.get_by_label("Right person/profile confirmed").check()
    page.get_by_label("Business problem").fill("Release pipeline takes two days")
    page.get_by_role("button", name="Convert", exact=True).click()
    # Refused first: an account already matches and nothing was created.
    page.get_by_text("already matches this person").wait_for()
    assert not Account.objects.filter(name="Roadrunner Labs Europe").exists()
    screenshot("lead-convert-needs-confirmation")

    page.get_by_label("Create a new account although a matching one exists").check()
    page.get_by_role("button", name="Convert", exact=True).click()
    page.wait_for_url(f"{live_server.url}/opportunities/*/")
    opp = Opportunity.objects.get(account__name="Roadrunner Labs Europe")
    assert page.url == f"{live_server.url}/opportunities/{opp.pk}/"
    assert page.get_by_role("heading", name=opp.name).is_visible()
    assert opp.owner == me and opp.sdr_bdr is None and opp.stage == "00-Pre Opportunity"
    assert opp.account.owner.display_name == "Sales Admin"
    assert Lead.objects.get(pk=lead.pk).status == "Qualified"
    screenshot("lead-converted-opportunity")
