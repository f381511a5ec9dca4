from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_notification(notification_id: int) -> bool:
    """CHAT-3: e-mail a notification once, even when the task is retried or run twice:
    the row lock and `emailed_at` decide; a failed send rolls back and is retried."""
    with transaction.atomic():
        n = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient", "actor")
            .filter(pk=notification_id)
            .first()
        )
        if n is None or n.emailed_at is not None or not n.recipient.email:
            return False
        who = n.actor.label if n.actor_id else "GTM Portal"
        # A digest ("12 SLA breaches in your team") is about no one record: its message says.
        about = n.record_label or (n.message.splitlines() or [""])[0]
        # One line: a header never holds a line break (BadHeaderError), whatever the text.
        subject = " ".join(f"{who} {n.get_reason_display()}: {about}".split())[:200]
        link = f"{getattr(settings, 'PORTAL_BASE_URL', '')}{n.record_url}"
        send_mail(
            subject,
            f"{n.message}\n\n{link}".strip(),
            settings.DEFAULT_FROM_EMAIL,
            [n.recipient.email],
        )
        n.emailed_at = timezone.now()
        n.save(update_fields=["emailed_at"])
    return True


@shared_task(acks_late=True)
def email_notifications(notification_ids: list[int]) -> int:
    """CHAT-3 for a batch (routing many people): one queued message, each e-mail sent once
    by `email_notification`'s rules; a failed one is queued again on its own."""
    sent = 0
    for pk in notification_ids:
        try:
            sent += bool(email_notification(pk))
        except OSError:
            email_notification.delay(pk)
    return sent
