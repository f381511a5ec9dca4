"""Small helpers for the table rows of the workspace views, written in Python instead of
templates (SPEC Q-PERF: a view's 50–200 rows through the template engine were most of the
page's server time). Each mirrors what the template did, escaping included (Q-SAFE)."""

from html import escape

from django.utils import dateformat, timezone, translation
from django.utils.dates import MONTHS_3
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
    if not set(fmt) <= _FAST_CHARS.keys() or (
        not hasattr(value, "hour") and not set(fmt).isdisjoint("Hi")
    ):
        return dateformat.format(value, fmt)
    return "".join([_FAST_CHARS[c](value) for c in fmt])


def _month_abbr(month: int) -> str:
    """The `M` of the date filter ("Jan") in the active language, worked out once each."""
    key = (translation.get_language(), month)
    if key not in _MONTHS:
        _MONTHS[key] = str(MONTHS_3[month]).title()
    return _MONTHS[key]


# The few date-filter letters the rows use, as the filter writes them; other formats (and
# time letters on a plain date) go through `dateformat` itself.
_FAST_CHARS = {
    "M": lambda v: _month_abbr(v.month),
    "j": lambda v: str(v.day),
    "d": lambda v: f"{v.day:02d}",
    "m": lambda v: f"{v.month:02d}",
    "Y": lambda v: f"{v.year:04d}",
    "H": lambda v: f"{v.hour:02d}",
    "i": lambda v: f"{v.minute:02d}",
    " ": lambda v: " ",
    "-": lambda v: "-",
    ":": lambda v: ":",
}
_MONTHS: dict = {}
