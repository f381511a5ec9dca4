import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gtm_portal.settings.base")
# Q-SAFE: a web request waits at most 5 s for a row lock and runs a statement at most 30 s;
# past that it answers 503 "busy, retry" (core.views.server_error) instead of hanging.
os.environ.setdefault("DB_LOCK_TIMEOUT_MS", "5000")
os.environ.setdefault("DB_STATEMENT_TIMEOUT_MS", "30000")
application = get_wsgi_application()
