import time

from django.core.cache import cache
from rest_framework import permissions, throttling

from .authentication import TokenIdentity


class TokenScope(permissions.BasePermission):
    """Q-SEC: a machine token may call only the endpoints of its scope; portal users
    (session) pass when the view allows them."""

    message = "This token's scope does not allow this endpoint."

    def has_permission(self, request, view):
        user = request.user
        if isinstance(user, TokenIdentity):
            return user.token.scope in getattr(view, "token_scopes", ())
        return bool(getattr(view, "allow_session", False) and user and user.is_authenticated)


class SchemaReader(permissions.BasePermission):
    """Q-SEC: the OpenAPI schema is for portal users (session) and read tokens; an intake or
    orders token — a key living in a web form or a shop — may not map the API."""

    message = "Only a portal login or a read token may read the schema."

    def has_permission(self, request, view):
        user = request.user
        if isinstance(user, TokenIdentity):
            return user.token.scope == "read"
        return bool(user and user.is_authenticated)


WINDOW_TTL = 120  # seconds a window's counter is kept (two one-minute windows)


class TokenRateThrottle(throttling.BaseThrottle):
    """Q-SEC: per-token rate limit (requests per minute, on the token), fixed one-minute
    windows in the shared cache."""

    def allow_request(self, request, view):
        user = request.user
        if not isinstance(user, TokenIdentity):
            return True
        limit = user.token.rate_limit_per_minute
        window = int(time.time() // 60)
        key = f"api-throttle:{user.token.pk}:{window}"
        count = _count(key)
        self._wait = 60 - time.time() % 60
        return count <= limit

    def wait(self):
        return getattr(self, "_wait", 60)


def _count(key: str) -> int:
    """The window's counter after this request, through the cache API (shared by every
    worker with `CACHE_URL`)."""
    cache.add(key, 0, timeout=WINDOW_TTL)
    try:
        return cache.incr(key)
    except ValueError:  # the window expired between add and incr
        cache.set(key, 1, timeout=WINDOW_TTL)
        return 1
