"""Small helpers for the table rows of the workspace views, written in Python instead of
templates (SPEC Q-PERF: a view's 50–200 rows through the template engine were most of the
page's server time). Each mirrors what the template did, escaping included (Q-SAFE)."""
from html import escape

from django.utils import dateformat, timezone
from django.utils.safestring import SafeData

EMPTY = "—"


def e(value) -> str:
    """`{{ value }}` under autoescape: safe strings as they are, anything else escaped."""
    if isinstance(value, SafeData):
        return value
    return escape(str(value))


def local_date(value, fmt: str) -> str:
    """`{{ value|date:fmt }}`: an aware datetime in the user's zone, a date as it is."""
    if not value:
        return ""
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return dateformat.format(value, fmt)
