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
        body = {"submission_id": uuid.uuid4().hex, "form": "contact_us",
                "email": f"p{uuid.uuid4().hex[:8]}@firm.example", "last_name": "Person",
                **fields}
        return client.post("/api/v1/intake/", json.dumps(body), content_type="application/json",
                           HTTP_AUTHORIZATION=f"Token {token[1]}")
    return send


def token_updates(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries
            if q["sql"].startswith("UPDATE") and "api_apitoken" in q["sql"]]


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
    r = client.post("/api/v1/intake/", "{}", content_type="application/json",
                    HTTP_AUTHORIZATION=f"Token {key}")
    assert r.status_code == 401
    assert ApiToken.objects.get(pk=revoked.pk).last_used_at is None



def _routing_summary(row, person) -> dict:
    from django.contrib.contenttypes.models import ContentType

    from gtm_portal.chatter.models import Notification
    from gtm_portal.core.models import FieldChange

    ct = ContentType.objects.get_for_model(type(person))
    return {
        "rule": row.rule, "owner": row.owner_id, "pool": row.pool_id,
        "explanation": row.explanation, "notifications": row.notifications,
        "sla_due": row.sla_due, "trigger": row.trigger,
        "person": (person.owner_id, person.sla_due, person.version, person.status),
        "stored": list(type(person).objects.filter(pk=person.pk).values_list(
            "owner_id", "sla_due", "version", "updated_by_id", "status", "person_score")),
        "history": sorted(FieldChange.objects.filter(content_type=ct, object_id=person.pk)
                          .values_list("field", "old_value", "new_value", "reason")),
        "notified": sorted(Notification.objects.filter(content_type=ct, object_id=person.pk)
                           .values_list("recipient_id", "reason", "message")),
        "decisions": row.__class__.objects.filter(
            **{f"{type(person).__name__.lower()}_id": person.pk}).count(),
    }


ROUTED_CASES = [
    # form, e-mail, title, country: an MQL at an account with an actively working BDR, a
    # hand-raise at a restricted account, a new inquiry below the threshold, an MQL from a
    # free-mail address (pools), an MQL with a company domain and no account.
    ("trial_self_managed", "fresh1@globex.example", "VP Engineering", "US"),
    ("contact_us", "fresh2@initech.example", "Director of Engineering", "Germany"),
    ("newsletter", "fresh3@firm.example", "Student", "France"),
    ("trial_saas", "fresh4@gmail.com", "Developer", "Australia"),
    ("webcast_attended_high_intent", "fresh5@newco.example", "Head of Platform", "Brazil"),
]


@pytest.mark.parametrize(("form", "email", "title", "country"), ROUTED_CASES + [
    # a known lead (created by a first submission) raising its hand, and a known contact
    ("trial_self_managed", "known1@firm.example", "Student", "France"),
    ("contact_us", "hank.scorpio@globex.example", "VP Engineering", "US"),
])
def test_fresh_routing_decides_as_the_re_reading_path(post, monkeypatch, form, email, title,
                                                      country):
    """A person intake created (or locked and read) is routed as it is: the same decision,
    owner, SLA, history and notifications as re-reading and locking its row. A new lead is
    routed before its INSERT (`insert`): compared with inserting it first and routing the
    row read back (the scoring's own history rows aside)."""
    import copy

    from django.db import connections, transaction

    import leads.services.intake as intake_module
    from accounts.models import Contact
    from leads.services.routing import route_people

    if email == "known1@firm.example":
        assert post(form="newsletter", email=email, title=title).status_code == 201
    known = email.startswith("hank") or email == "known1@firm.example"
    if email.startswith("hank"):
        assert Contact.objects.filter(email=email).exists()

    seen, written = {}, {}
    now = timezone.now()

    def routed_only(summary):
        summary["history"] = [h for h in summary["history"] if "routed" in h[3]]
        return summary

    def both_ways(people, **kwargs):
        insert = kwargs.pop("insert", None)
        assert (insert is not None) != bool(kwargs.pop("fresh", False))
        assert (insert is not None) == (not known)
        kwargs["now"] = now
        person = people[0]
        # The reference writes at once and is rolled back: it steps outside the new lead's
        # one statement (`bulk.one_statement`), which is still being filled.
        conn = connections["default"]
        batch, conn.__dict__["_one_statement"] = conn.__dict__.get("_one_statement"), None
        try:
            with transaction.atomic():
                if insert is not None:   # the scored lead, inserted first, as it was before
                    twin = copy.deepcopy(person)
                    twin.pk = None
                    twin.save(force_insert=True)
                    person_id = twin.pk
                else:
                    person_id = person.pk
                row = route_people([type(person).objects.get(pk=person_id)], **kwargs)[0]
                seen["re-read"] = routed_only(_routing_summary(row, row.person_obj))
                transaction.set_rollback(True)
        finally:
            conn.__dict__["_one_statement"] = batch
        if insert is not None:
            rows = route_people(people, insert=insert, **kwargs)
        else:
            rows = route_people(people, fresh=True, **kwargs)
        written["row"] = rows[0]
        return rows

    monkeypatch.setattr(intake_module, "route_people", both_ways)
    r = post(form=form, email=email, title=title, country=country)
    assert r.status_code == (200 if known else 201), r.content
    # Read once the submission is written (a new lead's rows go in at the end).
    whole = _routing_summary(written["row"], written["row"].person_obj)
    scoring_history = [h for h in whole["history"] if "routed" not in h[3]]
    seen["fresh"] = routed_only(whole)
    assert seen["fresh"] == seen["re-read"]
    assert seen["fresh"]["decisions"] == (2 if email == "known1@firm.example" else 1)
    assert r.json()["routing"]["rule"] == seen["fresh"]["rule"]
    if not known:   # the scoring's history rows went in with routing's, on the new lead
        assert [h[:2] for h in scoring_history if h[0] == "status"] == [("status", "Raw")]


