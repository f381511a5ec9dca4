"""INTAKE-1..4, CONTRACT 6.1 and the read API of 6.3; scoring vectors through the intake."""

import json
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import Account, Contact
from gtm_portal.activity.models import Activity
from gtm_portal.api.models import ApiToken
from leads.models import IntakeSubmission, Lead, RoutingDecision, ScoreEvent

pytestmark = pytest.mark.django_db

SCORING = json.loads((Path(__file__).parent / "data/scoring.json").read_text())


@pytest.fixture
def token(demo):
    return ApiToken.issue(name="web", scope="intake")[1]


@pytest.fixture
def post(client, token):
    def send(key=None, **fields):
        body = {
            "submission_id": uuid.uuid4().hex,
            "form": "contact_us",
            "email": f"p{uuid.uuid4().hex[:8]}@firm.example",
            "last_name": "Person",
            **fields,
        }
        return client.post(
            "/api/v1/intake/",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {key or token}",
        )

    return send


def db_state():
    return (
        Lead.objects.count(),
        Contact.objects.count(),
        Activity.objects.count(),
        ScoreEvent.objects.count(),
        RoutingDecision.objects.count(),
    )


@pytest.mark.parametrize("case", SCORING["cases"], ids=[c["id"] for c in SCORING["cases"]])
def test_scoring_vectors_through_intake(post, case, users):
    """REF-4, REF-5, LEAD-STATUS 1-3 as tests/data/scoring.json states them."""
    from leads.services.persons import person_change_status

    for step in case["steps"]:
        if step.get("action") == "move to Recycle":
            lead = Lead.objects.get(email__iexact=case["email"])
            person_change_status(person=lead, to="Recycle", by=users["mops"])
            lead.refresh_from_db()
            score, status = lead.person_score, lead.status
        else:
            r = post(form=step["form"], email=case["email"], title=case["title"], country="Germany")
            assert r.status_code in (200, 201), r.content
            score, status = r.json()["person_score"], r.json()["status"]
        assert (score, status) == (step["score"], step["status"]), (case["id"], step)
        if "mql_count" in step:
            assert Lead.objects.get(email__iexact=case["email"]).mql_count == step["mql_count"]


def test_contract_answer_shape_and_replay(post):
    sid = uuid.uuid4().hex
    first = post(
        submission_id=sid,
        form="trial_self_managed",
        email="ana@firma.example",
        title="Head of Platform",
        country="DE",
        company="Firma GmbH",
    )
    assert first.status_code == 201
    body = first.json()
    assert body["person"]["type"] == "lead" and body["status"] == "MQL"
    assert body["person_score"] == 155
    assert body["owner"] == {"username": "sdr.emea1", "queue": None}  # EMEA SDR, Expert first
    assert body["routing"]["rule"] == "ROUTE-2.12" and body["routing"]["explanation"]
    assert body["sla_due"]
    before = db_state()
    again = post(
        submission_id=sid,
        form="trial_self_managed",
        email="ana@firma.example",
        title="Head of Platform",
        country="DE",
        company="Firma GmbH",
    )
    assert again.status_code == 200 and again.json() == body
    assert db_state() == before
    lead = Lead.objects.get(pk=body["person"]["id"])
    assert lead.initial_source.name == "Trial - Enterprise"
    assert lead.last_interesting_moment == "Requested a self-managed trial"


@pytest.mark.parametrize(
    "form, source",
    [
        ("trial_saas", "Trial - GitLab.com"),
        ("professional_services", "Request - Professional Services"),
        ("webcast_registration", "Webcast"),
        ("ondemand_low_intent", "Webcast"),
        ("gated_content", "Gated Content - General"),
        ("newsletter", "Newsletter"),
        ("security_newsletter", "Security Newsletter"),
        ("event_booth", "Conference"),
        ("web_chat", "Drift"),
        ("education_program", "Education"),
        ("oss_program", "OSS"),
        ("startup_program", "Web"),
        ("page_visit_pricing", "Web"),
    ],
)
def test_intake_3_initial_source_from_the_form(post, form, source):
    r = post(form=form)
    assert r.status_code == 201, r.content
    assert Lead.objects.get(pk=r.json()["person"]["id"]).initial_source.name == source


def test_intake_3_existing_lead_gets_the_activity_and_keeps_its_initial_source(post):
    r1 = post(form="newsletter", email="Same@Firm.example")
    r2 = post(form="contact_us", email="same@firm.EXAMPLE")
    assert r2.status_code == 200 and r2.json()["person"] == r1.json()["person"]
    lead = Lead.objects.get()
    assert lead.initial_source.name == "Newsletter"
    assert Activity.objects.filter(lead=lead).count() == 2


def test_intake_3_the_oldest_live_lead_with_the_e_mail_gets_it(post):
    from .factories import LeadFactory

    survivor = LeadFactory(email="twice@firm.example")
    newer = LeadFactory(email="TWICE@firm.example")
    merged = LeadFactory(email="Twice@Firm.example", merged_into=survivor)
    Lead.objects.filter(pk=merged.pk).update(created_at=survivor.created_at.replace(year=2020))
    r = post(form="contact_us", email="tWiCe@FIRM.example")
    assert r.status_code == 200 and r.json()["person"] == {"type": "lead", "id": survivor.pk}
    assert Activity.objects.filter(lead=survivor).count() == 1
    assert not Activity.objects.filter(lead_id__in=[merged.pk, newer.pk]).exists()


