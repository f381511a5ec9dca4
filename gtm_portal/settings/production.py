"""Production: base settings plus HTTPS hardening; `manage.py check --deploy` is clean."""

from .base import *  # noqa: F401,F403
from .base import BASE_DIR, CACHES, DEBUG
from .env import ConfigError, env_bool, env_str

if DEBUG:
    raise ConfigError("DEBUG must be 0 with gtm_portal.settings.production")

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(env_str("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Rate limits and log-in lockouts must be counted once for all worker processes: without
# CACHE_URL (Redis) the database cache (table gtm_cache, core.CacheEntry) is shared, never a
# per-process memory.
if not env_str("CACHE_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "gtm_cache",
    }
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