def _scored_state(lead) -> dict:
    from django.contrib.contenttypes.models import ContentType

    from gtm_portal.core.models import FieldChange
    from leads.models import Lead, ScoreEvent

    ct = ContentType.objects.get_for_model(Lead)
    return {
        "row": Lead.objects.filter(pk=lead.pk).values(
            "status", "behaviour_score", "demographic_score", "person_score", "mql_count",
            "version", "updated_by_id", "last_interesting_moment").get(),
        "mql_date_set": Lead.objects.get(pk=lead.pk).mql_date is not None,
        "events": sorted(
            (rule_id or 0, name, kind, points, score_after, activity_id is not None)
            for rule_id, name, kind, points, score_after, activity_id in
            ScoreEvent.objects.filter(lead=lead).values_list(
                "rule_id", "rule_name", "kind", "points", "score_after", "activity_id")),
        "history": sorted(
            (f, old, new if f != "mql_date" else bool(new), why)
            for f, old, new, why in FieldChange.objects.filter(
                content_type=ct, object_id=lead.pk).values_list(
                "field", "old_value", "new_value", "reason")),
    }


@pytest.mark.parametrize(("form", "title", "responded"), [
    ("trial_self_managed", "VP Engineering", False),
    ("newsletter", "Student", False),
    ("newsletter", "Developer", True),
    ("page_visit_careers", "", False),
    ("webcast_attended_high_intent", "Director of Engineering", False),
])
def test_scoring_a_new_lead_before_its_insert_ends_as_scoring_it_after(demo, form, title,
                                                                        responded):
    """LEAD-SCORE-1: `new_person_record_form` (scores, then one INSERT) leaves the lead, its
    score events and its history exactly as inserting it and then `person_record_form`."""
    from gtm_portal.activity.services import activity_record
    from leads.models import Lead
    from leads.reference_snapshot import snapshot
    from leads.services.persons import new_person_record_form, person_record_form

    snap = snapshot()
    ctx = snap.scoring

    def lead(n):
        person = Lead(email=f"score{n}@firm.example", last_name="New", title=title,
                      status="Raw", last_interesting_moment="Filled a form",
                      initial_source=snap.sources["Web"])
        person.derive()
        return person

    def record(person):
        return activity_record(kind="form_fill", direction="inbound", form_kind=form,
                               lead=person, validate=False)

    after = lead(1)
    after.save(force_insert=True)
    old = person_record_form(person=after, form_kind=form, activity=record(after), ctx=ctx,
                             campaign_response=responded, fresh=True)
    before = lead(2)
    new = new_person_record_form(person=before, form_kind=form, record_activity=record,
                                 ctx=ctx, campaign_response=responded)
    assert (new.became_mql, new.status_changes) == (old.became_mql, old.status_changes)
    assert _scored_state(new.person) == _scored_state(old.person)
    assert _scored_state(new.person)["events"]


def test_the_intake_log_row_is_written_once_and_a_repeat_writes_nothing(post):
    """INTAKE-2 / Q-IDEM: one INSERT of the log row (no UPDATE); the same id again answers
    the first answer and leaves every table as it was."""
    from accounts.models import Contact
    from gtm_portal.activity.models import Activity
    from gtm_portal.chatter.models import Notification
    from gtm_portal.core.models import FieldChange
    from leads.models import IntakeSubmission, Lead, RoutingDecision, ScoreEvent

    def state():
        return [m.objects.count() for m in (Lead, Contact, Activity, ScoreEvent,
                                            RoutingDecision, FieldChange, Notification,
                                            IntakeSubmission)]

    with CaptureQueriesContext(connection) as captured:
        first = post(submission_id="once-1", form="trial_saas", email="once@firm.example",
                     title="VP Engineering")
    assert first.status_code == 201
    log_writes = [q["sql"].split()[0] for q in captured.captured_queries
                  if "leads_intakesubmission" in q["sql"]
                  and not q["sql"].startswith("SELECT")]
    assert log_writes == ["INSERT"]
    before = state()
    again = post(submission_id="once-1", form="contact_us", email="other@firm.example",
                 last_name="Other")
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


