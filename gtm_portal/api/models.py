"""Hashed, scoped, revocable API tokens (Q-SEC)."""

import hashlib
import secrets

from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        INTAKE = "intake", "Intake"
        ORDERS = "orders", "Orders"
        READ = "read", "Read"

    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=8, choices=Scope.choices)
    prefix = models.CharField(max_length=12, help_text="First characters, to recognise a token.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    rate_limit_per_minute = models.PositiveIntegerField(default=6000)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope__in=["intake", "orders", "read"]),
                name="api_token_scope_valid",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.scope}, {self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, *, name: str, scope: str) -> tuple["ApiToken", str]:
        key = secrets.token_urlsafe(32)
        token = cls(name=name, scope=scope, prefix=key[:8], key_hash=cls.hash_key(key))
        token.full_clean()
        token.save()
        return token, key

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self):
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])
