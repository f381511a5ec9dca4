"""Reading settings from the environment (CONTRACT 2).

Every bad value raises ConfigError with a one-line message that names the variable, so an
operator sees at once what to fix; nothing falls back silently to an insecure default.
"""

import os
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured


class ConfigError(ImproperlyConfigured):
    pass


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean; use 1 or 0")


def env_str(name: str, default: str | None = None) -> str | None:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip()


def env_millis(name: str) -> int | None:
    """A duration in milliseconds (a whole number ≥ 1), or None when unset."""
    raw = env_str(name)
    if raw is None:
        return None
    if not raw.isdecimal() or int(raw) < 1:
        raise ConfigError(f"{name}={raw!r} is not a number of milliseconds")
    return int(raw)


def env_list(name: str, default: list[str]) -> list[str]:
    raw = env_str(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise ConfigError(f"{name} is empty; give a comma-separated list")
    return items


_DB_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql", "postgis"}


def env_database(name: str, default: str) -> dict:
    url = env_str(name, default)
    scheme = urlsplit(url).scheme
    if scheme not in _DB_SCHEMES:
        raise ConfigError(
            f"{name}={url!r} is not a supported database URL; use sqlite:///path or "
            "postgres://user@host:port/name"
        )
    try:
        config = environ.Env.db_url_config(url)
    except Exception as exc:  # django-environ raises several types for bad URLs
        raise ConfigError(f"{name}={url!r} cannot be parsed: {exc}") from None
    if config["ENGINE"].endswith("postgresql") and not config.get("NAME"):
        raise ConfigError(f"{name}={url!r} names no database")
    return config


def env_email(name: str) -> dict:
    url = env_str(name)
    if url is None:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    try:
        config = environ.Env.email_url_config(url)
    except Exception as exc:
        raise ConfigError(f"{name}={url!r} cannot be parsed: {exc}") from None
    return config


def env_broker(name: str) -> str | None:
    url = env_str(name)
    if url is None:
        return None
    if urlsplit(url).scheme not in {"redis", "rediss", "amqp", "pyamqp", "memory"}:
        raise ConfigError(f"{name}={url!r} is not a broker URL; use redis://host:port/db")
    return url