@pytest.mark.parametrize(("form", "title"), [("trial_self_managed", "VP Engineering"),
                                             ("newsletter", "Student")])
def test_a_new_lead_is_written_once_with_its_owner_and_sla(post, form, title):
    """INTAKE-4/ROUTE-4 (Q-PERF): a new lead is scored and routed before its row exists and
    goes in with its owner and SLA — one INSERT into the lead table, no UPDATE of it; on
    PostgreSQL its activity, score events, history and routing decision go in the same
    statement — and its history holds the scoring's and the routing's rows."""
    from django.contrib.contenttypes.models import ContentType

    from gtm_portal.core.models import FieldChange
    from leads.models import Lead

    assert post().status_code == 201   # reference snapshot read, token stamped
    with CaptureQueriesContext(connection) as captured:
        r = post(form=form, title=title, country="US")
    assert r.status_code == 201, r.content
    statements = [q["sql"] for q in captured.captured_queries]
    into = [sql for sql in statements if 'INSERT INTO "leads_lead"' in sql]
    assert len(into) == 1
    assert not [sql for sql in statements if sql.startswith('UPDATE "leads_lead"')]
    if connection.vendor == "postgresql":   # the new lead's rows, all in that statement
        for table in ("activity_activity", "leads_scoreevent", "core_fieldchange",
                      "leads_routingdecision"):
            assert f'INSERT INTO "{table}"' in into[0]
        assert len(statements) <= 10
    lead = Lead.objects.get(pk=r.json()["person"]["id"])
    answer = r.json()
    assert lead.owner_id is not None
    assert (lead.owner.username if not lead.owner.is_queue else lead.owner.display_name) in (
        answer["owner"]["username"], answer["owner"]["queue"])
    assert (lead.sla_due.isoformat() if lead.sla_due else None) == answer["sla_due"]
    reasons = set(FieldChange.objects.filter(
        content_type=ContentType.objects.get_for_model(Lead), object_id=lead.pk
    ).values_list("field", flat=True))
    assert {"status", "owner"} <= reasons


def test_intake_serializer_fields_are_its_own(refdata):
    """INTAKE-4 validation with the declared fields copied shallowly per serializer: each
    serializer's fields are bound to it alone, the class's stay unbound, and one
    serializer's errors never reach the next."""
    from gtm_portal.api.serializers import IntakeSerializer

    bad = IntakeSerializer(data={"submission_id": " ", "form": "nope", "email": "x",
                                 "last_name": "", "employees": -1, "country": "Atlantis"})
    assert not bad.is_valid()
    assert set(bad.errors) == {"submission_id", "form", "email", "last_name", "employees",
                               "country"}
    good = IntakeSerializer(data={"submission_id": "s-1", "form": "contact_us",
                                  "email": "a@firm.example", "last_name": "Lee",
                                  "employees": 40, "country": "DE"})
    assert good.is_valid(), good.errors
    assert good.validated_data["employees"] == 40 and good.errors == {}
    for name in ("email", "form", "employees"):
        assert bad.fields[name] is not good.fields[name]
        assert bad.fields[name].parent is bad and good.fields[name].parent is good
        assert IntakeSerializer._declared_fields[name].parent is None


@pytest.mark.parametrize(("email", "company", "website", "expect"), [
    ("new1@globex-match.example", "", "", "by e-mail domain"),
    ("new2@gmail.com", "Initech Match, Inc.", "", "by name"),
    ("new3@gmail.com", "", "https://www.globex-match.example/about", "by website"),
    ("new4@gmail.com", "Nobody Matches Ltd", "", None),
])
def test_a_new_leads_account_comes_with_the_lookup(post, email, company, website, expect):
    """INTAKE-3/ROUTE account matching: the account a new lead matches is the rule's
    (`match_account` on its e-mail, company and website); on PostgreSQL it is read in the
    e-mail lookup's statement, with no statement of its own."""
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
    assert post().status_code == 201   # reference snapshot read, token stamped
    with CaptureQueriesContext(connection) as captured:
        r = post(email=email, company=company, website=website, form="contact_us")
    assert r.status_code == 201, r.content
    lead = Lead.objects.get(pk=r.json()["person"]["id"])
    rule = match_account(email=email, company=company, website=website,
                         free_domains=snapshot().scoring.free_domains)
    assert lead.matched_account_id == (rule.pk if rule else None)
    assert lead.matched_account_id == {"by e-mail domain": by_domain.pk, "by website": by_domain.pk,
                                       "by name": by_name.pk, None: None}[expect]
    if connection.vendor == "postgresql":   # matched in the lookup, not on its own
        matching = [q["sql"] for q in captured.captured_queries
                    if '"accounts_account"."normalized_name" =' in q["sql"]
                    or 'LOWER("accounts_account"."domain") IN' in q["sql"]]
        assert len(matching) == 1 and 'lower("email")' in matching[0]
