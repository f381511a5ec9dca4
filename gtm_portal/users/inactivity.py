"""AUTO-7, daily: portal users with no login for 45 days are warned; 5 business days after
the warning (their calendar: work days and their region's holidays) they are deactivated
unless they logged in since. Their records keep their owner; managers are told, one digest
per manager per run. The warning is sent once per idle stretch (`JobMark`, unique)."""

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from gtm_portal.chatter.models import Notification
from gtm_portal.chatter.services import notify_many
from gtm_portal.core.business_time import Calendar
from gtm_portal.core.first_touch import owner_calendar
from gtm_portal.jobs.runner import claimable, mark_once

from .models import User

IDLE_DAYS = 45
GRACE_BUSINESS_DAYS = 5
JOB = "inactive_users"


def business_days_after(day: datetime.date, n: int, cal: Calendar) -> datetime.date:
    """The n-th working day after `day` (weekends and holidays skipped)."""
    left = n
    while left:
        day += datetime.timedelta(days=1)
        if cal.is_working_day(day):
            left -= 1
    return day


def deactivation_day(user: User) -> datetime.date:
    cal = _calendar(user)
    warned_on = user.inactivity_warned_at.astimezone(cal.zone).date()
    return business_days_after(warned_on, GRACE_BUSINESS_DAYS, cal)


def _calendar(user: User) -> Calendar:
    return owner_calendar(user)


def _idle(now):
    cutoff = now - datetime.timedelta(days=IDLE_DAYS)
    return User.objects.people().filter(
        Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff),
        is_active=True,
    )


def _seen(user: User) -> datetime.datetime:
    return user.last_login or user.date_joined


@transaction.atomic
def warn_idle_users(*, now) -> int:
    due = claimable(
        _idle(now).filter(
            Q(inactivity_warned_at__isnull=True) | Q(last_login__gt=F("inactivity_warned_at"))
        )
    )
    users = {f"warn:{u.pk}:{_seen(u).isoformat()}": u for u in due}
    new = mark_once(JOB, {k: u.pk for k, u in users.items()}, now=now)
    warned = [users[k] for k in sorted(new)]
    User.objects.filter(pk__in=[u.pk for u in warned]).update(inactivity_warned_at=now)
    notify_many(
        dict(
            recipients=[u.pk],
            reason=Notification.Reason.INFO,
            message=(
                f"AUTO-7: you have not logged in for {IDLE_DAYS} days; your account is "
                f"deactivated after {GRACE_BUSINESS_DAYS} business days unless you log in."
            ),
        )
        for u in warned
    )
    return len(warned)


@transaction.atomic
def deactivate_warned_users(*, now) -> int:
    warned = claimable(
        User.objects.people()
        .filter(is_active=True, inactivity_warned_at__isnull=False)
        .filter(Q(last_login__isnull=True) | Q(last_login__lte=F("inactivity_warned_at")))
    ).select_related("region", "region__parent")
    gone = [
        u
        for u in warned
        if timezone.localtime(now, _calendar(u).zone).date() >= deactivation_day(u)
    ]
    User.objects.filter(pk__in=[u.pk for u in gone], is_active=True).update(is_active=False)
    by_manager = defaultdict(list)
    for u in gone:
        if u.manager_id:
            by_manager[u.manager_id].append(u.label)
    notify_many(
        dict(
            recipients=[manager],
            reason=Notification.Reason.INFO,
            message=(
                f"AUTO-7: deactivated after {IDLE_DAYS} days without a login and "
                f"{GRACE_BUSINESS_DAYS} business days' warning: {', '.join(sorted(names))}. "
                "Their records keep their owner."
            ),
        )
        for manager, names in by_manager.items()
    )
    return len(gone)


def inactive_users(*, now=None) -> dict:
    """The `inactive_users` job (AUTO-7): deactivate first (a warning given today never
    deactivates today), then warn."""
    now = now or timezone.now()
    deactivated = deactivate_warned_users(now=now)
    warned = warn_idle_users(now=now)
    return {"changed": warned + deactivated, "warned": warned, "deactivated": deactivated}
