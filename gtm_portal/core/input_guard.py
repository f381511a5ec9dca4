"""Q-SAFE: input no view can store or parse is refused before any view runs — NUL bytes
(PostgreSQL refuses them in text) and lone surrogates (no encoding can write them) in the
query string, form fields and JSON bodies, and JSON nested deeper than `MAX_JSON_DEPTH`
(Python's parser recurses and would fail with RecursionError). The answer is a 400 naming
the field: `{"errors": {field: [message]}}` for the API and JSON requests (CONTRACT 6), a
plain-text "field: message" page otherwise (as the reports answer a bad filter). `parse_id` is the one parser of record ids taken from user input."""

import json
import re

from django.http import HttpResponseBadRequest, JsonResponse

MAX_JSON_DEPTH = 64
# BigAutoField's range: a larger number is no record's id (and PostgreSQL would refuse it).
MAX_ID = 2**63 - 1

BAD_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
JSON_BRACKET = re.compile(rb"[\[\]{}]")
NON_FIELD = "non_field_errors"
API_PREFIX = "/api/"


def parse_id(value) -> int | None:
    """A record id from user input ("12"), or None for anything else: letters, signs,
    digits that are not ASCII ("²", "١"), numbers beyond any id."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdecimal()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def bad_text(value: str) -> str | None:
    """Why a text cannot be accepted, or None."""
    found = BAD_CHARACTERS.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return "Q-SAFE: remove the NUL character (\\x00); it cannot be stored."
    return "Q-SAFE: remove the unpaired surrogate character; it is not valid text."


def json_too_deep(raw: bytes) -> bool:
    """True when the JSON nests arrays/objects deeper than MAX_JSON_DEPTH (strings, which
    may hold brackets, are skipped); counted without parsing."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_JSON_DEPTH:
        return False
    depth = 0
    for bracket in JSON_BRACKET.findall(JSON_STRING.sub(b'""', raw)):
        depth += 1 if bracket in (b"[", b"{") else -1
        if depth > MAX_JSON_DEPTH:
            return True
    return False


def _printable(name: str) -> str:
    return BAD_CHARACTERS.sub("?", name) or NON_FIELD


def _check_pairs(pairs) -> tuple[str, str] | None:
    for key, values in pairs:
        for text in (key, *values):
            if isinstance(text, str) and (reason := bad_text(text)):
                return _printable(key), reason
    return None


def _check_json(data) -> tuple[str, str] | None:
    """The first bad text in a parsed JSON document, named by its top-level key."""
    top = data.items() if isinstance(data, dict) else [(NON_FIELD, data)]
    for key, value in top:
        if reason := bad_text(str(key)):
            return _printable(str(key)), reason
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                if reason := bad_text(item):
                    return _printable(str(key)), reason
            elif isinstance(item, dict):
                stack.extend(item.keys())
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
    return None


def _is_json(request) -> bool:
    return request.content_type == "application/json" or request.content_type.endswith("+json")


def wants_json(request) -> bool:
    return (
        request.path.startswith(API_PREFIX)
        or _is_json(request)
        or "application/json" in request.headers.get("Accept", "")
    )


def find_problem(request) -> tuple[str, str] | None:
    """(field, message) for the first input the portal cannot accept, or None."""
    problem = _check_pairs(request.GET.lists())
    if problem or request.method not in ("POST", "PUT", "PATCH"):
        return problem
    if _is_json(request):
        raw = request.body
        if json_too_deep(raw):
            return NON_FIELD, f"Q-SAFE: JSON nested deeper than {MAX_JSON_DEPTH} levels."
        if request.path.startswith(API_PREFIX):
            # The API's serializers refuse NUL and lone surrogates field by field (and the
            # intake log records the refused submission, INTAKE-4).
            return None
        try:
            data = json.loads(raw)
        except ValueError:
            return None  # the view answers malformed JSON itself
        return _check_json(data)
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return _check_pairs(request.POST.lists())
    return None


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = find_problem(request)
        if problem is None:
            return self.get_response(request)
        field, message = problem
        if wants_json(request):
            return JsonResponse({"errors": {field: [message]}}, status=400)
        return HttpResponseBadRequest(
            f"{field}: {message}\n", content_type="text/plain; charset=utf-8"
        )
