"""INTAKE-3 / Q-IDEM: one person per e-mail under any race. Every path that may create a
person from an e-mail (intake, orders, imports) takes the e-mail's lock inside the
transaction that looks the person up and creates it, so a concurrent submission for the
same new e-mail waits, then finds the person the first one created.

Two levels, so that a list import of 100,000 e-mails in one transaction does not need
100,000 locks (PostgreSQL's lock table holds max_locks_per_transaction × connections, 6,400
by default: "out of shared memory"): a caller with a few e-mails takes the shared
all-e-mails lock, then each e-mail's own lock; a caller with many (an import batch) takes
the all-e-mails lock exclusively — one lock, however many e-mails, and it waits for (and
holds off) the few-e-mail callers. Both levels in one order (all-e-mails first, then the
e-mails sorted), so no two callers wait on each other in a circle."""

from collections.abc import Iterable

from django.db import connection

from .models import email_key

# The first key of the two-key advisory locks: this lock's name space; ALL_EMAILS is the
# second key of the all-e-mails lock (hashtext of an e-mail can be any int4, so the
# all-e-mails lock has a space of its own).
EMAIL_LOCK_SPACE = 23_001
ALL_EMAILS_SPACE, ALL_EMAILS = 23_002, 0
# More e-mails than this: the all-e-mails lock, exclusively.
EXACT_MAX = 100


def lock_emails(emails: Iterable[str]) -> None:
    """Transaction-level advisory locks on the normalised e-mails, released at commit or
    rollback. SQLite serialises writers already: nothing to do there."""
    keys = sorted({email_key(e) for e in emails if email_key(e)})
    if not keys or connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("lock_emails needs a transaction: the lock ends with it")
    with connection.cursor() as cursor:
        if len(keys) > EXACT_MAX:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ALL_EMAILS_SPACE, ALL_EMAILS])
            return
        cursor.execute(
            "SELECT pg_advisory_xact_lock_shared(%s, %s)", [ALL_EMAILS_SPACE, ALL_EMAILS]
        )
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(k)) FROM unnest(%s::text[]) AS k ORDER BY k",
            [EMAIL_LOCK_SPACE, keys],
        )
