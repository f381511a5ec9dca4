from django.db import models


class ActivityKind(models.TextChoices):
    CALL = "call", "Call"
    EMAIL = "email", "E-mail"
    MEETING = "meeting", "Meeting"
    LINKEDIN = "linkedin", "LinkedIn"
    CHAT = "chat", "Chat"
    NOTE = "note", "Note"
    FORM_FILL = "form_fill", "Form fill"
    WEB_VISIT = "web_visit", "Web visit"
    WEBCAST = "webcast", "Webcast attendance"
    EVENT_VISIT = "event_visit", "Event visit"


# ACT-1: sales activity = calls, e-mails, meetings, LinkedIn messages, chats and notes logged
# by a user; the person's own marketing actions are activities but not sales activity.
SALES_ACTIVITY_KINDS = frozenset(
    {
        ActivityKind.CALL,
        ActivityKind.EMAIL,
        ActivityKind.MEETING,
        ActivityKind.LINKEDIN,
        ActivityKind.CHAT,
        ActivityKind.NOTE,
    }
)


class Direction(models.TextChoices):
    OUTBOUND = "outbound", "Outbound"
    INBOUND = "inbound", "Inbound"


class Outcome(models.TextChoices):
    """How a logged call or e-mail went (UX: the log dialog). Connected and Replied are the
    two-way outcomes of ACT-1 (a connected call, a reply)."""

    CONNECTED = "connected", "Connected"
    VOICEMAIL = "voicemail", "Left voicemail"
    NO_ANSWER = "no_answer", "No answer"
    WRONG_NUMBER = "wrong_number", "Wrong number"
    SENT = "sent", "Sent"
    REPLIED = "replied", "Replied"


# The outcomes each kind offers, the first the log dialog's default — never a two-way one,
# which would move the person on (LEAD-STATUS 5) by default; the two-way ones (ACT-1).
OUTCOMES_FOR: dict[str, tuple[Outcome, ...]] = {
    ActivityKind.CALL: (
        Outcome.VOICEMAIL,
        Outcome.NO_ANSWER,
        Outcome.CONNECTED,
        Outcome.WRONG_NUMBER,
    ),
    ActivityKind.EMAIL: (Outcome.SENT, Outcome.REPLIED),
}
TWO_WAY_OUTCOMES = frozenset({Outcome.CONNECTED, Outcome.REPLIED})


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class Touch(models.TextChoices):
    HIGH = "high", "High touch"
    LOW = "low", "Low touch"


class EnrollmentState(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    FAILED = "failed", "Failed"
    FINISHED = "finished", "Finished"
