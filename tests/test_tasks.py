"""ACT-2 tasks: create on a record, complete from home or the record, due/overdue on home."""

import datetime

import pytest
from django.utils import timezone

from gtm_portal.activity.models import Task

from .factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_act_2_create_a_task_on_a_record_and_complete_it_from_home(client, users):
    lead = LeadFactory(owner=users["sdr.emea1"])
    client.force_login(users["sdr.emea1"])
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    client.post(f"/leads/{lead.pk}/tasks/", {"subject": "Call back", "due_date": yesterday})
    task = Task.objects.get(lead=lead)
    assert task.owner == users["sdr.emea1"] and task.status == "open"
    home = client.get("/").content.decode()
    assert "Call back" in home and "Overdue" in home
    client.post(f"/tasks/{task.pk}/done/")
    task.refresh_from_db()
    assert task.status == "done" and task.done_at
    assert "Mark “Call back” done" not in client.get("/").content.decode()


def test_act_2_bad_task_input_is_refused_and_nothing_written(client, users):
    lead = LeadFactory(owner=users["sdr.emea1"])
    client.force_login(users["sdr.emea1"])
    r = client.post(
        f"/leads/{lead.pk}/tasks/", {"subject": "", "due_date": "tomorrow"}, follow=True
    )
    assert "ACT-2" in r.content.decode(), r.redirect_chain
    assert not Task.objects.filter(lead=lead).exists()


def test_act_2_only_the_owner_or_their_manager_completes(client, users):
    task = Task.objects.create(subject="x", owner=users["sdr.emea1"], due_date=timezone.localdate())
    client.force_login(users["sdr.emea2"])
    assert client.post(f"/tasks/{task.pk}/done/").status_code == 403
    task.refresh_from_db()
    assert task.status == "open"
    client.force_login(users["sdr.mgr"])
    client.post(f"/tasks/{task.pk}/done/")
    task.refresh_from_db()
    assert task.status == "done"
