"""Q-SEC token lookup and rate limit per token (CONTRACT 6.1: 429), counted in the shared cache
through the cache API."""

import os
import time
import uuid

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings

from gtm_portal.api import permissions

REDIS = os.environ.get("THROTTLE_TEST_REDIS", "redis://127.0.0.1:6379/0")


def _redis_up() -> bool:
    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=0.5).ping()
        return True
    except Exception:
        return False


def test_locmem_counts_each_request_of_the_window():
    key = f"t:{uuid.uuid4().hex}"
    assert [permissions._count(key) for _ in range(3)] == [1, 2, 3]
    assert caches["default"].get(key) == 3


@pytest.mark.skipif(not _redis_up(), reason="no Redis to count in")
def test_redis_counts_every_request_and_expires():
    prefix = f"throttle-test-{uuid.uuid4().hex}"
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS,
                "KEY_PREFIX": prefix,
            }
        }
    ):
        cache = caches["default"]
        key = f"api-throttle:1:{int(time.time() // 60)}"
        try:
            assert [permissions._count(key) for _ in range(3)] == [1, 2, 3]
            # The cache API reads the same counter (Django's own key, a plain integer) ...
            assert cache.get(key) == 3
            assert cache.incr(key) == 4
            assert permissions._count(key) == 5
            # ... and it is kept for two windows at most.
            client = redis.Redis.from_url(REDIS)
            ttl = client.ttl(cache.make_and_validate_key(key))
            assert 0 < ttl <= permissions.WINDOW_TTL
        finally:
            cache.delete(key)
            cache.close()


@pytest.mark.django_db
def test_live_token_is_the_orm_rule():
    """The token lookup in SQL finds what the ORM filter finds: the unrevoked token of the
    hash, whole; a revoked or unknown hash finds nothing."""
    from gtm_portal.api.authentication import live_token
    from gtm_portal.api.models import ApiToken

    live, key = ApiToken.issue(name="live", scope="intake")
    old, old_key = ApiToken.issue(name="old", scope="orders")
    old.revoke()
    for k in (key, old_key, "unknown"):
        h = ApiToken.hash_key(k)
        expected = ApiToken.objects.filter(key_hash=h, revoked_at__isnull=True).first()
        got = live_token(h)
        if expected is None:
            assert got is None
        else:
            fields = [f.attname for f in ApiToken._meta.concrete_fields]
            assert [getattr(got, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert live_token(ApiToken.hash_key(key)).pk == live.pk
