import datetime

from django.utils import timezone
from rest_framework import authentication, exceptions

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
        token = ApiToken.objects.filter(key_hash=ApiToken.hash_key(key),
                                        revoked_at__isnull=True).first()
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return TokenIdentity(token), token

    def authenticate_header(self, request):
        return self.keyword
