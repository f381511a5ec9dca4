"""Settings read from the environment (CONTRACT 2). `production` adds the HTTPS hardening."""

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .env import (
    ConfigError,
    env_bool,
    env_broker,
    env_database,
    env_email,
    env_list,
    env_millis,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env_bool("DEBUG", False)

_DEV_SECRET_KEY = "django-insecure-gtm-portal-development-key-never-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ConfigError("SECRET_KEY must be set when DEBUG=0 (the development key is refused)")
if not DEBUG and len(SECRET_KEY) < 16:
    raise ConfigError("SECRET_KEY is too short; use at least 16 random characters")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

TIME_ZONE = env_str("TIME_ZONE", "UTC")
try:
    ZoneInfo(TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError):
    raise ConfigError(f"TIME_ZONE={TIME_ZONE!r} is not a known time zone") from None
USE_TZ = True
LANGUAGE_CODE = "en-us"
USE_I18N = False

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "gtm_portal.core",
    "gtm_portal.users",
    "gtm_portal.refdata",
    "gtm_portal.chatter",
    "gtm_portal.activity",
    "gtm_portal.api",
    "gtm_portal.search",
    "gtm_portal.devtools",
    "gtm_portal.jobs",
    "leads",
    "accounts",
    "opportunities",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gtm_portal.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gtm_portal.core.input_guard.InputGuardMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "gtm_portal.core.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gtm_portal.core.middleware.StaleEditMiddleware",
]

ROOT_URLCONF = "gtm_portal.urls"
WSGI_APPLICATION = "gtm_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gtm_portal.core.context_processors.portal",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", "sqlite:///db.sqlite3")}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # psycopg 3 pool (Django >= 5.1); server-side binding stays off (STYLE 4).
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": 8}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Q-SAFE: a pooled connection whose server backend died is found and replaced before use.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Q-SAFE: how long a statement may wait for a lock / run at all. wsgi.py sets both for
    # the web (a page answers "busy, retry" instead of hanging); migrations, jobs and the
    # bench run without them.
    # Q-PERF: no JIT compilation. The portal's statements are short; JIT compiled the ones
    # the planner overestimates for 100–130 ms each (the SAO report 1,162 → 244 ms without
    # it, an import batch's e-mail probe 150 → 20 ms; no report got slower).
    _settings = [
        f"-c {name}={value}"
        for name, value in (
            ("jit", "off"),
            ("lock_timeout", env_millis("DB_LOCK_TIMEOUT_MS")),
            ("statement_timeout", env_millis("DB_STATEMENT_TIMEOUT_MS")),
        )
        if value
    ]
    DATABASES["default"]["OPTIONS"]["options"] = " ".join(_settings)
elif DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    name = str(DATABASES["default"]["NAME"])
    if name not in ("", ":memory:") and not Path(name).is_absolute():
        DATABASES["default"]["NAME"] = str(BASE_DIR / name)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "gtm_portal.users.backends.PortalUserBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

STATIC_URL = "/static/"
# STATIC_ROOT is set in production (collectstatic); here files come from the finders.
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the finders so the portal runs without collectstatic (make run, smoke).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Plain widgets written out in Python (same markup as Django's templates; Q-PERF).
FORM_RENDERER = "gtm_portal.core.form_renderer.FastWidgetRenderer"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

_email = env_email("EMAIL_URL")
EMAIL_BACKEND = _email.pop("EMAIL_BACKEND")
for _key, _value in _email.items():
    globals()[_key] = _value
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "gtm-portal@localhost")
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000")

# Cache: per-process memory by default; CACHE_URL=redis://… shares rate limits and log-in
# lockouts across workers (production falls back to the database cache, never per process).
_cache_url = env_str("CACHE_URL")
if _cache_url and not _cache_url.startswith(("redis://", "rediss://")):
    raise ConfigError(f"CACHE_URL={_cache_url!r} is not a redis:// URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
        if _cache_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Sessions are read from the cache and written through to the database: a page does not pay
# a query for its session (SPEC Q-PERF), and a restart loses nobody's login.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Celery: a broker URL means real workers; none means tasks run eagerly in-process.
_broker = env_broker("CELERY_BROKER_URL")
CELERY_BROKER_URL = _broker or "memory://"
CELERY_TASK_ALWAYS_EAGER = _broker is None
# Without a broker, long jobs (re-score, import commit) run on a thread of their own so the
# request answers at once (core.background); the test settings turn it off.
BACKGROUND_THREADS = env_bool("BACKGROUND_THREADS", True)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Q-IDEM (acks_late): a task whose worker died unacknowledged goes back to the queue after
# this many seconds (Redis); tasks resume safely if one still runs (imports lock per batch).
# kombu looks for such tasks every interval × throttle seconds (10 × 10 by default); a short
# timeout is swept as often as it lasts, or a killed worker's task would wait 100 s.
_visibility = int(env_str("CELERY_VISIBILITY_TIMEOUT") or 3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _visibility,
    "unacked_restore_interval": max(1, min(10, _visibility)),
    "unacked_restore_throttle": 1 if _visibility < 100 else 10,
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"


# SPEC §10: beat fires one tick a minute; the tick queues each registered job whose schedule
# slot is due (gtm_portal/jobs; AUTO-5's 00:05 America/Los_Angeles is DST-correct there). The
# guarded scheduler lets one beat process fire at a time.
JOBS_QUEUE = env_str("JOBS_QUEUE") or None  # a queue of their own for the jobs, if set
JOBS_TICK_SECONDS = float(env_str("JOBS_TICK_SECONDS") or 60)
JOBS_STALE_SECONDS = int(env_str("JOBS_STALE_SECONDS") or 900)  # a run this old was abandoned
CELERY_BEAT_SCHEDULE: dict = {
    "jobs-tick": {
        "task": "gtm_portal.jobs.tasks.tick",
        "schedule": JOBS_TICK_SECONDS,
        "options": {"queue": JOBS_QUEUE} if JOBS_QUEUE else {},
    },
}
CELERY_BEAT_SCHEDULER = "gtm_portal.jobs.beat:GuardedScheduler"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "gtm_portal.api.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "gtm_portal.api.views.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "GTM Portal API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # ROLE-2 / Q-SEC: DRF views skip LoginRequiredMiddleware, so the schema asks for a login
    # or a read token itself (machine tokens of intake and orders may not read it).
    "SERVE_PERMISSIONS": ["gtm_portal.api.permissions.SchemaReader"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "gtm_portal.api.schema.add_refusals",
    ],
}

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Q-SEC: everything the pages load comes from the portal itself (Bootstrap, HTMX, Chart.js in
# static/); no inline script or event handler runs. Inline style attributes stay allowed
# (layout only; HTMX adds its indicator style).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"gtm_portal": {"level": "INFO"}, "leads": {"level": "INFO"}},
}
