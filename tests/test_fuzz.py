"""Q-SAFE: no input gives a 500. Every URL pattern of the project (walked from the resolver)
is requested with generated path ids and query parameters — text with NUL bytes and lone
surrogates, huge and negative numbers — logged in as a demo user, and the POST views get
generated form data; every API operation of `/api/v1/schema/` gets generated bodies and
parameters with a token of its scope. No answer may be a server error. Deterministic
(`derandomize`), small example counts to stay within its time budget."""

import json
import re
from urllib.parse import quote_from_bytes

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gtm_portal.api.models import ApiToken

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
ADMIN_FUZZ = settings(FUZZ, max_examples=1)

# Parameter names the views read (so generated values reach the parsing code), and others.
NAMES = [
    "as", "email", "ids", "q", "page", "size", "sort", "format", "kind", "from", "to",
    "owner", "stage", "region", "segment", "campaign", "sequence", "contact", "survivor",
    "after", "before", "cursor", "tab", "status", "next", "id", "pk", "code", "version",
    "reason", "subject", "body", "due_date", "action", "to_status", "mode", "rep", "team",
    "plan", "source", "member_status", "confirm", "o", "p", "e", "all", "_changelist_filters",
]  # fmt: skip
NUMBERS = st.sampled_from(["0", "-1", "1", "2", "7", "99999999999999999999999999", "1e400"])
TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["\x00", "a\x00b", "\ud800", "x\udfff", "", " ", "²", "NaN", "null"]),
    NUMBERS,
)
PAIRS = st.lists(
    st.tuples(st.one_of(st.sampled_from(NAMES), st.text(max_size=5)), TEXT), max_size=5
)
PATH_ID = st.one_of(
    st.sampled_from(["1", "2", "3", "5", "10", "40"]), st.sampled_from(["0", "9" * 30])
)
SEGMENT = st.one_of(st.sampled_from(["S1", "B1", "funnel", "x"]), st.text(min_size=1, max_size=6))


def encode(pairs) -> str:
    """A query string as a browser or a script would send it: UTF-8, surrogates passed
    through as their bytes (which are no UTF-8)."""
    return "&".join(
        f"{quote_from_bytes(k.encode('utf-8', 'surrogatepass'))}="
        f"{quote_from_bytes(v.encode('utf-8', 'surrogatepass'))}"
        for k, v in pairs
    )


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


ROUTE_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)")


@st.composite
def concrete_path(draw, pattern: str) -> str:
    """A path the pattern matches, its parameters generated."""

    def regex_value(match):
        body = match.group(2)
        if re.fullmatch(r"[\w|]+", body):
            return draw(st.sampled_from(body.split("|")))
        if body in (r"\d+", "[0-9]+"):
            return draw(PATH_ID)
        return "x"

    def route_value(match):
        converter = match.group(1) or "str"
        if converter == "int":
            return draw(PATH_ID)
        if converter == "path":
            return draw(PATH_ID)
        value = draw(SEGMENT)
        return quote_from_bytes(value.encode("utf-8", "surrogatepass"), safe="")

    text = REGEX_GROUP.sub(regex_value, pattern)
    text = ROUTE_PARAM.sub(route_value, text)
    text = text.replace("^", "").replace("$", "").replace("\\", "")
    return "/" + text


PATTERNS = sorted(set(walk(get_resolver().url_patterns)))
SKIP = {"logout/"}  # it ends the session every later request needs


def no_server_error(response, what):
    assert response.status_code < 500, (what, response.status_code)


def fuzz_pattern(client, user, pattern: str) -> None:
    admin = pattern.startswith("admin/")

    @(ADMIN_FUZZ if admin else FUZZ)
    @given(path=concrete_path(pattern), query=PAIRS, form=PAIRS)
    def request_it(path, query, form):
        client.force_login(user)
        qs = encode(query)
        no_server_error(client.get(path, QUERY_STRING=qs), ("GET", path, qs))
        if not admin:  # the admin's forms are Django's own
            body = encode(form)
            r = client.post(path, body, content_type="application/x-www-form-urlencoded")
            no_server_error(r, ("POST", path, body))

    request_it()


def test_q_safe_every_url_pattern_answers_generated_input_without_a_server_error(client, users):
    for pattern in PATTERNS:
        if pattern not in SKIP:
            fuzz_pattern(client, users["mops"], pattern)


JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(10**30), 10**30), st.floats(), TEXT),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)


# Valid bodies the generated changes start from, so generated values reach the services.
VALID = {
    "/api/v1/intake/": {
        "submission_id": "fuzz-1",
        "form": "contact_us",
        "email": "fuzz@firm.example",
        "last_name": "Fuzz",
        "country": "Germany",
    },
    "/api/v1/orders/": {
        "invoice_number": "INV-FUZZ",
        "subscription_id": "sub-fuzz",
        "company": "Fuzz Ltd",
        "last_name": "Fuzz",
        "email": "buyer@fuzz.example",
        "amount": "10.00",
        "order_date": "2026-11-01",
    },
}


def _scope(path: str) -> str:
    return "intake" if "intake" in path else "orders" if "orders" in path else "read"


def test_q_safe_every_api_operation_answers_generated_bodies_without_a_server_error(client, users):
    client.force_login(users["mops"])
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    client.logout()
    spec = json.loads(schema.content)
    keys = {s: ApiToken.issue(name=f"fuzz-{s}", scope=s)[1] for s in ("intake", "orders", "read")}
    components = spec.get("components", {}).get("schemas", {})
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            ref = (
                operation.get("requestBody", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema", {})
                .get("$ref", "")
            )
            fields = list(components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}))
            body = st.one_of(
                st.dictionaries(
                    st.one_of(st.sampled_from(fields or ["x"]), st.text(max_size=4)),
                    JSON_VALUE,
                    max_size=len(fields) + 2,
                ),
                st.builds(
                    lambda base, changes: {**base, **changes},
                    st.just(VALID.get(path, {})),
                    st.dictionaries(st.sampled_from(fields or ["x"]), JSON_VALUE, max_size=2),
                ),
            )
            pattern = re.sub(r"\{(\w+)\}", r"<int:\1>", path.lstrip("/"))
            fuzz_operation(client, method, pattern, keys[_scope(path)], body)


def fuzz_operation(client, method: str, pattern: str, key: str, body) -> None:
    @FUZZ
    @given(concrete=concrete_path(pattern), data=body, query=PAIRS)
    def call(concrete, data, query):
        raw = json.dumps(data)
        r = client.generic(
            method.upper(),
            concrete,
            raw if method != "get" else "",
            content_type="application/json",
            QUERY_STRING=encode(query),
            HTTP_AUTHORIZATION=f"Token {key}",
        )
        no_server_error(r, (method, concrete, raw))

    call()
