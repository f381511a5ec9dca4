import datetime

from django.db import connection
from django.utils import timezone
from rest_framework import authentication, exceptions

from gtm_portal.core.sqlrows import ModelRows

from .models import ApiToken


class TokenIdentity:
    """The caller behind a machine token: authenticated, but no portal user."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    pk = None
    id = None

    def __init__(self, token: ApiToken):
        self.token = token
        self.username = f"token:{token.name}"

    def has_role(self, *names):
        return False


# A token's last use is stamped at most once a minute: a busy intake token would otherwise
# write its row (an extra transaction) on every request. The stored moment is then at most a
# minute behind the true last use — admins read it to spot unused tokens (Q-SEC, Q-PERF).
LAST_USED_EVERY = datetime.timedelta(minutes=1)


def live_token(key_hash: str) -> ApiToken | None:
    """The unrevoked token with this hash (the hash is unique), in SQL written once: every
    machine request asks it, and compiling the ORM's statement cost more CPU than the
    database spends answering it (Q-PERF)."""
    rows = ModelRows.of(ApiToken)
    qn = connection.ops.quote_name
    meta = ApiToken._meta
    sql = (
        f"SELECT {rows.columns()} FROM {qn(meta.db_table)}"
        f" WHERE {qn(meta.get_field('key_hash').column)} = %s"
        f" AND {qn(meta.get_field('revoked_at').column)} IS NULL"
    )
    found = rows.fetch(sql, [key_hash])
    return found[0] if found else None


class HashedTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header.")
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        token = live_token(ApiToken.hash_key(key))
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return TokenIdentity(token), token

    def authenticate_header(self, request):
        return self.keyword
