"""Q-SAFE database faults: a backend killed mid-request, a lock not granted within
lock_timeout or a statement past statement_timeout answers a clean 503 "busy, retry" (with
Retry-After, JSON under /api/), never a 500 traceback, and the next request succeeds (the
broken connection is dropped; the pool health-checks what it hands out)."""

import json

import psycopg
import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gtm_portal.core import views as core_views
from tests.factories import LeadFactory, UserFactory
from tests.test_person_edit import form_data
from tests.test_settings import run_settings


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _fail(*args, **kwargs):
    raise OperationalError("server closed the connection unexpectedly")


def test_q_safe_a_database_error_answers_503_busy_retry(db, monkeypatch):
    client = _client(UserFactory(roles=["SDR"]))
    monkeypatch.setattr(core_views, "home_for_user", _fail)
    r = client.get("/")
    assert r.status_code == 503 and r["Retry-After"] == "5"
    assert "Busy — please retry" in r.text and "Nothing was saved" in r.text
    assert "Traceback" not in r.text
    # the frame's shape with its fixed menu, and no query: the database is what failed
    assert 'aria-label="Main menu"' in r.text and 'href="/leads/"' in r.text


def test_q_safe_the_busy_page_reads_nothing_from_the_database(db, rf):
    request = rf.get("/")
    request.user = UserFactory(roles=["SDR"])
    with CaptureQueriesContext(connection) as queries:
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError:
            r = core_views.server_error(request)
    assert r.status_code == 503 and len(queries) == 0


def test_q_safe_any_other_error_is_a_500_page_inside_the_frame(db, monkeypatch):
    client = _client(UserFactory(roles=["SDR"]))
    monkeypatch.setattr(core_views, "home_for_user", lambda *a, **k: 1 / 0)
    r = client.get("/")
    assert r.status_code == 500 and "Something went wrong" in r.text
    assert "ZeroDivisionError" not in r.text and "Retry-After" not in r
    # the whole frame: the user's own menu (views S1..) and the bell
    assert 'aria-label="Main menu"' in r.text and "Leads S1" in r.text
    assert "Error 500" in r.text and "Go to your home page" in r.text


def test_q_safe_a_500_whose_frame_fails_falls_back_to_the_fixed_frame(db, monkeypatch):
    client = _client(UserFactory(roles=["SDR"]))
    monkeypatch.setattr(core_views, "home_for_user", lambda *a, **k: 1 / 0)
    monkeypatch.setattr("gtm_portal.core.context_processors.frame_for_user", _fail)
    r = client.get("/")
    assert r.status_code == 500 and "Something went wrong" in r.text
    assert 'aria-label="Main menu"' in r.text and "Leads S1" not in r.text
    assert "OperationalError" not in r.text and "server closed" not in r.text


def test_q_safe_the_api_answers_its_fault_as_json(db, monkeypatch):
    client = _client(UserFactory(roles=["Marketing Ops"]))
    monkeypatch.setattr("gtm_portal.api.views.with_routing", _fail)
    r = client.get("/api/v1/leads/", {"email": "someone@firm.example"})
    assert r.status_code == 503 and r["Content-Type"] == "application/json"
    assert r.json()["detail"].startswith("The database is busy")


@pytest.mark.parametrize(
    "env, options",
    [
        ({}, "-c jit=off"),
        (
            {"DB_LOCK_TIMEOUT_MS": "5000", "DB_STATEMENT_TIMEOUT_MS": "30000"},
            "-c jit=off -c lock_timeout=5000 -c statement_timeout=30000",
        ),
    ],
)
def test_q_safe_timeouts_reach_postgresql_and_the_pool_checks_connections(env, options):
    code = (
        "import django, json; from django.conf import settings; django.setup();"
        "d = settings.DATABASES['default'];"
        "print(json.dumps([d['OPTIONS'].get('options'), d['CONN_HEALTH_CHECKS']]))"
    )
    result = run_settings(
        {"DEBUG": "1", "DATABASE_URL": "postgres://u@127.0.0.1:5432/x", **env}, code=code
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [options, True]


def test_q_safe_a_bad_timeout_stops_start_up_naming_the_variable():
    result = run_settings(
        {"DEBUG": "1", "DATABASE_URL": "postgres://u@127.0.0.1:5432/x", "DB_LOCK_TIMEOUT_MS": "5s"}
    )
    assert result.returncode != 0 and "DB_LOCK_TIMEOUT_MS" in result.stderr


def test_q_safe_the_web_entry_point_sets_both_timeouts():
    code = (
        "import json, os; import gtm_portal.wsgi;"
        "print(json.dumps([os.environ['DB_LOCK_TIMEOUT_MS'], os.environ['DB_STATEMENT_TIMEOUT_MS']]))"
    )
    result = run_settings({"DEBUG": "1"}, code=code)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["5000", "30000"]


# -- on a real PostgreSQL server ---------------------------------------------------------------


def _other_connection():
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("a killed backend and lock_timeout are PostgreSQL's; CI runs this there")


@pytest.mark.postgres
def test_q_perf_connections_run_without_jit(db, on_postgres):
    """Q-PERF: JIT compiling cost 100–130 ms on statements that run in milliseconds."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_q_safe_a_killed_backend_answers_503_and_the_next_request_succeeds(on_postgres):
    user = UserFactory(roles=["SDR"])
    lead = LeadFactory(owner=user)
    client = _client(user)
    assert client.get(f"/leads/{lead.pk}/").status_code == 200
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with _other_connection() as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    r = client.get(f"/leads/{lead.pk}/")
    assert r.status_code == 503 and "Busy — please retry" in r.text
    assert client.get(f"/leads/{lead.pk}/").status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_q_safe_a_lock_not_granted_in_time_is_busy_retry_and_nothing_changes(on_postgres):
    user = UserFactory(roles=["SDR"])
    lead = LeadFactory(owner=user, title="Engineer")
    client = _client(user)
    form = client.get(f"/leads/{lead.pk}/edit/")
    assert form.status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '200ms'")
    with _other_connection() as other, other.transaction():
        other.execute("SELECT id FROM leads_lead WHERE id = %s FOR UPDATE", [lead.pk])
        r = client.post(f"/leads/{lead.pk}/edit/", form_data(lead, title="Director"))
    assert r.status_code == 503 and r["Retry-After"] == "5"
    lead.refresh_from_db()
    assert lead.title == "Engineer"
