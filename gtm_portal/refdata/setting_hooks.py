"""Hook points for apps above refdata that own a rule over a PortalSetting (STYLE 1: refdata
imports none of them). The admin asks `check` before saving a setting and calls `changed`
after, so an edit there goes through the same rule as the owning app's own page (REF-2: a
segment threshold must keep the thresholds rising, and a change recomputes the segments)."""

from collections.abc import Callable

_checks: list[Callable[[str, int], None]] = []
_listeners: list[Callable[[str], None]] = []


def register(*, check: Callable[[str, int], None], changed: Callable[[str], None]) -> None:
    """`check(key, value)` raises ValidationError to refuse; `changed(key)` runs after a save
    (inside its transaction)."""
    if check not in _checks:
        _checks.append(check)
    if changed not in _listeners:
        _listeners.append(changed)


def check(key: str, value: int) -> None:
    for fn in _checks:
        fn(key, value)


def changed(key: str) -> None:
    for fn in _listeners:
        fn(key)
