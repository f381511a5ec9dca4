"""Test settings: base settings, fast hashing, no pool (test databases are created and dropped)."""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-use")

from .base import *  # noqa: E402,F401,F403
from .base import DATABASES  # noqa: E402

DATABASES["default"].get("OPTIONS", {}).pop("pool", None)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
BACKGROUND_THREADS = False  # tasks run in the request; a test asks for the thread itself
CELERY_BROKER_URL = "memory://"
WHITENOISE_AUTOREFRESH = True

# SQLite: a file-backed test database, so the live server of the browser tests opens its own
# connections instead of sharing the test thread's in-memory one (concurrent HTMX requests on
# one shared sqlite connection could hang a run).
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    import tempfile

    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.path.join(
        tempfile.gettempdir(), f"gtm_portal_test_{os.getpid()}.sqlite3"
    )