def test_intake_3_contact_gets_the_activity_and_is_scored_like_a_lead(post):
    contact = Contact.objects.get(email="hank.scorpio@globex.example")
    r = post(form="webcast_attended_high_intent", email="HANK.SCORPIO@globex.example")
    assert r.status_code == 200
    assert r.json()["person"] == {"type": "contact", "id": contact.pk}
    assert ScoreEvent.objects.filter(contact=contact).exists()
    assert not Lead.objects.exists()


def test_intake_3_unsubscribe_for_an_unknown_e_mail_creates_nothing(post):
    before = db_state()
    r = post(form="unsubscribe", email="ghost@nowhere.example")
    assert r.status_code == 200 and r.json()["person"] is None
    assert db_state() == before


def test_intake_3_matched_account_by_domain(post):
    r = post(form="newsletter", email="new.person@globex.example")
    lead = Lead.objects.get(pk=r.json()["person"]["id"])
    assert lead.matched_account == Account.objects.get(name="Globex Corporation")


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"form": "fax"}, "form"),
        ({"last_name": ""}, "last_name"),
        ({"submission_id": ""}, "submission_id"),
        ({"country": "Atlantis"}, "country"),
        ({"employees": -3}, "employees"),
        ({"employees": "many"}, "employees"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"campaign": "20990101_Nope"}, "campaign"),
        ({"title": "x" * 201}, "title"),
        ({"last_name": "nul\x00byte"}, "last_name"),
    ],
)
def test_intake_4_bad_input_is_400_with_field_errors_and_changes_nothing(post, fields, field):
    before = db_state()
    r = post(**fields)
    assert r.status_code == 400 and field in r.json()["errors"], r.content
    assert db_state() == before
    assert IntakeSubmission.objects.get().outcome == "refused"


