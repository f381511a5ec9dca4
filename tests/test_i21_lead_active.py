"""LEAD-ACTIVE (issue #21): every hand-raising activity opens the active window, whatever its
path (intake, list import, logged activity); a trial's window runs to trial end + 30 days
when that is later than 60 days; on-demand webcasts are not hand-raises."""

import datetime
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from gtm_portal.api.models import ApiToken
from leads import scoring
from leads.imports import services as import_services
from leads.models import Lead
from leads.services.active import open_active_window
from leads.services.sequences import person_log_activity
from opportunities.enums import Stage
from tests.factories import AccountFactory, LeadFactory, OpportunityFactory

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def post(client, demo):
    token = ApiToken.issue(name="web", scope="intake")[1]

    def send(**fields):
        body = {"submission_id": uuid.uuid4().hex, "last_name": "Person", **fields}
        r = client.post(
            "/api/v1/intake/",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
        )
        assert r.status_code in (200, 201), r.content
        return Lead.objects.get(email=fields["email"])

    return send


def test_lead_active_window_rule_is_sixty_days_or_trial_end_plus_thirty():
    today = datetime.date(2026, 3, 1)
    assert scoring.active_window_end("web_chat", today) == today + 60 * DAY
    assert scoring.active_window_end("trial_saas", today) == today + 60 * DAY
    later = today + 50 * DAY
    assert scoring.active_window_end("trial_saas", today, trial_end=later) == later + 30 * DAY
    early = today + 10 * DAY  # trial end + 30 is earlier than 60 days: 60 days hold
    assert scoring.active_window_end("trial_self_managed", today, trial_end=early) == (
        today + 60 * DAY
    )
    assert scoring.active_window_end("ondemand_high_intent", today) is None
    assert scoring.active_window_end("newsletter", today) is None


def test_lead_active_window_days_are_the_portals_whoever_acts(refdata):
    """LEAD-ACTIVE / Q-TZ: a hand-raise at 03:00 UTC on 2 December opens the same window
    whether the API (UTC) or a rep in Los Angeles (still 1 December there) records it."""
    at = datetime.datetime(2026, 12, 2, 3, 0, tzinfo=datetime.UTC)
    ends = []
    for zone in ("UTC", "America/Los_Angeles"):
        lead = LeadFactory(active_until=None)
        with timezone.override(zone):
            assert open_active_window(lead, "web_chat", at)
        ends.append(lead.active_until)
    assert ends == [datetime.date(2026, 12, 2) + 60 * DAY] * 2


def test_lead_active_on_demand_webcast_opens_no_window(post):
    lead = post(form="ondemand_high_intent", email="od@firm.example")
    assert lead.active_until is None


def test_lead_active_trial_runs_to_trial_end_plus_thirty_days(post):
    today = timezone.localdate()
    account = AccountFactory(domain="trialco.example")
    OpportunityFactory(account=account, trial_expiry=today + 50 * DAY, stage=Stage.DISCOVERY)
    lead = post(form="trial_saas", email="t@trialco.example", company=account.name)
    assert lead.matched_account == account
    assert lead.active_until == today + 80 * DAY
    plain = post(form="trial_saas", email="t@elsewhere.example")
    assert plain.active_until == today + 60 * DAY


def test_lead_active_import_of_a_trial_source_opens_the_window(
    users, monkeypatch, django_capture_on_commit_callbacks
):
    original = import_services.import_commit

    def commit_then_run(**kwargs):  # the commit's task runs once the request commits
        with django_capture_on_commit_callbacks(execute=True):
            return original(**kwargs)

    monkeypatch.setattr(import_services, "import_commit", commit_then_run)
    body = (
        b"first_name,last_name,email,company,initial_source\n"
        b"Tia,Trial,tia@imp-trial.example,Imp,Trial - Enterprise\n"
        b"Con,Ference,con@imp-trial.example,Imp,Conference\n"
    )
    client = Client()
    client.force_login(users["mops"])
    r = client.post("/imports/", {"file": SimpleUploadedFile("list.csv", body)})
    run_id = int(r["Location"].rstrip("/").rsplit("/", 1)[1])
    client.post(f"/imports/{run_id}/commit/", {"mode": "all"})
    today = timezone.localdate()
    tia = Lead.objects.get(email="tia@imp-trial.example")
    assert tia.active_until == today + 60 * DAY
    assert Lead.objects.get(email="con@imp-trial.example").active_until is None


def test_lead_active_a_logged_inbound_chat_opens_the_window(users):
    lead = LeadFactory(owner=users["sdr.emea1"])
    person_log_activity(person=lead, by=users["sdr.emea1"], kind="chat", direction="outbound")
    lead.refresh_from_db()
    assert lead.active_until is None  # the rep reaching out is no hand-raise
    person_log_activity(person=lead, by=users["sdr.emea1"], kind="chat", direction="inbound")
    lead.refresh_from_db()
    assert lead.active_until == timezone.localdate() + 60 * DAY
