"""The log dialog (UX.md "small writes open small dialogs", issue #22): ACT-1 with an outcome,
notes and an ACT-2 follow-up task, both or neither; the short undo that follows (ROUTE-4's
first touch given back); and the record page's one interleaved timeline."""

import datetime

import pytest
from django.core import signing
from django.utils import timezone

from gtm_portal.activity.models import Activity, Task
from gtm_portal.activity.services import UNDO_SECONDS, activity_undo
from gtm_portal.activity.views import UNDO_SALT, undo_token
from gtm_portal.chatter.services import comment_post
from gtm_portal.core.enums import PersonStatus as S
from leads.models import Lead
from leads.services.persons import person_change_status
from leads.services.sequences import person_log_with_follow_up

from .factories import LeadFactory

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def mine(users):
    return LeadFactory(owner=users["sdr.emea1"], status=S.MQL, first_name="Ada", last_name="Byte")


def _post(client, lead, **data):
    return client.post(f"/leads/{lead.pk}/activities/", data, **HX)


def test_act_1_the_dialog_logs_outcome_notes_and_a_follow_up_task(client, users, mine):
    client.force_login(users["sdr.emea1"])
    due = timezone.localdate() + datetime.timedelta(days=1)
    r = _post(
        client,
        mine,
        kind="call",
        subject="Call with Ada Byte",
        outcome="voicemail",
        body="Left a message about the trial",
        follow_up="on",
        follow_up_subject="Call Ada again",
        follow_up_due=due.isoformat(),
    )
    html = r.content.decode()
    assert r.status_code == 200 and "Call logged, with a follow-up task due" in html
    assert "Undo" in html and r["HX-Trigger"] == "timelineChanged"
    activity = Activity.objects.get(lead=mine)
    assert (activity.subject, activity.outcome, activity.two_way) == (
        "Call with Ada Byte",
        "voicemail",
        False,
    )
    assert activity.body == "Left a message about the trial"
    task = Task.objects.get(lead=mine)
    assert (task.subject, task.due_date, task.owner) == ("Call Ada again", due, users["sdr.emea1"])
    mine.refresh_from_db()
    assert mine.first_touch_at == activity.occurred_at  # ROUTE-4: the owner's first touch


def test_act_1_connected_is_two_way_and_replied_is_an_inbound_reply(users, mine):
    person_change_status(person=mine, to=S.ACCEPTED, by=users["sdr.emea1"], reason="")
    call, _ = person_log_with_follow_up(
        person=Lead.objects.get(pk=mine.pk),
        by=users["sdr.emea1"],
        kind="call",
        outcome="connected",
        follow_up=False,
    )
    assert call.two_way and call.moved_on
    assert Lead.objects.get(pk=mine.pk).status == S.QUALIFYING  # LEAD-STATUS 5
    reply, _ = person_log_with_follow_up(
        person=Lead.objects.get(pk=mine.pk),
        by=users["sdr.emea1"],
        kind="email",
        outcome="replied",
        follow_up=False,
    )
    assert reply.two_way and reply.direction == "inbound"


@pytest.mark.parametrize(
    "data, field_words",
    [
        ({"kind": "call", "outcome": "replied"}, "outcomes offered"),  # an e-mail outcome
        ({"kind": "email", "outcome": "bogus"}, "outcomes offered"),
        ({"kind": "call", "follow_up": "on", "follow_up_due": "2026-13-40"}, "due date"),
        ({"kind": "call", "follow_up": "on"}, "due date"),
    ],
)
def test_act_1_a_refused_dialog_writes_neither_activity_nor_task(
    client, users, mine, data, field_words
):
    client.force_login(users["sdr.emea1"])
    r = _post(client, mine, **data)
    html = r.content.decode()
    assert r.status_code == 200 and "data-refused" in html and field_words in html
    assert not Activity.objects.filter(lead=mine).exists()
    assert not Task.objects.filter(lead=mine).exists()
    mine.refresh_from_db()
    assert mine.first_touch_at is None


def test_act_1_readers_may_not_log_and_nothing_changes(client, users, mine):
    client.force_login(users["sdr.amer1"])  # ROLE-3: not theirs
    r = _post(client, mine, kind="call", outcome="voicemail")
    assert r.status_code == 403 and "data-refused" in r.content.decode()
    assert "ROLE-3" in r.content.decode()  # the dialog says why
    assert client.post(f"/leads/{mine.pk}/activities/", {"kind": "call"}).status_code == 403
    assert not Activity.objects.filter(lead=mine).exists()


def test_undo_takes_back_the_activity_its_task_and_the_first_touch(client, users, mine):
    client.force_login(users["sdr.emea1"])
    due = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    _post(client, mine, kind="call", outcome="no_answer", follow_up="on", follow_up_due=due)
    activity = Activity.objects.get(lead=mine)
    token = undo_token(activity, Task.objects.get(lead=mine))
    r = client.post("/activities/undo/", {"token": token}, **HX)
    assert r.status_code == 200 and "Call removed." in r.content.decode()
    assert r["HX-Trigger"] == "timelineChanged"
    assert not Activity.objects.filter(lead=mine).exists()
    assert not Task.objects.filter(lead=mine).exists()
    mine.refresh_from_db()
    assert mine.first_touch_at is None  # the SLA clock runs again (ROUTE-4)


