"""Q-SEC login throttling for every password door (the portal's login page and the admin's):
after `FAILURES_PER_USERNAME` wrong passwords for one username, or `FAILURES_PER_ADDRESS`
from one client address, within `LOCKOUT_SECONDS`, that username (or address) is locked out
until the window has passed since its last failure — the right password included. Counts
live in the shared cache (settings.CACHES: Redis, or the database cache in production), so
every worker process sees the same count. Each failure and each lockout is logged."""

import logging

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.dispatch import receiver

FAILURES_PER_USERNAME = 5
FAILURES_PER_ADDRESS = 20
LOCKOUT_SECONDS = 15 * 60

LOCKED_MESSAGE = (
    "Too many failed log-ins for this account or from this address. "
    "Wait 15 minutes and try again, or ask an administrator to unlock it."
)

log = logging.getLogger("gtm_portal.security")


def client_address(request) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is whatever the client says unless a proxy we trust
    # rewrites it, and a lockout an attacker can aim at any address is worse than none.
    return (request.META.get("REMOTE_ADDR") if request is not None else None) or "unknown"


def _keys(request, username: str | None) -> list[tuple[str, int]]:
    keys = [(f"login-fail:addr:{client_address(request)}", FAILURES_PER_ADDRESS)]
    if username:
        keys.append((f"login-fail:user:{username.strip().lower()}", FAILURES_PER_USERNAME))
    return keys


def locked_out(request, username: str | None) -> bool:
    counts = cache.get_many([key for key, _ in _keys(request, username)])
    return any(counts.get(key, 0) >= limit for key, limit in _keys(request, username))


def note_failure(request, username: str | None) -> None:
    for key, limit in _keys(request, username):
        cache.add(key, 0, LOCKOUT_SECONDS)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, LOCKOUT_SECONDS)
            count = 1
        cache.touch(key, LOCKOUT_SECONDS)
        if count == limit:
            log.warning("login locked out: %s after %d failures", key, count)
    log.warning("login failed for %r from %s", username, client_address(request))


def note_success(request, username: str | None) -> None:
    """A successful log-in clears the username's count (the address keeps its own)."""
    if username:
        cache.delete(f"login-fail:user:{username.strip().lower()}")


@receiver(user_login_failed)
def _on_failure(sender, credentials, request=None, **kwargs):
    note_failure(request, credentials.get("username"))


@receiver(user_logged_in)
def _on_success(sender, request, user, **kwargs):
    note_success(request, user.get_username())
