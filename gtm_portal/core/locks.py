"""INTAKE-3 / Q-IDEM: one person per e-mail under any race. Every path that may create a
person from an e-mail (intake, orders, imports) takes the e-mail's lock inside the
transaction that looks the person up and creates it, so a concurrent submission for the
same new e-mail waits, then finds the person the first one created."""

from collections.abc import Iterable

from django.db import connection

from .models import email_key

# The first key of the two-key advisory lock: this lock's name space.
EMAIL_LOCK_SPACE = 23_001


def lock_emails(emails: Iterable[str]) -> None:
    """Transaction-level advisory locks on the normalised e-mails (sorted, so two callers
    locking several never wait on each other in a circle), released at commit or rollback.
    SQLite serialises writers already: nothing to do there."""
    keys = sorted({email_key(e) for e in emails if email_key(e)})
    if not keys or connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("lock_emails needs a transaction: the lock ends with it")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(k)) FROM unnest(%s::text[]) AS k ORDER BY k",
            [EMAIL_LOCK_SPACE, keys],
        )
