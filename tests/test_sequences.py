"""ACT-1 activity logging and SEQ-1..3 enrollments with their status effects (LEAD-STATUS 4,
5; SEQ-2) and every SEQ-3 refusal, each leaving the database unchanged."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import TransferRequest
from gtm_portal.activity.models import Activity, Enrollment, Sequence
from gtm_portal.refdata.models import Country, InitialSource
from leads.models import Lead
from leads.services.sequences import enrollment_set_state, person_enroll, person_log_activity

from .factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seq(demo):
    return Sequence.objects.get(name="AMER Enterprise Outbound (high touch)")


@pytest.fixture
def me(users):
    return users["sdr.amer1"]


def state(lead):
    lead = Lead.objects.get(pk=lead.pk)
    return (lead.status, Enrollment.objects.filter(lead=lead).count(), lead.version)


@pytest.mark.parametrize("status", ["Raw", "Inquiry", "MQL", "Recycle"])
def test_seq_2_enrolling_moves_to_accepted_and_stamps_first_touch(seq, me, status):
    lead = LeadFactory(owner=me, status=status)
    person_enroll(person=lead, sequence=seq, by=me)
    lead.refresh_from_db()
    assert lead.status == "Accepted" and lead.first_touch_at is not None
    assert Enrollment.objects.get(lead=lead).state == "active"


def test_seq_2_enrolling_a_qualifying_lead_keeps_its_status(seq, me):
    lead = LeadFactory(owner=me, status="Qualifying")
    person_enroll(person=lead, sequence=seq, by=me)
    assert Lead.objects.get(pk=lead.pk).status == "Qualifying"


def _refused(lead, seq, by, match):
    before = state(lead)
    with pytest.raises(ValidationError, match=match):
        person_enroll(person=lead, sequence=seq, by=by)
    assert state(lead) == before


def test_seq_3_opted_out_refused(seq, me):
    _refused(LeadFactory(owner=me, status="MQL", email_opt_out=True), seq, me, "opted out")
    _refused(
        LeadFactory(
            owner=me, status="MQL", opt_out_until=timezone.localdate() + datetime.timedelta(days=5)
        ),
        seq,
        me,
        "opted out",
    )


def test_seq_3_gdpr_blocked_refused_and_opt_in_allowed(seq, me):
    de = Country.objects.get(iso2="DE")
    old = LeadFactory(owner=me, status="MQL", country=de)
    Lead.objects.filter(pk=old.pk).update(
        created_at=datetime.datetime(2017, 1, 1, tzinfo=datetime.UTC)
    )
    _refused(Lead.objects.get(pk=old.pk), seq, me, "LEAD-GDPR-1")
    Lead.objects.filter(pk=old.pk).update(gdpr_opt_in=True)
    person_enroll(person=Lead.objects.get(pk=old.pk), sequence=seq, by=me)


def test_seq_3_inactive_person_refused(seq, me):
    _refused(LeadFactory(owner=me, status="MQL", is_inactive=True), seq, me, "inactive")


def test_seq_3_already_active_refused(seq, me):
    lead = LeadFactory(owner=me, status="MQL")
    person_enroll(person=lead, sequence=seq, by=me)
    _refused(Lead.objects.get(pk=lead.pk), seq, me, "already active")


def test_seq_3_free_signup_not_active_refused_until_hand_raise(seq, me):
    source = InitialSource.objects.get(name="GitLab.com")
    lead = LeadFactory(owner=me, status="Inquiry", initial_source=source)
    _refused(lead, seq, me, "free GitLab.com sign-ups")
    Lead.objects.filter(pk=lead.pk).update(
        active_until=timezone.localdate() + datetime.timedelta(days=30)
    )
    person_enroll(person=Lead.objects.get(pk=lead.pk), sequence=seq, by=me)


def test_seq_3_pending_transfer_blocks_the_requester(seq, users):
    lead = LeadFactory(owner=users["sdr.amer2"], status="MQL")
    requester = users["sdr.mgr"]  # may edit (manager) but asked for a transfer
    TransferRequest.objects.create(
        content_type=ContentType.objects.get_for_model(Lead),
        object_id=lead.pk,
        requester=requester,
        reason="mine",
        owner_at_request=users["sdr.amer2"],
    )
    _refused(lead, seq, requester, "transfer request is still pending")


def test_enrolling_someone_elses_lead_is_refused(seq, users):
    lead = LeadFactory(owner=users["sdr.amer2"], status="MQL")
    before = state(lead)
    with pytest.raises(PermissionDenied):
        person_enroll(person=lead, sequence=seq, by=users["sdr.emea1"])
    assert state(lead) == before


def test_lead_status_5_two_way_activity_moves_accepted_to_qualifying(seq, me):
    lead = LeadFactory(owner=me, status="MQL")
    person_enroll(person=lead, sequence=seq, by=me)
    person_log_activity(person=Lead.objects.get(pk=lead.pk), by=me, kind="call")
    assert Lead.objects.get(pk=lead.pk).status == "Accepted"
    person_log_activity(
        person=Lead.objects.get(pk=lead.pk),
        by=me,
        kind="email",
        direction="inbound",
        two_way=True,
        subject="Re: intro",
    )
    lead.refresh_from_db()
    assert lead.status == "Qualifying"
    enrollment = Enrollment.objects.get(lead=lead)
    assert enrollment.state == "finished" and enrollment.replied  # SEQ-2: a reply finishes


def test_act_1_bad_kind_refused_and_nothing_written(me):
    lead = LeadFactory(owner=me)
    with pytest.raises(ValidationError, match="ACT-1"):
        person_log_activity(person=lead, by=me, kind="fax")
    assert not Activity.objects.filter(lead=lead).exists()


def test_act_1_only_logged_sales_activity_counts(me):
    lead = LeadFactory(owner=me)
    activity = person_log_activity(person=lead, by=me, kind="note", subject="Researched")
    assert activity.is_sales and activity.logged_by == me


def test_enrollment_pause_resume_finish(seq, me):
    lead = LeadFactory(owner=me, status="MQL")
    e = person_enroll(person=lead, sequence=seq, by=me)
    e = enrollment_set_state(enrollment=e, to="paused", by=me)
    e = enrollment_set_state(enrollment=e, to="active", by=me)
    e = enrollment_set_state(enrollment=e, to="finished", by=me)
    assert e.finished_at
    with pytest.raises(ValidationError, match="SEQ-1"):
        enrollment_set_state(enrollment=e, to="active", by=me)


def test_row_actions_over_http_with_and_without_htmx(client, seq, me):
    lead = LeadFactory(owner=me, status="MQL", sla_due=timezone.now())
    client.force_login(me)
    r = client.post(f"/leads/{lead.pk}/activities/", {"kind": "call"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "Call logged" in r.content.decode()
    r = client.post(f"/leads/{lead.pk}/enroll/", {"sequence": seq.pk, "next": "/leads/views/S1/"})
    assert r.status_code == 302 and r["Location"] == "/leads/views/S1/"
    assert Lead.objects.get(pk=lead.pk).status == "Accepted"
    assert lead.last_name not in {
        x.last_name for x in client.get("/leads/views/S1/").context["page"].rows
    }
    r = client.post(f"/leads/{lead.pk}/enroll/", {"sequence": seq.pk}, HTTP_HX_REQUEST="true")
    assert "already active" in r.content.decode()


def test_seq_1_managers_manage_sequences_others_read(client, users):
    client.force_login(users["sdr.emea1"])
    assert client.get("/sequences/").status_code == 200
    assert (
        client.post(
            "/sequences/",
            {"name": "Sneaky", "touch": "high", "steps": 3, "length_days": 7, "active": "on"},
        ).status_code
        == 403
    )
    assert not Sequence.objects.filter(name="Sneaky").exists()
    client.force_login(users["sdr.mgr"])
    r = client.post(
        "/sequences/",
        {
            "name": "EMEA Trial Nurture",
            "touch": "low",
            "steps": 0,
            "length_days": 7,
            "active": "on",
        },
    )
    assert r.status_code == 200 and "SEQ-1" in r.content.decode()
    assert not Sequence.objects.filter(name="EMEA Trial Nurture").exists()
    client.post(
        "/sequences/",
        {
            "name": "EMEA Trial Nurture",
            "touch": "low",
            "steps": 4,
            "length_days": 14,
            "active": "on",
        },
    )
    assert Sequence.objects.get(name="EMEA Trial Nurture").touch == "low"