def test_undo_gives_the_first_touch_to_the_next_outbound_activity(users, mine):
    me = users["sdr.emea1"]
    first, _ = person_log_with_follow_up(person=mine, by=me, kind="call", follow_up=False)
    second, _ = person_log_with_follow_up(person=mine, by=me, kind="email", follow_up=False)
    activity_undo(activity_id=first.pk, task_id=None, by=me)
    mine.refresh_from_db()
    assert mine.first_touch_at == second.occurred_at


def test_undo_is_only_for_the_one_who_logged_it_and_only_for_a_minute(client, users, mine):
    me = users["sdr.emea1"]
    activity, _ = person_log_with_follow_up(person=mine, by=me, kind="call", follow_up=False)
    token = undo_token(activity)
    client.force_login(users["sdr.mgr"])  # may edit the lead, did not log the call
    r = client.post("/activities/undo/", {"token": token}, **HX)
    assert "can no longer be undone" in r.content.decode() and "data-refused" in r.content.decode()
    assert Activity.objects.filter(pk=activity.pk).exists()
    later = activity.created_at + datetime.timedelta(seconds=UNDO_SECONDS + 1)
    with pytest.raises(Exception, match="can no longer be undone"):
        activity_undo(activity_id=activity.pk, task_id=None, by=me, now=later)
    assert Activity.objects.filter(pk=activity.pk).exists()


@pytest.mark.parametrize("token", ["", "nonsense", "other salt"])
def test_undo_with_a_forged_or_empty_ticket_changes_nothing(client, users, mine, token):
    activity, _ = person_log_with_follow_up(
        person=mine, by=users["sdr.emea1"], kind="call", follow_up=False
    )
    if token == "other salt":  # a real ticket of another kind (made here: it holds the time)
        token = signing.dumps({"a": activity.pk, "t": None}, salt="other")
    client.force_login(users["sdr.emea1"])
    r = client.post("/activities/undo/", {"token": token}, **HX)
    assert r.status_code == 200 and "data-refused" in r.content.decode()
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_undo_is_not_offered_once_the_activity_moved_the_person_on(client, users, mine):
    person_change_status(person=mine, to=S.ACCEPTED, by=users["sdr.emea1"], reason="")
    client.force_login(users["sdr.emea1"])
    r = _post(client, mine, kind="call", outcome="connected")
    assert "Call logged." in r.content.decode() and "Undo" not in r.content.decode()
    assert Lead.objects.get(pk=mine.pk).status == S.QUALIFYING


def test_the_signed_ticket_names_the_activity_and_its_task(users, mine):
    activity, task = person_log_with_follow_up(
        person=mine,
        by=users["sdr.emea1"],
        kind="email",
        follow_up=True,
        follow_up_due=timezone.localdate(),
    )
    assert task.subject == "Follow up with Ada Byte"
    ticket = signing.loads(undo_token(activity, task), salt=UNDO_SALT)
    assert ticket == {"a": activity.pk, "t": task.pk}


def test_the_timeline_interleaves_comments_activities_tasks_and_status_changes(client, users, mine):
    me = users["sdr.emea1"]
    client.force_login(me)
    comment_post(record=mine, author=me, body="first a comment")
    person_change_status(person=mine, to=S.ACCEPTED, by=me, reason="picked up")
    person_log_with_follow_up(
        person=Lead.objects.get(pk=mine.pk),
        by=me,
        kind="call",
        subject="then a call",
        outcome="voicemail",
        follow_up=True,
        follow_up_subject="an open task",
        follow_up_due=timezone.localdate(),
    )
    html = client.get(f"/leads/{mine.pk}/", {"tab": "activities"}, **HX).content.decode()
    timeline = html[html.index('aria-label="Timeline, newest first"') :]
    order = [timeline.index(s) for s in ("then a call", "Accepted", "first a comment")]
    assert order == sorted(order)  # newest first, one list
    assert "Left voicemail" in timeline
    tasks = html[: html.index('aria-label="Timeline, newest first"')]
    assert "an open task" in tasks  # open tasks stay on top
    page = client.get(f"/leads/{mine.pk}/").content.decode()
    assert page.index('id="comment-body"') < page.index("first a comment")  # the box on top


@pytest.mark.parametrize(
    "due_in, touched_in, shows",
    [
        (datetime.timedelta(hours=2, minutes=5, seconds=40), None, "2 h 5 min left"),
        (datetime.timedelta(minutes=10), None, "text-bg-warning"),
        (-datetime.timedelta(minutes=42, seconds=20), None, "overdue by 42 min"),
        (datetime.timedelta(hours=1), -datetime.timedelta(minutes=5), ">met<"),
        (-datetime.timedelta(hours=3), -datetime.timedelta(hours=1), "missed by 2 h"),
    ],
)
def test_route_4_the_record_page_shows_the_sla_clock(client, users, due_in, touched_in, shows):
    now = timezone.now()
    lead = LeadFactory(
        owner=users["sdr.emea1"],
        status=S.MQL,
        sla_due=now + due_in,
        first_touch_at=now + touched_in if touched_in is not None else None,
    )
    client.force_login(users["sdr.emea1"])
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    header = page[page.index("record-header") : page.index('role="toolbar"')]
    assert shows in header
    if "overdue" in shows:
        assert "text-bg-danger" in header
