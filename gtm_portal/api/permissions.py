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
        cache.add(key, 0, timeout=120)
        try:
            count = cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=120)
            count = 1
        self._wait = 60 - time.time() % 60
        return count <= limit

    def wait(self):
        return getattr(self, "_wait", 60)
