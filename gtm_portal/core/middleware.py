import zoneinfo

from django.utils import timezone


class UserTimezoneMiddleware:
    """Q-TZ: times are stored in UTC and shown in the user's own zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        zone = getattr(user, "time_zone", None) if user is not None and user.is_authenticated else None
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
