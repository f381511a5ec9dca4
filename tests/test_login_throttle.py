"""Q-SEC login throttling (users/throttle.py): wrong passwords lock out the username, or the
client address, for 15 minutes — the right password included — with a clear message and a
log entry, on the portal's log-in page and the admin's alike; counts live in the shared cache
(the database cache in production without CACHE_URL), never in one process's memory."""

import json
import logging

import pytest
from django.core.cache import caches
from django.test import override_settings

from gtm_portal.core.models import CacheEntry
from gtm_portal.users import throttle
from tests.test_settings import run_settings

LOCKED = "Too many failed log-ins"


def _login(client, username, password, url="/login/", addr="10.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=addr)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_q_sec_five_wrong_passwords_lock_the_username_even_for_the_right_one(client, users, caplog):
    for _ in range(throttle.FAILURES_PER_USERNAME):
        r = _login(client, "sdr.emea1", "wrong")
        assert r.status_code == 200 and LOCKED not in r.text
    with caplog.at_level(logging.WARNING, logger="gtm_portal.security"):
        r = _login(client, "sdr.emea1", "demo")
    assert r.status_code == 200 and LOCKED in r.text and not _logged_in(client)
    assert any("locked out" in m for m in caplog.messages)
    # the same username in other letters is the same account
    assert LOCKED in _login(client, " SDR.EMEA1", "demo").text
    # another user from the same address still logs in
    _login(client, "ae.amer1", "demo")
    assert _logged_in(client)


def test_q_sec_four_failures_then_the_right_password_clears_the_count(client, users):
    for _ in range(throttle.FAILURES_PER_USERNAME - 1):
        _login(client, "sdr.emea1", "wrong")
    _login(client, "sdr.emea1", "demo")
    assert _logged_in(client)
    client.logout()
    for _ in range(throttle.FAILURES_PER_USERNAME - 1):
        _login(client, "sdr.emea1", "wrong")
    _login(client, "sdr.emea1", "demo")
    assert _logged_in(client)


def test_q_sec_one_address_guessing_many_usernames_is_locked_out(client, users):
    for i in range(throttle.FAILURES_PER_ADDRESS):
        _login(client, f"nobody{i}", "wrong", addr="10.9.9.9")
    assert LOCKED in _login(client, "ae.amer1", "demo", addr="10.9.9.9").text
    assert not _logged_in(client)
    _login(client, "ae.amer1", "demo", addr="10.1.1.1")
    assert _logged_in(client)


def test_q_sec_the_admin_log_in_is_throttled_too(client, users):
    for _ in range(throttle.FAILURES_PER_USERNAME):
        _login(client, "mops", "wrong", url="/admin/login/")
    r = _login(client, "mops", "demo", url="/admin/login/")
    assert r.status_code == 200 and LOCKED in r.text and not _logged_in(client)
    # and the portal's page honours the admin's count: one lock per username
    assert LOCKED in _login(client, "mops", "demo").text


DB_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "gtm_cache"}
}


@override_settings(CACHES=DB_CACHE)
def test_q_sec_counts_in_the_database_cache_are_shared_by_every_process(client, users):
    """The migrated gtm_cache table serves Django's database cache: a count written by one
    process is read by another (here: a second cache handle on the same table)."""
    caches["default"].clear()
    for _ in range(throttle.FAILURES_PER_USERNAME):
        _login(client, "sdr.emea1", "wrong")
    assert CacheEntry.objects.filter(cache_key__contains="login-fail:user:sdr.emea1").exists()
    assert LOCKED in _login(client, "sdr.emea1", "demo").text


@pytest.mark.parametrize(
    "env, backend",
    [
        ({}, "django.core.cache.backends.db.DatabaseCache"),
        ({"CACHE_URL": "redis://127.0.0.1:6379/1"}, "django.core.cache.backends.redis.RedisCache"),
    ],
)
def test_q_sec_production_never_counts_per_process(env, backend):
    code = (
        "import django, json; from django.conf import settings; django.setup();"
        "print(json.dumps(settings.CACHES['default']['BACKEND']))"
    )
    result = run_settings(
        {"SECRET_KEY": "x" * 20 + "production-grade-secret-key-0123456789abcdef", **env},
        module="gtm_portal.settings.production",
        code=code,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == backend
