"""SPEC Q-PERF intake: the shortcuts of the intake path answer exactly as the long way does
(token last use stamped once a minute, routing of a person just inserted, one intake log
write, scoring before the insert)."""

import datetime
import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gtm_portal.api.models import ApiToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(demo):
    return ApiToken.issue(name="web", scope="intake")


@pytest.fixture
def post(client, token):
    def send(**fields):
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
            HTTP_AUTHORIZATION=f"Token {token[1]}",
        )

    return send


def token_updates(captured) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith("UPDATE") and "api_apitoken" in q["sql"]
    ]


def test_token_last_use_is_stamped_on_first_use_then_at_most_once_a_minute(post, token):
    stored, _key = token
    assert ApiToken.objects.get(pk=stored.pk).last_used_at is None
    with CaptureQueriesContext(connection) as first:
        assert post().status_code == 201
    stamped = ApiToken.objects.get(pk=stored.pk).last_used_at
    assert stamped is not None and len(token_updates(first)) == 1
    # Within the minute: no UPDATE of the token row, the stored moment stays.
    with CaptureQueriesContext(connection) as second:
        assert post().status_code == 201
    assert token_updates(second) == []
    assert ApiToken.objects.get(pk=stored.pk).last_used_at == stamped
    # A minute later the next use stamps it again.
    old = timezone.now() - datetime.timedelta(seconds=61)
    ApiToken.objects.filter(pk=stored.pk).update(last_used_at=old)
    with CaptureQueriesContext(connection) as later:
        assert post().status_code == 201
    assert len(token_updates(later)) == 1
    assert ApiToken.objects.get(pk=stored.pk).last_used_at > old + datetime.timedelta(seconds=60)


def test_a_refused_token_is_never_stamped(post, client, token):
    revoked, key = ApiToken.issue(name="old", scope="intake")
    revoked.revoke()
    r = client.post(
        "/api/v1/intake/", "{}", content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
    )
    assert r.status_code == 401
    assert ApiToken.objects.get(pk=revoked.pk).last_used_at is None


def test_the_intake_log_row_is_written_once_and_a_repeat_writes_nothing(post):
    """INTAKE-2 / Q-IDEM: one INSERT of the log row (no UPDATE); the same id again answers
    the first answer and leaves every table as it was."""
    from accounts.models import Contact
    from gtm_portal.activity.models import Activity
    from gtm_portal.chatter.models import Notification
    from gtm_portal.core.models import FieldChange
    from leads.models import IntakeSubmission, Lead, RoutingDecision, ScoreEvent

    def state():
        return [
            m.objects.count()
            for m in (
                Lead,
                Contact,
                Activity,
                ScoreEvent,
                RoutingDecision,
                FieldChange,
                Notification,
                IntakeSubmission,
            )
        ]

    with CaptureQueriesContext(connection) as captured:
        first = post(
            submission_id="once-1",
            form="trial_saas",
            email="once@firm.example",
            title="VP Engineering",
        )
    assert first.status_code == 201
    log_writes = [
        q["sql"].split()[0]
        for q in captured.captured_queries
        if "leads_intakesubmission" in q["sql"] and not q["sql"].startswith("SELECT")
    ]
    assert log_writes == ["INSERT"]
    before = state()
    again = post(
        submission_id="once-1",
        form="trial_saas",
        email="once@firm.example",
        title="VP Engineering",
    )
    assert again.status_code == 200 and again.json() == first.json()
    assert state() == before
    assert IntakeSubmission.objects.get(submission_id="once-1").response == first.json()


@pytest.mark.django_db(transaction=True)
def test_bench_concurrent_intake_commits_every_submission(demo):
    """The bench's concurrent operation: K processes, each submission answered 201, scored,
    routed and committed (it runs where other processes see committed rows: PostgreSQL)."""
    if connection.vendor != "postgresql":
        pytest.skip("forked submitters need a database other processes can reach")
    from gtm_portal.devtools.bench.intake import ConcurrentIntake, _token
    from leads.models import IntakeSubmission

    before = IntakeSubmission.objects.count()
    run = ConcurrentIntake(_token(), workers=2, per_worker=3, warmup=1)
    run.run(0)
    stats = run.details()
    assert stats["workers"] == 2 and stats["submissions"] == 6
    assert stats["submissions_per_s"] > 0 and stats["latency_p95_ms"] >= stats["latency_p50_ms"]
    assert IntakeSubmission.objects.count() == before + 8


