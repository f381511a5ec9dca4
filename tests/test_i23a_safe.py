"""Q-SAFE: no input gives a 500 — each request shape the outside attack found answers 400
(or the form's error naming the field) and writes nothing."""

import json

import pytest

from accounts.models import Contact
from gtm_portal.activity.models import Activity, Enrollment, Task
from gtm_portal.api.models import ApiToken
from gtm_portal.core.models import FieldChange
from leads.models import CampaignMember, IntakeSubmission, Lead
from opportunities.models import Opportunity, OpportunityContactRole

from .factories import LeadFactory

pytestmark = pytest.mark.django_db

SURROGATE = "\ud800"


def written():
    return [
        m.objects.count()
        for m in (
            Lead,
            Contact,
            Activity,
            Task,
            Enrollment,
            CampaignMember,
            OpportunityContactRole,
            FieldChange,
        )
    ]


@pytest.fixture
def intake_key(demo):
    return ApiToken.issue(name="web", scope="intake")[1]


def _intake(client, key, raw: str):
    return client.post(
        "/api/v1/intake/", raw, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
    )


INTAKE_BODY = {
    "submission_id": "s-safe",
    "form": "contact_us",
    "email": "safe@firm.example",
    "first_name": "Sa",
    "last_name": "Fe",
    "company": "Firm",
    "title": "CTO",
    "phone": "123",
    "country": "Germany",
    "state": "Berlin",
    "website": "firm.example",
    "description": "hello",
    "campaign": "",
}


@pytest.mark.parametrize("field", [k for k in INTAKE_BODY if k != "campaign"])
def test_q_safe_lone_surrogate_in_any_intake_field_is_400_naming_it(client, intake_key, field):
    before = written(), IntakeSubmission.objects.filter(submission_id="s-safe").count()
    body = {**INTAKE_BODY, field: INTAKE_BODY[field] + SURROGATE}
    r = _intake(client, intake_key, json.dumps(body))  # json.dumps writes it as \ud800
    assert r.status_code == 400, r.content
    assert field in r.json()["errors"]
    assert (written(), IntakeSubmission.objects.filter(submission_id="s-safe").count()) == before


def test_q_safe_nul_in_an_intake_field_is_400_naming_it(client, intake_key):
    before = written()
    r = _intake(client, intake_key, json.dumps({**INTAKE_BODY, "last_name": "Fe\x00"}))
    assert r.status_code == 400 and "last_name" in r.json()["errors"]
    assert written() == before


DEEP = "[" * 5000 + "]" * 5000
DEEP_OBJECT = '{"a": ' * 5000 + "1" + "}" * 5000


@pytest.mark.parametrize("raw", [DEEP, DEEP_OBJECT, json.dumps({**INTAKE_BODY, "x": DEEP})])
def test_q_safe_json_nested_5000_deep_is_400_at_intake(client, intake_key, raw):
    before = written()
    if raw.startswith('{"submission_id"'):
        raw = raw.replace(json.dumps(DEEP), DEEP)
    r = _intake(client, intake_key, raw)
    assert r.status_code == 400, r.content
    assert r.json()["errors"]
    assert written() == before


@pytest.mark.parametrize(
    "url, scope",
    [("/api/v1/orders/", "orders"), ("/api/v1/intake/", "intake"), ("/api/v1/leads/", "read")],
)
def test_q_safe_json_nested_5000_deep_is_400_on_every_json_api(client, demo, url, scope):
    key = ApiToken.issue(name=f"t-{scope}", scope=scope)[1]
    r = client.post(url, DEEP, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}")
    assert r.status_code == 400 and r.json()["errors"]


def test_q_safe_nul_email_on_the_read_api_is_400_naming_email(client, demo):
    key = ApiToken.issue(name="reader", scope="read")[1]
    r = client.get("/api/v1/leads/?email=%00", HTTP_AUTHORIZATION=f"Token {key}")
    assert r.status_code == 400 and "email" in r.json()["errors"]


