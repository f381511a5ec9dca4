"""Reaching people lawfully: LEAD-DNC-1, LEAD-OPTOUT-1 (AUTO-4), LEAD-INACTIVE-1,
LEAD-SPAM-1 (AUTO-5, blocked domains), LEAD-GDPR-1. Refusals change nothing."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from gtm_portal.activity.enums import EnrollmentState
from gtm_portal.activity.models import Activity, Enrollment, Sequence
from gtm_portal.chatter.models import Comment
from gtm_portal.core.models import FieldChange, Tombstone
from gtm_portal.refdata.enums import WordList
from gtm_portal.refdata.models import Country, WordListEntry
from leads.models import CampaignMember, Lead
from leads.services import compliance
from leads.services.sequences import enrollment_refusals, person_enroll, person_log_activity

from .factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sdr(users):
    return users["sdr.amer1"]


def _inbound_email(lead, sdr, subject="Please call me"):
    return Activity.objects.create(
        lead=lead,
        kind="email",
        direction="inbound",
        logged_by=sdr,
        occurred_at=timezone.now(),
        subject=subject,
    )


# LEAD-DNC-1 ---------------------------------------------------------------------------------


def test_lead_dnc_1_unchecking_needs_a_linked_inbound_email(sdr):
    lead = LeadFactory(owner=sdr, do_not_call=True)
    outbound = Activity.objects.create(
        lead=lead, kind="email", direction="outbound", logged_by=sdr, occurred_at=timezone.now()
    )
    history = FieldChange.objects.count()
    for evidence in (None, outbound.pk):
        with pytest.raises(ValidationError, match="LEAD-DNC-1"):
            compliance.person_set_dnc(
                person=lead, by=sdr, value=False, release_activity_id=evidence
            )
        lead.refresh_from_db()
        assert lead.do_not_call is True
    assert FieldChange.objects.count() == history
    mail = _inbound_email(lead, sdr)
    compliance.person_set_dnc(person=lead, by=sdr, value=False, release_activity_id=mail.pk)
    lead.refresh_from_db()
    assert lead.do_not_call is False
    change = FieldChange.objects.get(object_id=lead.pk, field="do_not_call")
    assert f"#{mail.pk}" in change.reason


def test_lead_dnc_1_another_persons_inbound_email_does_not_count(sdr):
    lead = LeadFactory(owner=sdr, do_not_call=True)
    other = _inbound_email(LeadFactory(owner=sdr), sdr)
    with pytest.raises(ValidationError):
        compliance.person_set_dnc(person=lead, by=sdr, value=False, release_activity_id=other.pk)


def test_lead_dnc_1_no_call_action_and_outbound_calls_refused(client, sdr):
    lead = LeadFactory(owner=sdr, phone="+1 555 0100")
    compliance.person_set_dnc(person=lead, by=sdr, value=True)
    lead.refresh_from_db()
    assert lead.phone == "+1 555 0100"  # the number is kept
    client.force_login(sdr)
    html = client.get(f"/leads/{lead.pk}/").content.decode()
    assert '<option value="call">Call</option>' not in html
    assert "LEAD-DNC-1: Do Not Call." in html
    before = Activity.objects.count()
    with pytest.raises(ValidationError, match="LEAD-DNC-1"):
        person_log_activity(person=lead, by=sdr, kind="call")
    assert Activity.objects.count() == before
    # An inbound call (the person rang us) is still recorded.
    person_log_activity(person=lead, by=sdr, kind="call", direction="inbound")


def test_lead_dnc_1_external_flags_hide_the_number_on_the_page_and_api(client, sdr):
    lead = LeadFactory(owner=sdr, phone="+1 555 0199", phone_dnc=True, mobile="+1 555 0200")
    client.force_login(sdr)
    html = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "+1 555 0199" not in html and "Hidden (external do-not-call list)" in html
    assert "+1 555 0200" in html
    from gtm_portal.api.serializers import LeadSerializer

    lead.routing_rows = []
    assert LeadSerializer(lead).data["phone"] == ""


def test_lead_dnc_1_http_action_refuses_without_evidence(client, sdr):
    lead = LeadFactory(owner=sdr, do_not_call=True)
    client.force_login(sdr)
    client.post(f"/leads/{lead.pk}/compliance/", {"action": "dnc_off"})
    lead.refresh_from_db()
    assert lead.do_not_call is True


def test_compliance_actions_need_edit_rights(client, users):
    lead = LeadFactory(owner=users["sdr.emea1"])
    client.force_login(users["sdr.amer1"])
    assert client.post(f"/leads/{lead.pk}/compliance/", {"action": "inactive"}).status_code == 403
    lead.refresh_from_db()
    assert lead.is_inactive is False


# LEAD-OPTOUT-1 ------------------------------------------------------------------------------


def test_lead_optout_1_thirty_days_blocks_sequences_and_ends_by_itself(sdr):
    lead = LeadFactory(owner=sdr)
    seq = Sequence.objects.create(name="Outbound")
    Enrollment.objects.create(lead=lead, sequence=seq, started_at=timezone.now())
    today = timezone.localdate()
    compliance.person_opt_out(person=lead, by=sdr, days=30, today=today)
    lead.refresh_from_db()
    assert lead.opt_out_until == today + datetime.timedelta(days=30)
    assert not Enrollment.objects.filter(lead=lead, state=EnrollmentState.ACTIVE).exists()
    assert any("LEAD-OPTOUT-1" in why for why in enrollment_refusals(lead, by=sdr))
    with pytest.raises(ValidationError, match="LEAD-OPTOUT-1"):
        person_log_activity(person=lead, by=sdr, kind="email")
    # AUTO-4: the day after the 30 days, the opt-out is gone.
    assert compliance.end_opt_outs(today=today + datetime.timedelta(days=31)) == 1
    lead.refresh_from_db()
    assert lead.opt_out_until is None
    assert not any("LEAD-OPTOUT-1" in why for why in enrollment_refusals(lead, by=sdr))


def test_lead_optout_1_opted_out_person_cannot_be_enrolled(sdr):
    lead = LeadFactory(owner=sdr, email_opt_out=True)
    seq = Sequence.objects.create(name="Outbound")
    with pytest.raises(ValidationError, match="opted out"):
        person_enroll(person=lead, sequence=seq, by=sdr)
    assert not Enrollment.objects.filter(lead=lead).exists()


# LEAD-INACTIVE-1 ----------------------------------------------------------------------------


def test_lead_inactive_1_finishes_the_running_sequence(sdr):
    lead = LeadFactory(owner=sdr)
    seq = Sequence.objects.create(name="Outbound")
    enrollment = Enrollment.objects.create(lead=lead, sequence=seq, started_at=timezone.now())
    compliance.person_mark_inactive(person=lead, by=sdr)
    enrollment.refresh_from_db()
    assert enrollment.state == EnrollmentState.FINISHED and enrollment.finished_at
    with pytest.raises(ValidationError, match="LEAD-INACTIVE-1"):
        compliance.person_mark_inactive(person=lead, by=sdr)


# LEAD-GDPR-1 --------------------------------------------------------------------------------


def test_lead_gdpr_1_eu_person_before_2018_without_opt_in_is_not_contacted(client, sdr):
    germany = Country.objects.get(iso2="DE")
    assert germany.is_eu_eea
    lead = LeadFactory(owner=sdr, country=germany, gdpr_opt_in=False)
    Lead.objects.filter(pk=lead.pk).update(
        created_at=timezone.make_aware(datetime.datetime(2017, 3, 1))
    )
    lead.refresh_from_db()
    assert any("LEAD-GDPR-1" in why for why in enrollment_refusals(lead, by=sdr))
    for kind in ("call", "email"):
        with pytest.raises(ValidationError, match="LEAD-GDPR-1"):
            person_log_activity(person=lead, by=sdr, kind=kind)
    client.force_login(sdr)
    html = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "LEAD-GDPR-1: EU/EEA person created before 2018-05-25 without an opt-in" in html
    # With an opt-in, or created after the date, nothing is blocked.
    Lead.objects.filter(pk=lead.pk).update(gdpr_opt_in=True)
    lead.refresh_from_db()
    assert not compliance.gdpr_blocked(lead)
    assert not compliance.gdpr_blocked(LeadFactory(owner=sdr, country=germany))


# LEAD-SPAM-1 --------------------------------------------------------------------------------


def test_lead_spam_1_needs_confirmation_then_the_purge_leaves_a_tombstone(client, sdr):
    lead = LeadFactory(owner=sdr, email="bot@spam.example", first_name="Bot")
    _inbound_email(lead, sdr)
    client.force_login(sdr)
    client.post(f"/leads/{lead.pk}/spam/")
    assert not CampaignMember.objects.filter(lead=lead).exists()
    client.post(f"/leads/{lead.pk}/spam/", {"confirm": "on"})
    assert CampaignMember.objects.filter(
        lead=lead, campaign__name=compliance.SPAM_CAMPAIGN
    ).exists()
    kept = LeadFactory(owner=sdr)
    assert compliance.purge_spam() == 1
    assert not Lead.objects.filter(pk=lead.pk).exists()
    assert Lead.objects.filter(pk=kept.pk).exists()
    stone = Tombstone.objects.get(object_id=lead.pk, reason="spam")
    assert stone.processed_by == sdr
    ct = ContentType.objects.get_for_model(Lead)
    assert not Comment.objects.filter(content_type=ct, object_id=lead.pk).exists()
    assert not Activity.objects.filter(subject="Please call me").exists()


def test_lead_spam_1_blocked_domains_page_is_marketing_ops_only(client, users):
    client.force_login(users["sdr.amer1"])
    assert client.get("/leads/blocked-domains/").status_code == 403
    client.force_login(users["mops"])
    resp = client.post("/leads/blocked-domains/", {"value": "not a domain"})
    assert "Enter a domain" in resp.content.decode()
    assert not WordListEntry.objects.filter(
        list=WordList.BLOCKED_DOMAIN, value="not a domain"
    ).exists()
    client.post("/leads/blocked-domains/", {"value": "@Spam-Farm.example"})
    entry = WordListEntry.objects.get(list=WordList.BLOCKED_DOMAIN, value="spam-farm.example")
    assert entry.created_by == users["mops"]
    resp = client.post("/leads/blocked-domains/", {"value": "Spam-farm.example"})
    assert "already blocked" in resp.content.decode()
    assert (
        WordListEntry.objects.filter(
            list=WordList.BLOCKED_DOMAIN, value="spam-farm.example"
        ).count()
        == 1
    )
    client.post("/leads/blocked-domains/", {"delete": entry.pk})
    assert not WordListEntry.objects.filter(pk=entry.pk).exists()


def test_auto_5_purges_test_leads_too_and_blanks_their_intake_log(sdr):
    from leads.models import IntakeSubmission

    test_lead = LeadFactory(owner=sdr, title="Test", email="qa@firm.example")
    IntakeSubmission.objects.create(
        submission_id="s-qa",
        form="contact_us",
        email="qa@firm.example",
        payload={"email": "qa@firm.example"},
        outcome="created",
        status_code=201,
        lead=test_lead,
        received_at=timezone.now(),
    )
    real = LeadFactory(owner=sdr, title="CTO")
    assert compliance.purge_spam() == 1
    assert (
        not Lead.objects.filter(pk=test_lead.pk).exists()
        and Lead.objects.filter(pk=real.pk).exists()
    )
    assert Tombstone.objects.get(object_id=test_lead.pk).reason == "test"
    log = IntakeSubmission.objects.get(submission_id="s-qa")
    assert log.payload == {} and log.email == "" and log.lead_id is None
    assert compliance.purge_spam() == 0  # idempotent


def test_auto_4_ending_an_opt_out_leaves_history(sdr):
    lead = LeadFactory(owner=sdr, opt_out_until=timezone.localdate() - datetime.timedelta(1))
    version = lead.version
    assert compliance.end_opt_outs() == 1
    lead.refresh_from_db()
    assert lead.opt_out_until is None and lead.version == version + 1
    change = FieldChange.objects.get(object_id=lead.pk, field="opt_out_until")
    assert "AUTO-4" in change.reason
    assert compliance.end_opt_outs() == 0
