"""The log-in forms of the portal and of the admin, refusing a locked-out username or
address before the password is even checked (Q-SEC, users/throttle.py)."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from . import throttle


class ThrottledLoginMixin:
    def clean(self):
        if throttle.locked_out(self.request, self.data.get("username")):
            throttle.log.warning(
                "login refused (locked out) for %r from %s",
                self.data.get("username"),
                throttle.client_address(self.request),
            )
            raise ValidationError(throttle.LOCKED_MESSAGE, code="locked_out")
        return super().clean()


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass
