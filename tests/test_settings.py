"""CONTRACT 2: settings from the environment, with one-line errors naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLEAN_ENV = {
    k: v
    for k, v in os.environ.items()
    if k
    not in {
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "SECRET_KEY",
        "DEBUG",
        "ALLOWED_HOSTS",
        "TIME_ZONE",
        "EMAIL_URL",
        "DJANGO_SETTINGS_MODULE",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }
}


def run_settings(env: dict, module="gtm_portal.settings.base", code=None):
    code = code or (
        "import django, json; from django.conf import settings; django.setup();"
        "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'],"
        " 'debug': settings.DEBUG, 'eager': settings.CELERY_TASK_ALWAYS_EAGER,"
        " 'hosts': settings.ALLOWED_HOSTS, 'email': settings.EMAIL_BACKEND,"
        " 'pool': 'pool' in settings.DATABASES['default'].get('OPTIONS', {})}))"
    )
    full = {**CLEAN_ENV, "DJANGO_SETTINGS_MODULE": module, **env}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=full, capture_output=True, text=True, timeout=60
    )


def run_manage(env: dict, *args):
    full = {**CLEAN_ENV, **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_defaults_with_debug_are_sqlite_and_eager_tasks():
    import json

    result = run_settings({"DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["debug"] is True
    assert values["eager"] is True
    assert values["hosts"] == ["127.0.0.1", "localhost"]
    assert values["email"] == "django.core.mail.backends.console.EmailBackend"


def test_postgres_url_uses_psycopg_with_a_pool_and_a_broker_means_workers():
    import json

    result = run_settings(
        {
            "DEBUG": "1",
            "DATABASE_URL": "postgres://u@db.example:5432/gtm",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        }
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["pool"] is True
    assert values["eager"] is False


def test_debug_off_without_secret_key_is_refused_in_one_line():
    result = run_manage({}, "check")
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()
    assert len(last) == 1 and "SECRET_KEY" in last[0], result.stderr


@pytest.mark.parametrize(
    "env, variable",
    [
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DEBUG": "1", "DATABASE_URL": "mysqlx://nowhere"}, "DATABASE_URL"),
        ({"DEBUG": "1", "CELERY_BROKER_URL": "http://broker"}, "CELERY_BROKER_URL"),
        ({"DEBUG": "1", "TIME_ZONE": "Mars/Olympus"}, "TIME_ZONE"),
        ({"DEBUG": "1", "ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS"),
        ({"DEBUG": "0", "SECRET_KEY": "short"}, "SECRET_KEY"),
    ],
)
def test_malformed_variables_stop_start_up_naming_the_variable(env, variable):
    result = run_manage(env, "check")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0] and lines[0].startswith("configuration error:")


def test_production_settings_refuse_debug_and_pass_check_deploy():
    refused = run_manage(
        {"DJANGO_SETTINGS_MODULE": "gtm_portal.settings.production", "DEBUG": "1"}, "check"
    )
    assert refused.returncode != 0 and "DEBUG" in refused.stderr
    result = run_manage(
        {
            "DJANGO_SETTINGS_MODULE": "gtm_portal.settings.production",
            "SECRET_KEY": "x" * 20 + "production-grade-secret-key-0123456789abcdef",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
