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
