"""LEAD-DSR-1 (issue #21, CONTRACT 6): Marketing Ops export everything held about a person
and erase it — personal fields blanked wherever they are copied, activities and comments
removed, a tombstone kept; refused (403, nothing changed) for everyone else."""

import json

import pytest
from django.contrib.contenttypes.models import ContentType

from gtm_portal.activity.models import Activity
from gtm_portal.chatter.models import Comment, Notification
from gtm_portal.chatter.services import comment_post, notify
from gtm_portal.core.models import FieldChange, Tombstone
from leads.models import IntakeSubmission, Lead, ScoreEvent
from leads.services.persons import person_update
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def _person(users):
    lead = LeadFactory(
        owner=users["sdr.emea1"],
        first_name="Rosa",
        last_name="Private",
        email="rosa.private@secret.example",
        phone="+49 30 1234",
        title="Engineer",
    )
    lead = person_update(person=lead, by=users["sdr.emea1"], data={"title": "Senior Director"})
    Activity.objects.create(lead=lead, kind="call", occurred_at=lead.created_at, subject="Call")
    comment_post(record=lead, author=users["sdr.emea1"], body="Rosa wants a demo")
    notify(
        recipients=[users["sdr.mgr"]],
        reason=Notification.Reason.INFO,
        record=lead,
        message="Rosa Private (rosa.private@secret.example) asked for a call",
    )
    IntakeSubmission.objects.create(
        submission_id="s-rosa",
        form="contact_us",
        email=lead.email,
        payload={"email": lead.email, "last_name": "Private"},
        outcome="created",
        status_code=201,
        lead=lead,
        received_at=lead.created_at,
    )
    return lead


def _snapshot(lead):
    ct = ContentType.objects.get_for_model(Lead)
    lead.refresh_from_db()
    return (
        lead.email,
        lead.phone,
        lead.version,
        Activity.objects.filter(lead=lead).count(),
        Comment.objects.filter(content_type=ct, object_id=lead.pk).count(),
        Tombstone.objects.filter(content_type=ct, object_id=lead.pk).count(),
    )


def test_lead_dsr_1_export_holds_fields_activities_comments_scores_and_history(client, users):
    lead = _person(users)
    client.force_login(users["mops"])
    r = client.get(f"/leads/{lead.pk}/personal-data.json")
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    data = json.loads(r.content)["person"]
    assert data["fields"]["email"] == "rosa.private@secret.example"
    assert data["fields"]["phone"] == "+49 30 1234"
    assert [a["subject"] for a in data["activities"]] == ["Call"]
    assert [c["body"] for c in data["comments"]] == ["Rosa wants a demo"]
    assert len(data["score_events"]) == ScoreEvent.objects.filter(lead=lead).count() > 0
    assert any(
        h["field"] == "title" and h["new_value"] == "Senior Director" for h in data["history"]
    )
    assert data["intake_submissions"][0]["payload"]["email"] == lead.email
    assert "campaign_memberships" in data


@pytest.mark.parametrize("username", ["sdr.emea1", "sdr.mgr", "salessupport", "exec"])
def test_lead_dsr_1_others_are_refused_403_and_nothing_changes(client, users, username):
    lead = _person(users)
    before = _snapshot(lead)
    client.force_login(users[username])
    assert client.get(f"/leads/{lead.pk}/personal-data.json").status_code == 403
    assert client.post(f"/leads/{lead.pk}/erase/", {"confirm": "erase"}).status_code == 403
    assert _snapshot(lead) == before


def test_lead_dsr_1_erase_needs_the_confirmation(client, users):
    lead = _person(users)
    before = _snapshot(lead)
    client.force_login(users["mops"])
    r = client.post(f"/leads/{lead.pk}/erase/", {"confirm": "yes"}, follow=True)
    assert "type “erase” to confirm" in r.content.decode()
    assert _snapshot(lead) == before


def test_lead_dsr_1_erase_blanks_every_copy_and_keeps_a_tombstone(client, users):
    lead = _person(users)
    ct = ContentType.objects.get_for_model(Lead)
    client.force_login(users["mops"])
    r = client.post(f"/leads/{lead.pk}/erase/", {"confirm": "erase"})
    assert r.status_code == 302
    lead.refresh_from_db()
    assert (lead.first_name, lead.email, lead.phone, lead.title) == ("", "", "", "")
    assert not Activity.objects.filter(lead=lead).exists()
    assert not Comment.objects.filter(content_type=ct, object_id=lead.pk).exists()
    for change in FieldChange.objects.filter(content_type=ct, object_id=lead.pk):
        assert "Director" not in change.old_value + change.new_value
        assert "rosa" not in (change.old_value + change.new_value + change.reason).lower()
    sub = IntakeSubmission.objects.get(submission_id="s-rosa")
    assert sub.payload == {} and sub.email == ""
    for note in Notification.objects.all():
        assert "rosa" not in note.message.lower() and "Rosa" not in note.record_label
    stone = Tombstone.objects.get(content_type=ct, object_id=lead.pk)
    assert stone.reason == "erased" and stone.processed_by == users["mops"]
    assert stone.request_date is not None


def test_auto_6_merge_is_one_click_through_the_merge_service(client, users):
    from django.utils import timezone

    from leads.models import DuplicateSuggestion

    old = LeadFactory(owner=users["sdr.emea1"], email="same@dup.example", title="Engineer")
    new = LeadFactory(owner=users["sdr.emea1"], email="same@dup.example", phone="+1 5")
    s = DuplicateSuggestion.objects.create(
        first=old, second=new, reason="email", found_at=timezone.now()
    )
    client.force_login(users["mops"])
    page = client.get("/leads/duplicates/").content.decode()
    assert f"/leads/duplicates/{s.pk}/merge/" in page and "becomes a tombstone" in page
    r = client.post(f"/leads/duplicates/{s.pk}/merge/")
    assert r.status_code == 302
    new.refresh_from_db()
    s.refresh_from_db()
    assert new.merged_into_id == old.pk and s.state == "merged"
    old.refresh_from_db()
    assert old.phone == "+1 5"  # the empty field took the other's value


def test_auto_6_merge_refused_for_others_changes_nothing(client, users):
    from django.utils import timezone

    from leads.models import DuplicateSuggestion

    old = LeadFactory(owner=users["sdr.emea1"], email="same2@dup.example")
    new = LeadFactory(owner=users["sdr.emea1"], email="same2@dup.example")
    s = DuplicateSuggestion.objects.create(
        first=old, second=new, reason="email", found_at=timezone.now()
    )
    client.force_login(users["sdr.emea1"])
    assert client.post(f"/leads/duplicates/{s.pk}/merge/").status_code == 403
    new.refresh_from_db()
    s.refresh_from_db()
    assert new.merged_into_id is None and s.state == "open"
