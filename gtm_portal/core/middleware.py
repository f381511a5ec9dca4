import zoneinfo

from django.conf import settings
from django.template.response import TemplateResponse
from django.utils import timezone

from .services import StaleEdit


class UserTimezoneMiddleware:
    """Q-TZ: times are stored in UTC and shown in the user's own zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        zone = (
            getattr(user, "time_zone", None) if user is not None and user.is_authenticated else None
        )
        if zone:
            try:
                timezone.activate(zoneinfo.ZoneInfo(zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            # The zone belongs to this request only (a reused thread — or a test — must not
            # inherit the last user's zone).
            timezone.deactivate()


class StaleEditMiddleware:
    """Q-CONC: a save refused because the record changed since the form was opened answers
    409 "changed by X at T, reload" on every path (stage, status, contact roles, claims …);
    the transaction was rolled back, so nothing changed. HTMX requests get the message alone,
    to show in place."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, StaleEdit):
            return None
        record = exception.record
        template = "partials/stale.html" if getattr(request, "htmx", False) else "stale.html"
        response = TemplateResponse(
            request,
            template,
            {
                "message": exception.message,
                "record": record,
                "url": record.get_absolute_url() if hasattr(record, "get_absolute_url") else "/",
            },
            status=409,
        )
        return response.render()


class SecurityHeadersMiddleware:
    """Q-SEC: the headers Django's SecurityMiddleware does not set — a strict
    Content-Security-Policy (scripts only from `static/`, no inline script or handler) and a
    Permissions-Policy that turns off the browser features the portal never uses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