def test_intake_4_missing_required_fields_and_non_object_bodies(client, token):
    r = client.post(
        "/api/v1/intake/",
        json.dumps({"form": "trial_saas", "last_name": "X"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert r.status_code == 400 and {"email", "submission_id"} <= set(r.json()["errors"])
    for raw in ("[1, 2]", "not json", ""):
        r = client.post(
            "/api/v1/intake/",
            raw,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
        )
        assert r.status_code == 400 and "errors" in r.json()
    assert not Lead.objects.exists()


def test_intake_4_blocked_domain_is_422_and_creates_nothing(post):
    from gtm_portal.refdata.models import WordListEntry

    WordListEntry.objects.create(list="blocked_domain", value="spam.example")
    before = db_state()
    r = post(email="bot@spam.example")
    assert r.status_code == 422 and r.json() == {"errors": {"email": ["blocked domain"]}}
    assert db_state() == before


def test_intake_4_a_failure_half_way_leaves_nothing(post, monkeypatch):
    import leads.services.intake as intake_module

    def explode(*args, **kwargs):
        raise RuntimeError("routing broke")

    monkeypatch.setattr(intake_module, "route_people", explode)
    before = db_state()
    with pytest.raises(RuntimeError):
        post(form="trial_saas")
    assert db_state() == before
    assert not IntakeSubmission.objects.exists()


def test_tokens_401_for_missing_wrong_or_revoked_and_403_for_another_scope(post, client):
    assert client.post("/api/v1/intake/", "{}", content_type="application/json").status_code == 401
    assert post(key="wrong").status_code == 401
    orders_token, orders_key = ApiToken.issue(name="orders", scope="orders")
    assert post(key=orders_key).status_code == 403
    revoked, key = ApiToken.issue(name="old", scope="intake")
    revoked.revoke()
    assert post(key=key).status_code == 401
    assert not Lead.objects.exists()


def test_tokens_are_stored_hashed(token):
    stored = ApiToken.objects.get(name="web")
    assert stored.key_hash != token and token not in stored.key_hash and len(stored.prefix) == 8


def test_rate_limit_per_token_answers_429(post, client):
    from django.core.cache import cache

    cache.clear()
    slow, key = ApiToken.issue(name="slow", scope="intake")
    ApiToken.objects.filter(pk=slow.pk).update(rate_limit_per_minute=2)
    codes = [post(key=key).status_code for _ in range(3)]
    assert codes[:2] == [201, 201] and codes[2] == 429
    assert Lead.objects.count() == 2


def test_create_api_token_prints_the_token_last(demo, capsys):
    call_command("create_api_token", "forms", "--scope", "intake")
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert ApiToken.objects.get(key_hash=ApiToken.hash_key(key)).scope == "intake"


def test_read_api_lead_and_email_lookup(post, client, users):
    r = post(form="trial_self_managed", email="Read.Me@firma.example", title="VP", country="DE")
    lead_id = r.json()["person"]["id"]
    client.force_login(users["mops"])
    data = client.get(f"/api/v1/leads/{lead_id}/").json()
    assert {
        "id",
        "name",
        "owner",
        "email",
        "status",
        "person_score",
        "initial_source",
        "mql_date",
        "routing_log",
    } <= set(data)
    assert data["owner"] == "sdr.emea1" and data["routing_log"][0]["rule"] == "ROUTE-2.12"
    found = client.get("/api/v1/leads/", {"email": "READ.ME@firma.example"}).json()
    assert [x["id"] for x in found["results"]] == [lead_id]
    assert client.get("/api/v1/leads/", {"email": "none@x.example"}).json() == {"results": []}
    assert client.get("/api/v1/leads/999999/").status_code == 404


def test_read_api_needs_a_login_or_a_read_token(post, client):
    lead_id = post().json()["person"]["id"]
    assert client.get(f"/api/v1/leads/{lead_id}/").status_code in (401, 403)
    _, key = ApiToken.issue(name="bi", scope="read")
    assert (
        client.get(f"/api/v1/leads/{lead_id}/", HTTP_AUTHORIZATION=f"Token {key}").status_code
        == 200
    )
    _, intake_key = ApiToken.issue(name="forms", scope="intake")
    assert (
        client.get(
            f"/api/v1/leads/{lead_id}/", HTTP_AUTHORIZATION=f"Token {intake_key}"
        ).status_code
        == 403
    )


def test_openapi_schema_describes_intake(client, users):
    client.force_login(users["mops"])
    r = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert r.status_code == 200
    assert "/api/v1/intake/" in r.content.decode()


def test_intake_fills_only_empty_fields_with_history(post):
    from gtm_portal.core.history import history_for

    post(form="newsletter", email="fill@firm.example", title="Analyst")
    post(form="contact_us", email="fill@firm.example", title="CEO", phone="+49 30 1")
    lead = Lead.objects.get()
    assert lead.title == "Analyst" and lead.phone == "+49 30 1"
    rows = [h for h in history_for(lead) if h.field == "phone"]
    assert rows and "INTAKE-3" in rows[0].reason


def test_lead_active_hand_raise_opens_the_sixty_day_window(post):
    import datetime

    from django.utils import timezone

    post(form="newsletter", email="quiet@firm.example")
    assert Lead.objects.get().active_until is None  # not a hand-raise
    post(form="webcast_attended_high_intent", email="quiet@firm.example")
    assert Lead.objects.get().active_until == timezone.localdate() + datetime.timedelta(days=60)


@pytest.mark.parametrize("kind, expected", [("webcast", "Inquiry"), ("e-mail", "Raw")])
def test_camp_1_responded_campaign_member_becomes_inquiry_except_for_e_mail(post, kind, expected):
    from leads.models import Campaign, CampaignMember

    campaign = Campaign.objects.create(name=f"20261101_{kind}", type=kind)
    campaign.statuses.create(name="Attended", responded=True)
    body = post(form="page_visit_installation", email="c@firm.example", campaign=campaign.name)
    assert body.json()["status"] == expected
    assert CampaignMember.objects.get(campaign=campaign).lead_id == body.json()["person"]["id"]


def test_lead_test_records_are_not_routed_and_stay_out_of_views(post, client, users):
    body = post(
        form="trial_self_managed", email="qa@firm.example", title="Test", country="Germany"
    ).json()
    assert body["routing"]["rule"] == "ROUTE-2.1" and body["owner"]["username"] is None
    lead = Lead.objects.get(pk=body["person"]["id"])
    Lead.objects.filter(pk=lead.pk).update(owner=users["sdr.emea1"])
    client.force_login(users["sdr.emea1"])
    assert lead.pk not in [r.pk for r in client.get("/leads/views/S1/").context["page"].rows]


def test_q_sec_the_schema_describes_list_answers_and_every_refusal(client, users):
    client.force_login(users["mops"])
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    leads = schema["paths"]["/api/v1/leads/"]["get"]["responses"]
    assert schema["components"]["schemas"]["LeadList"]["properties"]["results"]["type"] == "array"
    assert leads["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/LeadList")
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert {"400", "401", "403", "429", "503"} <= codes, (path, method)
            assert ("404" in codes) == ("{" in path), (path, method)
            assert ("409" in codes) == (method == "post"), (path, method)
            refusal = operation["responses"]["400"]["content"]["application/json"]["schema"]
            assert refusal["$ref"].endswith("/Errors")
    errors = schema["components"]["schemas"]["Errors"]
    assert errors["properties"]["errors"]["additionalProperties"]["type"] == "array"


@pytest.mark.parametrize("scope, allowed", [("read", True), ("intake", False), ("orders", False)])
def test_q_sec_the_schema_is_for_logins_and_read_tokens_only(client, demo, scope, allowed):
    _, key = ApiToken.issue(name=f"schema-{scope}", scope=scope)
    r = client.get(
        "/api/v1/schema/", HTTP_ACCEPT="application/json", HTTP_AUTHORIZATION=f"Token {key}"
    )
    assert r.status_code == (200 if allowed else 403)
    assert client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").status_code in (401, 403)
