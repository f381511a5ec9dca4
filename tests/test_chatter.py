"""SPEC §8 CHAT-1..5: threads, mentions, notifications, follows, edits."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Account
from gtm_portal.chatter.models import Comment, CommentRevision, Follow, Mention, Notification
from gtm_portal.chatter.selectors import home_feed
from gtm_portal.chatter.services import comment_edit, comment_post, follow_set, notify
from gtm_portal.chatter.tasks import email_notification

from .factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def globex(demo):
    return Account.objects.get(name="Globex Corporation")


def snapshot():
    return (
        Comment.objects.count(),
        Mention.objects.count(),
        Notification.objects.count(),
        CommentRevision.objects.count(),
    )


def test_chat_1_post_a_comment_over_http_and_read_it_on_the_record(client, users, globex):
    client.force_login(users["sdr.amer2"])
    r = client.post(f"/accounts/{globex.pk}/comments/", {"body": "Who owns the platform team?"})
    assert r.status_code == 302 and r["Location"].startswith(f"/accounts/{globex.pk}/")
    page = client.get(f"/accounts/{globex.pk}/").content.decode()
    assert "Who owns the platform team?" in page


@pytest.mark.parametrize("kind", ["leads", "contacts", "accounts", "opportunities"])
def test_chat_1_every_record_kind_has_a_thread(client, users, kind):
    from accounts.models import Contact
    from opportunities.models import Opportunity

    record = {
        "leads": lambda: LeadFactory(),
        "contacts": Contact.objects.first,
        "accounts": Account.objects.first,
        "opportunities": Opportunity.objects.first,
    }[kind]()
    client.force_login(users["sdr.emea1"])
    assert client.post(f"/{kind}/{record.pk}/comments/", {"body": "hello"}).status_code == 302
    assert Comment.objects.get().record == record


def test_chat_1_bodies_are_escaped_and_only_http_links_are_linked(client, users, globex):
    client.force_login(users["sdr.emea1"])
    body = (
        "<script>alert(1)</script> see https://globex.example/plan and "
        'javascript:alert(2) and /leads/1/ <a href="x">y</a>'
    )
    client.post(f"/accounts/{globex.pk}/comments/", {"body": body})
    page = client.get(f"/accounts/{globex.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)" in page
    assert '<a href="https://globex.example/plan"' in page
    assert 'href="javascript:' not in page and "javascript:alert(2)" in page
    assert '<a href="/leads/1/"' in page
    assert '<a href="x">' not in page


def test_chat_1_replies_are_one_level_deep(users, globex):
    top = comment_post(record=globex, author=users["sdr.emea1"], body="top")
    reply = comment_post(record=globex, author=users["sdr.mgr"], body="reply", parent=top)
    deeper = comment_post(record=globex, author=users["sdr.emea1"], body="deeper", parent=reply)
    assert reply.parent == top and deeper.parent == top


def test_chat_1_reply_to_a_comment_of_another_record_is_refused(users, globex):
    other = LeadFactory()
    foreign = comment_post(record=other, author=users["sdr.emea1"], body="elsewhere")
    before = snapshot()
    with pytest.raises(ValidationError, match="CHAT-1"):
        comment_post(record=globex, author=users["sdr.emea1"], body="x", parent=foreign)
    assert snapshot() == before


def test_chat_1_empty_comment_is_refused_and_nothing_changes(client, users, globex):
    client.force_login(users["sdr.emea1"])
    before = snapshot()
    r = client.post(f"/accounts/{globex.pk}/comments/", {"body": "   "}, follow=True)
    assert "write something" in r.content.decode()
    assert snapshot() == before


def test_executive_cannot_comment_and_nothing_changes(client, users, globex):
    client.force_login(users["exec"])
    before = snapshot()
    assert (
        client.post(f"/accounts/{globex.pk}/comments/", {"body": "@sdr.mgr hi"}).status_code == 403
    )
    assert snapshot() == before


def test_unknown_record_or_kind_is_404(client, users):
    client.force_login(users["sdr.emea1"])
    assert client.post("/accounts/999999/comments/", {"body": "x"}).status_code == 404
    assert client.post("/widgets/1/comments/", {"body": "x"}).status_code == 404


def test_chat_2_group_handle_notifies_each_member_once(users, globex):
    comment_post(
        record=globex,
        author=users["sdr.emea1"],
        body="@sales-support please merge; @sales-support again, and @salessupport",
    )
    notes = Notification.objects.filter(recipient=users["salessupport"])
    assert notes.count() == 1 and notes.get().reason == "mentioned"


def test_chat_2_a_user_mentioned_twice_gets_one_notification(users, globex):
    comment_post(
        record=globex, author=users["sdr.emea1"], body="@sdr.mgr look. @sdr.mgr, really: @SDR.MGR."
    )
    assert Notification.objects.filter(recipient=users["sdr.mgr"]).count() == 1
    assert Mention.objects.count() == 1


@pytest.mark.parametrize(
    "handle, group_user",
    [
        ("@mktgops-support", "mops"),
        ("@sdr-managers", "sdr.mgr"),
        ("@bdr-managers", "bdr.mgr"),
    ],
)
def test_chat_2_each_group_handle_maps_to_its_role(users, globex, handle, group_user):
    comment_post(record=globex, author=users["sdr.emea1"], body=f"{handle} misroute")
    assert Notification.objects.filter(recipient=users[group_user], reason="mentioned").exists()


def test_chat_2_unknown_handles_and_e_mail_addresses_notify_no_one(client, users, globex):
    comment_post(
        record=globex,
        author=users["sdr.emea1"],
        body="@nobody.here and mail sdr.mgr@gtm-portal.example or x@sdr.mgr",
    )
    assert not Notification.objects.exists() and not Mention.objects.exists()
    client.force_login(users["sdr.emea1"])
    page = client.get(f"/accounts/{globex.pk}/").content.decode()
    assert "@nobody.here" in page and 'class="mention">@nobody' not in page


def test_chat_2_the_author_is_never_notified_of_their_own_mention(users, globex):
    comment_post(record=globex, author=users["sdr.emea1"], body="note to self @sdr.emea1")
    assert not Notification.objects.filter(recipient=users["sdr.emea1"]).exists()


def test_chat_2_autocomplete_offers_people_and_group_handles(client, users):
    client.force_login(users["sdr.emea1"])
    handles = [
        r["handle"]
        for r in client.get("/notifications/mentions/", {"q": "@sdr.e"}).json()["results"]
    ]
    assert "@sdr.emea1" in handles and "@sdr.emea2" in handles and "@sdr.amer1" not in handles
    groups = [
        r["handle"] for r in client.get("/notifications/mentions/", {"q": "sa"}).json()["results"]
    ]
    assert "@sales-support" in groups and "@salessupport" in groups
    queues = client.get("/notifications/mentions/", {"q": "queue"}).json()["results"]
    assert queues == []


def test_chat_3_followers_get_every_comment_and_unfollow_stops_it(client, users, globex):
    client.force_login(users["sdr.amer1"])
    assert client.post(f"/accounts/{globex.pk}/follow/", {"follow": "1"}).status_code == 302
    comment_post(record=globex, author=users["bdr.amer1"], body="first")
    assert Notification.objects.get(recipient=users["sdr.amer1"]).reason == "followed"
    client.post(f"/accounts/{globex.pk}/follow/", {"follow": "0"})
    comment_post(record=globex, author=users["bdr.amer1"], body="second")
    assert Notification.objects.filter(recipient=users["sdr.amer1"]).count() == 1


def test_chat_3_commenting_follows_the_record_so_replies_reach_the_author(users, globex):
    top = comment_post(record=globex, author=users["sdr.emea1"], body="question")
    comment_post(record=globex, author=users["bdr.amer1"], body="answer", parent=top)
    assert Notification.objects.get(recipient=users["sdr.emea1"]).reason == "followed"


def test_chat_3_a_mentioned_follower_gets_one_notification(users, globex):
    follow_set(user=users["sdr.mgr"], record=globex, follow=True)
    comment_post(record=globex, author=users["sdr.emea1"], body="@sdr.mgr look")
    assert Notification.objects.filter(recipient=users["sdr.mgr"]).count() == 1


def test_chat_3_inbox_shows_nothing_of_other_users(client, users, globex):
    comment_post(record=globex, author=users["sdr.emea1"], body="@sdr.mgr private to manager")
    client.force_login(users["ae.amer1"])
    page = client.get("/notifications/").content.decode()
    assert "private to manager" not in page
    other = Notification.objects.get()
    assert client.get(f"/notifications/{other.pk}/open/").status_code == 404
    client.post("/notifications/read/", {"id": other.pk})
    other.refresh_from_db()
    assert other.read_at is None  # someone else's notification stays unread


def test_chat_3_unread_count_open_and_mark_all_read(client, users, globex):
    comment_post(record=globex, author=users["sdr.emea1"], body="@sdr.mgr one")
    comment_post(record=globex, author=users["sdr.emea1"], body="@sdr.mgr two")
    client.force_login(users["sdr.mgr"])
    assert 'id="unread-count">2<' in client.get("/").content.decode()
    first = Notification.objects.filter(recipient=users["sdr.mgr"]).first()
    r = client.get(f"/notifications/{first.pk}/open/")
    assert r.status_code == 302 and r["Location"] == f"/accounts/{globex.pk}/#comments"
    assert 'id="unread-count">1<' in client.get("/notifications/count/").content.decode()
    client.post("/notifications/read/")
    assert not Notification.objects.filter(
        recipient=users["sdr.mgr"], read_at__isnull=True
    ).exists()


def test_chat_3_the_bell_caps_its_count(client, users, globex):
    """A user with thousands unread costs the frame what a hundred cost (Q-PERF): 99+."""
    from gtm_portal.chatter.selectors import UNREAD_CAP

    Notification.objects.bulk_create(
        [
            Notification(
                recipient=users["sdr.mgr"],
                reason=Notification.Reason.INFO,
                message=f"n{i}",
                created_at=timezone.now(),
            )
            for i in range(UNREAD_CAP + 5)
        ]
    )
    client.force_login(users["sdr.mgr"])
    assert f'id="unread-count">{UNREAD_CAP - 1}+<' in client.get("/").content.decode()
    assert (
        f'id="unread-count">{UNREAD_CAP - 1}+<'
        in client.get("/notifications/count/").content.decode()
    )
    Notification.objects.filter(
        pk__in=list(
            Notification.objects.filter(recipient=users["sdr.mgr"]).values_list("pk", flat=True)[
                :10
            ]
        )
    ).update(read_at="2026-01-01T00:00:00Z")
    assert (
        f'id="unread-count">{UNREAD_CAP - 5}<'
        in client.get("/notifications/count/").content.decode()
    )


def test_chat_3_e_mailed_once_even_when_the_task_is_retried(users, globex):
    mail.outbox.clear()
    comment_post(record=globex, author=users["sdr.emea1"], body="@sdr.mgr urgent")
    note = Notification.objects.get(recipient=users["sdr.mgr"])
    # In a test transaction on_commit never fires: run the task twice by hand, as a retry would.
    email_notification(note.pk)
    email_notification(note.pk)
    sent = [m for m in mail.outbox if "sdr.mgr@" in m.to[0]]
    assert len(sent) == 1 and "urgent" in sent[0].body
    note.refresh_from_db()
    assert note.emailed_at is not None


def test_chat_3_a_digests_e_mail_subject_says_what_it_is_about(users):
    """A job's digest names no record (AUTO-1: "12 SLA breaches in your team"): its subject
    carries the message instead of ending in an empty "…: "."""
    mail.outbox.clear()
    (note,) = notify(
        recipients=[users["sdr.mgr"]],
        reason=Notification.Reason.INFO,
        message="12 SLA breaches in your team (ROUTE-4).\nDetails follow.",
    )
    email_notification(note.pk)
    (sent,) = [m for m in mail.outbox if "sdr.mgr@" in m.to[0]]
    assert sent.subject.endswith(": 12 SLA breaches in your team (ROUTE-4).")


def test_chat_3_a_line_break_in_a_record_label_never_breaks_the_e_mail(users):
    """Q-SAFE: a record's label holding a carriage return (user text) still e-mails, on one
    subject line (send_mail refuses a header with a line break)."""
    mail.outbox.clear()
    lead = LeadFactory(last_name="Smith\rBcc: x@evil.example")
    (note,) = notify(recipients=[users["sdr.mgr"]], reason=Notification.Reason.INFO, record=lead)
    assert email_notification(note.pk) is True
    (sent,) = [m for m in mail.outbox if "sdr.mgr@" in m.to[0]]
    assert "\r" not in sent.subject and "\n" not in sent.subject and "Smith Bcc" in sent.subject


def test_chat_4_system_comments_read_differently_and_notify_named_users(client, users, globex):
    comment_post(
        record=globex,
        author=None,
        kind=Comment.Kind.SYSTEM,
        topic="transfer",
        body="Transfer requested by sdr.amer2: territory change",
        notify_users=[users["ae.amer1"]],
        notify_reason="decide",
    )
    assert Notification.objects.get(recipient=users["ae.amer1"]).reason == "decide"
    client.force_login(users["sdr.emea1"])
    page = client.get(f"/accounts/{globex.pk}/").content.decode()
    assert "System</span> transfer" in page


def test_chat_5_author_edits_within_15_minutes_with_history(users, globex):
    comment = comment_post(record=globex, author=users["sdr.emea1"], body="typo hree")
    comment_edit(comment=comment, by=users["sdr.emea1"], body="typo here @sdr.mgr")
    comment.refresh_from_db()
    assert comment.body == "typo here @sdr.mgr" and comment.edited_at
    assert CommentRevision.objects.get(comment=comment).body == "typo hree"
    assert Notification.objects.filter(recipient=users["sdr.mgr"]).count() == 1


def test_chat_5_edit_after_15_minutes_is_refused_and_changes_nothing(client, users, globex):
    comment = comment_post(record=globex, author=users["sdr.emea1"], body="original")
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=16)
    )
    before = snapshot()
    client.force_login(users["sdr.emea1"])
    r = client.post(
        f"/accounts/{globex.pk}/comments/{comment.pk}/edit/", {"body": "changed"}, follow=True
    )
    assert "15 minutes" in r.content.decode()
    comment.refresh_from_db()
    assert comment.body == "original" and snapshot() == before


def test_chat_5_nobody_edits_or_deletes_someone_elses_comment(client, users, globex):
    comment = comment_post(record=globex, author=users["sdr.emea1"], body="mine")
    with pytest.raises(ValidationError, match="CHAT-5"):
        comment_edit(comment=comment, by=users["sdr.mgr"], body="manager rewrite")
    client.force_login(users["mops"])
    client.post(f"/accounts/{globex.pk}/comments/{comment.pk}/edit/", {"body": "x"})
    assert client.post(f"/accounts/{globex.pk}/comments/{comment.pk}/delete/").status_code == 404
    comment.refresh_from_db()
    assert comment.body == "mine"


def test_home_feed_shows_comments_on_my_records_and_followed_ones(client, users, globex):
    mine = LeadFactory(owner=users["sdr.emea1"])
    comment_post(record=mine, author=users["sdr.mgr"], body="on your lead")
    comment_post(record=globex, author=users["bdr.amer1"], body="on followed account")
    comment_post(record=LeadFactory(), author=users["sdr.mgr"], body="elsewhere")
    follow_set(user=users["sdr.emea1"], record=globex, follow=True)
    comment_post(record=globex, author=users["bdr.amer1"], body="after follow")
    client.force_login(users["sdr.emea1"])
    page = client.get("/").content.decode()
    assert "on your lead" in page and "after follow" in page and "elsewhere" not in page


def test_permission_denied_is_raised_by_the_service_too(users, globex):
    with pytest.raises(PermissionDenied):
        comment_post(record=globex, author=users["exec"], body="hi")


def test_inbox_and_thread_stay_at_constant_queries_with_200_rows(
    client, users, globex, django_assert_max_num_queries
):
    for i in range(5):
        comment_post(record=globex, author=users["sdr.emea1"], body=f"@sdr.mgr n{i}")
    client.force_login(users["sdr.mgr"])
    client.get("/notifications/")
    with django_assert_max_num_queries(8) as few:
        client.get("/notifications/")
    with django_assert_max_num_queries(40) as thread_few:
        client.get(f"/accounts/{globex.pk}/")
    for i in range(200):
        comment_post(record=globex, author=users["sdr.emea1"], body=f"@sdr.mgr m{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/notifications/", {"size": 200}).status_code == 200
    with django_assert_max_num_queries(len(thread_few.captured_queries)):
        assert "m199" in client.get(f"/accounts/{globex.pk}/").content.decode()
    assert Follow.objects.filter(user=users["sdr.emea1"]).count() == 1


def test_home_feed_merges_the_kinds_newest_first_without_repeats_or_my_own(users, globex):
    """The feed reads each kind of record on its own (Q-PERF) and merges them: the newest
    `limit` comments across leads, accounts and followed records, each once, none of mine."""
    me = users["bdr.amer1"]
    lead = LeadFactory(owner=me)
    account = Account.objects.create(name="Feed Co", domain="feed.example", owner=me)
    follow_set(user=me, record=account, follow=True)  # owned and followed: shown once
    posted = []
    for i in range(4):
        for record in (lead, account):
            posted.append(comment_post(record=record, author=users["sdr.mgr"], body=f"c{i}"))
    comment_post(record=lead, author=me, body="my own")
    comment_post(record=LeadFactory(), author=users["sdr.mgr"], body="not mine")
    feed = home_feed(me, limit=5)
    assert [c.pk for c in feed] == [c.pk for c in reversed(posted)][:5]
    assert len(home_feed(me)) == 8
