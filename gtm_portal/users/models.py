import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property

from . import roles


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    manager = models.ForeignKey(
        "User", null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_teams"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class PortalUserManager(UserManager):
    def people(self):
        return self.filter(kind=User.Kind.PERSON)

    def queues(self):
        return self.filter(kind=User.Kind.QUEUE)

    def queue(self, name: str) -> "User":
        return self.get(kind=User.Kind.QUEUE, display_name=name)


def default_work_days():
    return [0, 1, 2, 3, 4]


class User(AbstractUser):
    """A person who logs in, or a queue (ROLE-4): a named owner nobody logs in as.

    Queues are rows of this table so that every record has one `owner` foreign key; a queue
    has an unusable password and the login backend refuses it.
    """

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        QUEUE = "queue", "Queue"

    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.PERSON, db_index=True)
    display_name = models.CharField(max_length=150, blank=True)
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    region = models.ForeignKey(
        "refdata.Region", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    segments = models.JSONField(
        default=list, blank=True, help_text="Territory segments for account view B1 (VIEW-3)."
    )
    time_zone = models.CharField(max_length=64, default="UTC")
    work_start = models.TimeField(default=datetime.time(9, 0))
    work_end = models.TimeField(default=datetime.time(17, 0))
    work_days = models.JSONField(
        default=default_work_days, help_text="Weekdays worked, 0 = Monday … 6 = Sunday."
    )
    aw_limit_large = models.PositiveIntegerField(
        null=True, blank=True, help_text="Own Actively Working limit (Large/Strategic)."
    )
    aw_limit_other = models.PositiveIntegerField(
        null=True, blank=True, help_text="Own Actively Working limit (other segments)."
    )
    queue_members = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="member_of_queues",
        help_text="For a queue: the people who work its list.",
    )
    inactivity_warned_at = models.DateTimeField(null=True, blank=True)

    objects = PortalUserManager()

    class Meta:
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["person", "queue"]), name="user_kind_valid"
            ),
            models.UniqueConstraint(
                fields=["display_name"],
                condition=models.Q(kind="queue"),
                name="uniq_queue_name",
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def is_queue(self) -> bool:
        return self.kind == self.Kind.QUEUE

    @property
    def label(self) -> str:
        if self.is_queue:
            return self.display_name
        return self.get_full_name() or self.username

    @cached_property
    def role_names(self) -> frozenset[str]:
        """The user's roles; read together with the page frame's other rows (one query)."""
        if not self.pk or self.is_queue:
            return frozenset()
        # A cycle: the frame's reads import the access helper, which imports this model.
        from gtm_portal.core.selectors import load_frame_rows  # noqa: PLC0415

        self.frame_rows = load_frame_rows(self)
        return self.__dict__["role_names"]

    def has_role(self, *names: str) -> bool:
        return bool(self.role_names.intersection(names))

    def clean(self):
        super().clean()
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(
                {"time_zone": "Choose a time zone such as Europe/Berlin."}
            ) from None
        if self.work_start >= self.work_end:
            raise ValidationError({"work_end": "Working hours must end after they start."})
        if not isinstance(self.work_days, list) or not all(
            isinstance(d, int) and 0 <= d <= 6 for d in self.work_days
        ):
            raise ValidationError({"work_days": "Give weekdays as numbers 0 (Monday) to 6."})
        if self.manager_id and self.manager_id == self.pk:
            raise ValidationError({"manager": "A user cannot manage themselves."})


__all__ = ["Team", "User", "roles"]