@pytest.fixture
def sdr(client, users):
    client.force_login(users["sdr.emea1"])
    return users["sdr.emea1"]


@pytest.mark.parametrize(
    "params",
    [
        {"action": "campaign", "campaign": "abc"},
        {"action": "enroll", "sequence": "abc"},
        {"action": "campaign", "campaign": "²"},
        {"action": "owner", "owner": "abc"},
    ],
)
def test_q_safe_mass_action_with_a_non_id_is_refused_naming_the_field(client, sdr, params):
    lead = LeadFactory(owner=sdr, status="MQL")
    before = written()
    r = client.post("/leads/views/S1/mass/", {"ids": [lead.pk], **params}, follow=True)
    assert r.status_code in (200, 400), r.status_code
    text = r.content.decode()
    field = next(k for k in params if k != "action")
    assert "VIEW-5" in text and field in text.lower()
    assert written() == before


@pytest.mark.parametrize("value", ["abc", "²", "-1", "9" * 30])
def test_q_safe_enroll_with_a_non_id_sequence_is_refused(client, sdr, value):
    lead = LeadFactory(owner=sdr, status="MQL")
    before = written()
    r = client.post(f"/leads/{lead.pk}/enroll/", {"sequence": value}, follow=True)
    assert r.status_code in (200, 400)
    assert "SEQ-1: choose an active sequence" in r.content.decode()
    assert written() == before
    lead.refresh_from_db()
    assert lead.status == "MQL"


@pytest.mark.parametrize("value", ["abc", "²", "9" * 30, "1\x00"])
def test_q_safe_contact_roles_with_a_non_id_contact_is_refused(client, users, value):
    opp = Opportunity.objects.order_by("pk").first()
    client.force_login(users["salessupport"])
    before = written()
    r = client.post(
        f"/opportunities/{opp.pk}/contact-roles/",
        {"contact": value, "version": opp.version},
        follow=True,
    )
    assert r.status_code in (200, 400)
    assert written() == before


@pytest.mark.parametrize("ids", ["abc", "²", "9" * 30, "1\x00"])
def test_q_safe_merge_with_non_id_ids_is_refused(client, users, ids):
    client.force_login(users["mops"])
    before = written()
    r = client.get("/leads/merge/", {"ids": ids}, follow=True)
    assert r.status_code in (200, 400), r.status_code
    assert written() == before


@pytest.mark.parametrize("url", ["/leads/views/S1/", "/contacts/views/S1/", "/leads/views/counts/"])
def test_q_safe_nul_in_as_is_400(client, sdr, url):
    r = client.get(url + "?as=%00")
    assert r.status_code == 400


@pytest.mark.parametrize("field", ["subject", "body"])
def test_q_safe_nul_in_an_activity_is_refused_naming_the_field(client, sdr, field):
    lead = LeadFactory(owner=sdr, status="Accepted")
    before = written()
    r = client.post(
        f"/leads/{lead.pk}/activities/",
        {"kind": "call", "subject": "Call", "body": "", field: "a\x00b"},
    )
    assert r.status_code == 400
    assert written() == before


def test_q_safe_nul_in_a_task_subject_is_refused(client, sdr):
    lead = LeadFactory(owner=sdr, status="Accepted")
    before = written()
    r = client.post(
        f"/leads/{lead.pk}/tasks/", {"subject": "Follow up\x00", "due_date": "2026-12-30"}
    )
    assert r.status_code == 400
    assert written() == before


def test_q_safe_view_owner_refuses_a_nul_username_as_bad_input(rf, users):
    """Behind the guard, the view's own parsing of ?as= refuses a NUL too (400, no query)."""
    from django.core.exceptions import BadRequest

    from gtm_portal.core.access import view_owner

    request = rf.get("/leads/views/S1/", {"as": "sdr\x00"})
    request.user = users["sdr.mgr"]
    with pytest.raises(BadRequest, match="as:"):
        view_owner(request)