@pytest.mark.parametrize(
    ("form", "title"), [("trial_self_managed", "VP Engineering"), ("newsletter", "Student")]
)
def test_a_new_lead_goes_in_scored_routed_and_explained(post, form, title):
    """INTAKE-3/LEAD-SCORE-1/ROUTE-1/ROUTE-4: a new lead is stored with its scores, status,
    owner and SLA as the answer says, and its history holds the scoring's and the routing's
    rows."""
    from django.contrib.contenttypes.models import ContentType

    from gtm_portal.core.models import FieldChange
    from leads.models import Lead

    r = post(form=form, title=title, country="US")
    assert r.status_code == 201, r.content
    lead = Lead.objects.get(pk=r.json()["person"]["id"])
    answer = r.json()
    assert (lead.status, lead.person_score) == (answer["status"], answer["person_score"])
    assert lead.owner_id is not None
    assert (lead.owner.username if not lead.owner.is_queue else lead.owner.display_name) in (
        answer["owner"]["username"],
        answer["owner"]["queue"],
    )
    assert (lead.sla_due.isoformat() if lead.sla_due else None) == answer["sla_due"]
    reasons = set(
        FieldChange.objects.filter(
            content_type=ContentType.objects.get_for_model(Lead), object_id=lead.pk
        ).values_list("field", flat=True)
    )
    assert {"status", "owner"} <= reasons


def test_intake_serializer_fields_are_its_own(refdata):
    """INTAKE-4 validation with the declared fields copied shallowly per serializer: each
    serializer's fields are bound to it alone, the class's stay unbound, and one
    serializer's errors never reach the next."""
    from gtm_portal.api.serializers import IntakeSerializer

    bad = IntakeSerializer(
        data={
            "submission_id": " ",
            "form": "nope",
            "email": "x",
            "last_name": "",
            "employees": -1,
            "country": "Atlantis",
        }
    )
    assert not bad.is_valid()
    assert set(bad.errors) == {
        "submission_id",
        "form",
        "email",
        "last_name",
        "employees",
        "country",
    }
    good = IntakeSerializer(
        data={
            "submission_id": "s-1",
            "form": "contact_us",
            "email": "a@firm.example",
            "last_name": "Lee",
            "employees": 40,
            "country": "DE",
        }
    )
    assert good.is_valid(), good.errors
    assert good.validated_data["employees"] == 40 and good.errors == {}
    for name in ("email", "form", "employees"):
        assert bad.fields[name] is not good.fields[name]
        assert bad.fields[name].parent is bad and good.fields[name].parent is good
        assert IntakeSerializer._declared_fields[name].parent is None


@pytest.mark.parametrize(
    ("email", "company", "website", "expect"),
    [
        ("new1@globex-match.example", "", "", "by e-mail domain"),
        ("new2@gmail.com", "Initech Match, Inc.", "", "by name"),
        ("new3@gmail.com", "", "https://www.globex-match.example/about", "by website"),
        ("new4@gmail.com", "Nobody Matches Ltd", "", None),
    ],
)
def test_a_new_leads_account_comes_with_the_lookup(post, email, company, website, expect):
    """INTAKE-3/ROUTE account matching: the account a new lead matches is the rule's
    (`match_account` on its e-mail, company and website)."""
    from accounts.matching import match_account
    from accounts.models import Account
    from leads.models import Lead
    from leads.reference_snapshot import snapshot

    def account(**fields):
        made = Account(**fields)
        made.derive()
        made.save()
        return made

    by_domain = account(name="Globex Match", domain="globex-match.example")
    by_name = account(name="Initech Match")
    assert post().status_code == 201  # reference snapshot read, token stamped
    r = post(email=email, company=company, website=website, form="contact_us")
    assert r.status_code == 201, r.content
    lead = Lead.objects.get(pk=r.json()["person"]["id"])
    rule = match_account(
        email=email, company=company, website=website, free_domains=snapshot().scoring.free_domains
    )
    assert lead.matched_account_id == (rule.pk if rule else None)
    assert (
        lead.matched_account_id
        == {
            "by e-mail domain": by_domain.pk,
            "by website": by_domain.pk,
            "by name": by_name.pk,
            None: None,
        }[expect]
    )
