"""SPEC Q-PERF intake ≥ 200 submissions/s end to end, measured by `make bench`."""
import json
import uuid
from collections.abc import Iterable

from django.test import Client

from .bench import HOST, Bench, Operation, PageError, operation_set


@operation_set
def intake_submissions(bench: Bench) -> Iterable[Operation]:
    """SPEC Q-PERF intake ≥ 200 submissions/s end to end (score, route, commit)."""

    from gtm_portal.api.models import ApiToken

    token = ApiToken.objects.filter(name="bench-intake", revoked_at__isnull=True).first()
    if token is not None:
        token.revoke()
    _, key = ApiToken.issue(name="bench-intake", scope="intake")
    ApiToken.objects.filter(name="bench-intake", revoked_at__isnull=True).update(
        rate_limit_per_minute=1_000_000)
    client = Client(SERVER_NAME=HOST, HTTP_HOST=HOST)
    run = uuid.uuid4().hex[:8]
    forms = ("trial_self_managed", "contact_us", "webcast_attended_high_intent", "newsletter")
    countries = ("Germany", "United States", "France", "Australia", "Brazil")

    def call(i):
        body = {"submission_id": f"bench-{run}-{i}", "form": forms[i % len(forms)],
                "email": f"bench{run}{i}@firm{i % 97}.example", "last_name": f"Bench {i}",
                "title": "Director of Engineering", "country": countries[i % len(countries)],
                "company": f"Firm {i % 97}"}
        r = client.post("/api/v1/intake/", json.dumps(body), content_type="application/json",
                        HTTP_AUTHORIZATION=f"Token {key}")
        if r.status_code not in (200, 201):
            raise PageError(f"intake answered {r.status_code}: {r.content[:200]!r}")

    yield Operation(name="intake (per submission)", call=call, units_per_call=1,
                    unit="submissions")
