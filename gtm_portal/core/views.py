from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.template.response import TemplateResponse

from .selectors import home_for_user


@login_not_required
def healthz(request):
    """CONTRACT 6: 200 {"db": "ok", "broker": "ok"|"eager"}; 503 when the database is down."""
    from django.conf import settings

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        db = "ok"
    except Exception:
        db = "down"
    broker = "eager"
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        broker = _broker_state(settings.CELERY_BROKER_URL)
    status = 200 if db == "ok" else 503
    return JsonResponse({"db": db, "broker": broker}, status=status)


def _broker_state(url: str) -> str:
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=1) as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
        return "ok"
    except Exception:
        return "down"


def home(request):
    return TemplateResponse(request, "home.html", home_for_user(request.user))
