from django.template.response import TemplateResponse

from gtm_portal.core.lists import keyset_page

from .models import Notification


def inbox(request):
    """CHAT-3: the user's own notifications, newest first (never anyone else's)."""
    qs = Notification.objects.filter(recipient=request.user).select_related("actor")
    return TemplateResponse(request, "chatter/inbox.html", {"page": keyset_page(qs, request)})
