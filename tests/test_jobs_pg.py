"""SPEC §10 on PostgreSQL row locks: two workers running the same job at once never act
twice on a row (skip-locked claims, `JobMark`'s unique key). SQLite serialises writers, so
this runs on PostgreSQL (CI does both)."""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from accounts.bps import bps_run_reversions
from accounts.models import Account
from gtm_portal.chatter.models import Notification
from gtm_portal.core.enums import PersonStatus as S
from gtm_portal.core.models import FieldChange
from gtm_portal.jobs.models import JobMark
from leads.services.automation import notify_sla_breaches

from .factories import AccountFactory, LeadFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks; CI runs this file on PostgreSQL")


def _twice_at_once(target) -> list:
    errors, barrier = [], threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            target()
        except Exception as exc:  # collected and asserted
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_auto_1_two_workers_at_once_tell_each_breach_once(refdata):
    owner = UserFactory(manager=UserFactory())
    due = timezone.now() - datetime.timedelta(minutes=10)
    leads = [LeadFactory(owner=owner, status=S.MQL, sla_due=due) for _ in range(200)]
    assert _twice_at_once(notify_sla_breaches) == []
    marks = JobMark.objects.filter(job="sla_breach:lead", subject_id__in=[x.pk for x in leads])
    assert marks.count() == 200
    told = Notification.objects.filter(recipient=owner, reason="sla")
    total = sum(int(m.split(" ", 1)[0]) for m in told.values_list("message", flat=True))
    assert total == 200 and told.count() <= 2  # one digest per run, the breaches split


def test_auto_2_two_workers_at_once_move_each_account_once(refdata):
    bdr = UserFactory()
    since = timezone.now() - datetime.timedelta(days=11)
    accounts = [
        AccountFactory(
            bdr_assigned=bdr,
            bdr_prospecting_status="Actively Working",
            actively_working_since=since,
        )
        for _ in range(600)
    ]
    assert _twice_at_once(lambda: bps_run_reversions(batch=50)) == []
    pks = [a.pk for a in accounts]
    assert not Account.objects.filter(pk__in=pks, bdr_prospecting_status="Actively Working")
    changes = FieldChange.objects.filter(field="bdr_prospecting_status", object_id__in=pks)
    assert changes.count() == 600 and changes.values("object_id").distinct().count() == 600
    assert Notification.objects.filter(recipient=bdr, object_id__in=pks).count() == 600
