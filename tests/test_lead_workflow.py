"""LEAD-STATUS moves allowed and refused (pure and through the pages), LEAD-SOURCE-1 on
every path, ROUTE-5 misroute / re-route / assign. Every refusal leaves the row unchanged."""

import pytest
from django.core.exceptions import ValidationError

from gtm_portal.chatter.models import Comment, Notification
from gtm_portal.core.enums import PersonStatus as S
from gtm_portal.core.history import history_for
from gtm_portal.refdata.models import InitialSource, Reason
from leads.models import Lead, ScoreEvent
from leads.services.persons import person_change_status, person_update
from leads.workflow import TransitionRefused, Via, allowed_hand_targets, check_move

from .factories import LeadFactory

OPEN = [S.RAW, S.INQUIRY, S.MQL, S.ACCEPTED, S.QUALIFYING, S.RECYCLE]
CLOSED = [S.QUALIFIED, S.DISQUALIFIED, S.BAD_DATA, S.INELIGIBLE, S.WEB_PORTAL_PURCHASE]


@pytest.mark.parametrize(
    "current, target, via, rule",
    [
        (S.RAW, S.INQUIRY, Via.SYSTEM, "LEAD-STATUS 1"),
        (S.RAW, S.MQL, Via.SCORING, "LEAD-STATUS 2"),
        (S.INQUIRY, S.MQL, Via.SCORING, "LEAD-STATUS 2"),
        (S.RECYCLE, S.MQL, Via.SCORING, "LEAD-STATUS 2"),
        (S.MQL, S.ACCEPTED, Via.SEQUENCE, "LEAD-STATUS 4"),
        (S.RAW, S.ACCEPTED, Via.HAND, "LEAD-STATUS 4"),
        (S.RECYCLE, S.ACCEPTED, Via.HAND, "LEAD-STATUS 4"),
        (S.ACCEPTED, S.QUALIFYING, Via.TWO_WAY, "LEAD-STATUS 5"),
        (S.QUALIFYING, S.QUALIFIED, Via.CONVERSION, "LEAD-STATUS 6"),
        (S.MQL, S.RECYCLE, Via.HAND, "LEAD-STATUS 7"),
        (S.ACCEPTED, S.INELIGIBLE, Via.HAND, "LEAD-STATUS 7"),
        (S.INQUIRY, S.WEB_PORTAL_PURCHASE, Via.ORDER, "LEAD-STATUS 9"),
    ],
)
def test_lead_status_allowed_moves(current, target, via, rule):
    assert check_move(current, target, via=via, has_usable_channel=True) == rule


def test_lead_status_7_disqualify_from_every_open_status_needs_a_reason():
    for status in OPEN:
        assert check_move(status, S.DISQUALIFIED, via=Via.HAND, disqualify_reason=True)
        with pytest.raises(TransitionRefused, match="disqualify reason"):
            check_move(status, S.DISQUALIFIED, via=Via.HAND)


@pytest.mark.parametrize(
    "current, target, via, rule",
    [
        (S.RAW, S.MQL, Via.HAND, "LEAD-STATUS 2"),  # MQL only by score
        (S.ACCEPTED, S.MQL, Via.SCORING, "LEAD-STATUS 2"),  # past MQL does not re-MQL
        (S.QUALIFYING, S.MQL, Via.SCORING, "LEAD-STATUS 2"),
        (S.INQUIRY, S.QUALIFYING, Via.TWO_WAY, "LEAD-STATUS 5"),
        (S.ACCEPTED, S.QUALIFYING, Via.HAND, "LEAD-STATUS 5"),
        (S.MQL, S.QUALIFIED, Via.HAND, "LEAD-STATUS 6"),  # only through conversion
        (S.QUALIFYING, S.ACCEPTED, Via.HAND, "LEAD-STATUS 4"),
        (S.DISQUALIFIED, S.ACCEPTED, Via.HAND, "LEAD-STATUS 4"),
        (S.MQL, S.WEB_PORTAL_PURCHASE, Via.HAND, "LEAD-STATUS 9"),
        (S.BAD_DATA, S.RECYCLE, Via.HAND, "LEAD-STATUS 7"),
        (S.QUALIFIED, S.RECYCLE, Via.HAND, "LEAD-STATUS 10"),
    ],
)
def test_lead_status_refused_moves_name_their_rule(current, target, via, rule):
    with pytest.raises(TransitionRefused) as refused:
        check_move(current, target, via=via, disqualify_reason=True, has_usable_channel=False)
    assert refused.value.rule == rule


def test_lead_status_8_bad_data_only_without_a_usable_channel():
    assert check_move(S.RAW, S.BAD_DATA, via=Via.HAND, has_usable_channel=False)
    with pytest.raises(TransitionRefused, match="LEAD-STATUS 8"):
        check_move(S.RAW, S.BAD_DATA, via=Via.HAND, has_valid_email=True, has_usable_channel=True)
    with pytest.raises(TransitionRefused, match="LEAD-STATUS 8"):
        check_move(S.RAW, S.BAD_DATA, via=Via.HAND, has_usable_channel=True)


def test_lead_status_10_converted_leads_are_read_only():
    with pytest.raises(TransitionRefused, match="LEAD-STATUS 10"):
        check_move(S.MQL, S.RECYCLE, via=Via.HAND, converted=True)


def test_hand_choices_come_from_the_table():
    assert set(allowed_hand_targets(S.MQL)) == {S.ACCEPTED, S.DISQUALIFIED, S.RECYCLE, S.INELIGIBLE}
    assert allowed_hand_targets(S.QUALIFIED) == []
    assert S.BAD_DATA in allowed_hand_targets(S.RAW, has_usable_channel=False)


@pytest.mark.django_db
def test_bad_data_refused_for_a_lead_with_a_valid_email_and_nothing_changes(users):
    lead = LeadFactory(owner=users["sdr.emea1"], email="real@firm.example", status=S.MQL)
    with pytest.raises(ValidationError, match="LEAD-STATUS 8"):
        person_change_status(person=lead, to=S.BAD_DATA, by=users["sdr.emea1"])
    lead.refresh_from_db()
    assert lead.status == S.MQL and lead.version == 1 and not history_for(lead)


@pytest.mark.django_db
def test_bad_data_allowed_without_email_or_phone(users):
    lead = LeadFactory(owner=users["sdr.emea1"], email="", phone="", status=S.INQUIRY)
    person_change_status(person=lead, to=S.BAD_DATA, by=users["sdr.emea1"])
    assert Lead.objects.get(pk=lead.pk).status == S.BAD_DATA


@pytest.mark.django_db
def test_lead_status_3_recycle_resets_behaviour_keeps_demographic(users):
    lead = LeadFactory(
        owner=users["sdr.emea1"],
        status=S.MQL,
        behaviour_score=100,
        demographic_score=55,
        person_score=155,
    )
    person_change_status(person=lead, to=S.RECYCLE, by=users["sdr.emea1"], reason="not now")
    lead.refresh_from_db()
    assert (lead.status, lead.behaviour_score, lead.person_score) == (S.RECYCLE, 0, 55)
    reset = ScoreEvent.objects.get(lead=lead)
    assert reset.kind == "reset" and reset.points == -100
    (row,) = [h for h in history_for(lead) if h.field == "status"]
    assert "LEAD-STATUS 7" in row.reason and "not now" in row.reason


@pytest.mark.django_db
def test_status_page_refuses_a_user_who_may_not_edit_and_changes_nothing(client, users):
    lead = LeadFactory(owner=users["sdr.emea1"], status=S.MQL)
    client.force_login(users["ae.amer1"])
    r = client.post(f"/leads/{lead.pk}/status/", {"to": S.RECYCLE})
    assert r.status_code == 403
    lead.refresh_from_db()
    assert lead.status == S.MQL and lead.version == 1


@pytest.mark.django_db
def test_status_page_disqualifies_with_a_reason(client, users):
    lead = LeadFactory(owner=users["sdr.emea1"], status=S.ACCEPTED)
    reason = Reason.objects.filter(kind="disqualify").first()
    client.force_login(users["sdr.emea1"])
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "Change status" in page and 'value="Disqualified"' in page
    client.post(f"/leads/{lead.pk}/status/", {"to": S.DISQUALIFIED})
    assert Lead.objects.get(pk=lead.pk).status == S.ACCEPTED  # refused: no reason
    client.post(f"/leads/{lead.pk}/status/", {"to": S.DISQUALIFIED, "disqualify_reason": reason.pk})
    lead.refresh_from_db()
    assert lead.status == S.DISQUALIFIED and lead.disqualify_reason == reason


@pytest.mark.django_db
def test_lead_source_1_initial_source_never_changes_through_the_edit_form(client, users):
    lead = LeadFactory(owner=users["sdr.emea1"], title="Engineer")
    other = InitialSource.objects.get(name="Webcast")
    client.force_login(users["sdr.emea1"])
    r = client.post(
        f"/leads/{lead.pk}/edit/",
        {
            "version": 1,
            "last_name": lead.last_name,
            "title": "Director",
            "email": lead.email,
            "initial_source": other.pk,
            "bant_budget": "unknown",
            "bant_authority": "unknown",
            "bant_need": "unknown",
            "bant_timeline": "unknown",
        },
    )
    assert r.status_code == 302
    lead.refresh_from_db()
    assert lead.title == "Director" and lead.initial_source.name == "Web"


@pytest.mark.django_db
def test_lead_source_1_service_refuses_and_nothing_changes(users):
    lead = LeadFactory(owner=users["sdr.emea1"])
    with pytest.raises(ValidationError, match="LEAD-SOURCE-1"):
        person_update(
            person=lead,
            by=users["mops"],
            data={"initial_source": InitialSource.objects.get(name="Webcast")},
        )
    lead.refresh_from_db()
    assert lead.initial_source.name == "Web" and lead.version == 1


@pytest.mark.django_db
def test_lead_source_1_admin_shows_initial_source_read_only(client, users):
    lead = LeadFactory(owner=users["sdr.emea1"])
    client.force_login(users["mops"])
    form = client.get(f"/admin/leads/lead/{lead.pk}/change/").context["adminform"].form
    assert "initial_source" not in form.fields


@pytest.mark.django_db
def test_edit_title_rescores_demographics_once(users):
    from leads.services.scoring import person_rescore_demographics

    lead = LeadFactory(owner=users["sdr.emea1"], title="Developer", email="d@firm.example")
    person_rescore_demographics(person=lead)
    lead.refresh_from_db()
    assert lead.demographic_score == -5  # -10 technical title, +5 company e-mail
    person_update(person=lead, by=users["sdr.emea1"], data={"title": "Senior Director"})
    lead.refresh_from_db()
    assert lead.demographic_score == 55  # +50 persona, +5 company e-mail
    person_update(person=lead, by=users["sdr.emea1"], data={"title": "Head of Senior VPs"})
    lead.refresh_from_db()
    assert lead.demographic_score == 55  # still once, never stacked


@pytest.mark.django_db
def test_lead_status_10_converted_lead_cannot_be_edited(users):
    lead = LeadFactory(owner=users["sdr.emea1"], status=S.QUALIFIED)
    with pytest.raises(ValidationError, match="LEAD-STATUS 10"):
        person_update(person=lead, by=users["sdr.emea1"], data={"title": "x"})


@pytest.mark.django_db
def test_q_conc_stale_edit_form_is_refused(client, users):
    lead = LeadFactory(owner=users["sdr.emea1"], title="A")
    person_update(person=lead, by=users["sdr.mgr"], data={"title": "B"})
    client.force_login(users["sdr.emea1"])
    r = client.post(
        f"/leads/{lead.pk}/edit/",
        {
            "version": 1,
            "last_name": lead.last_name,
            "title": "C",
            "email": lead.email,
            "bant_budget": "unknown",
            "bant_authority": "unknown",
            "bant_need": "unknown",
            "bant_timeline": "unknown",
        },
    )
    page = r.content.decode()
    assert r.status_code == 409 and f"changed by {users['sdr.mgr'].label} at" in page
    assert 'value="C"' in page  # what the user typed is kept
    assert Lead.objects.get(pk=lead.pk).title == "B"


@pytest.mark.django_db
def test_route_5_misroute_flag_mentions_mktgops_support(client, users):
    lead = LeadFactory(owner=users["sdr.emea1"])
    client.force_login(users["sdr.emea1"])
    client.post(f"/leads/{lead.pk}/misroute/", {"body": "This is an APAC company"})
    comment = Comment.objects.get(topic="misroute")
    assert comment.body.startswith("@mktgops-support")
    assert Notification.objects.filter(recipient=users["mops"], reason="mentioned").exists()


@pytest.mark.django_db
def test_route_5_only_marketing_ops_reroutes_or_assigns(client, users):
    lead = LeadFactory(owner=users["sdr.emea1"], status=S.MQL)
    client.force_login(users["sdr.mgr"])
    assert (
        client.post(
            f"/leads/{lead.pk}/assign/", {"owner": users["sdr.emea2"].pk, "reason": "x"}
        ).status_code
        == 403
    )
    assert client.post(f"/leads/{lead.pk}/reroute/").status_code == 403
    assert Lead.objects.get(pk=lead.pk).owner == users["sdr.emea1"]
    client.force_login(users["mops"])
    client.post(
        f"/leads/{lead.pk}/assign/", {"owner": users["sdr.emea2"].pk, "reason": "territory swap"}
    )
    lead.refresh_from_db()
    assert lead.owner == users["sdr.emea2"]
    (row,) = [h for h in history_for(lead) if h.field == "owner"]
    assert "territory swap" in row.reason and row.changed_by == users["mops"]
    client.post(f"/leads/{lead.pk}/reroute/")
    from leads.models import RoutingDecision

    assert (
        list(
            RoutingDecision.objects.filter(lead=lead)
            .values_list("rule", flat=True)
            .order_by("decided_at", "id")
        )[0]
        == "ROUTE-5"
    )


@pytest.mark.django_db
def test_contact_page_offers_the_same_workflow_and_the_server_checks_it(client, users):
    from accounts.models import Contact

    contact = Contact.objects.get(email="hank.scorpio@globex.example")  # owner bdr.amer1
    client.force_login(users["bdr.amer1"])
    page = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Change status" in page and f"/contacts/{contact.pk}/edit/" in page
    client.post(f"/contacts/{contact.pk}/status/", {"to": S.RECYCLE})
    assert Contact.objects.get(pk=contact.pk).status == S.RECYCLE
    client.force_login(users["sdr.amer1"])
    assert client.post(f"/contacts/{contact.pk}/status/", {"to": S.ACCEPTED}).status_code == 403
    assert Contact.objects.get(pk=contact.pk).status == S.RECYCLE


@pytest.mark.django_db
def test_route_5_refusals_change_nothing(client, users):
    lead = LeadFactory(owner=users["sdr.emea1"], status="MQL")
    client.force_login(users["sdr.emea1"])
    r = client.post(f"/leads/{lead.pk}/misroute/", {"body": "   "}, follow=True)
    assert "ROUTE-5" in r.content.decode() and not Comment.objects.exists()
    client.force_login(users["mops"])
    r = client.post(
        f"/leads/{lead.pk}/assign/", {"owner": users["sdr.emea2"].pk, "reason": ""}, follow=True
    )
    assert "ROUTE-5" in r.content.decode()
    lead.refresh_from_db()
    assert lead.owner == users["sdr.emea1"] and lead.version == 1 and not history_for(lead)


@pytest.mark.django_db
def test_a_refused_status_change_shows_in_the_form_with_the_choice_kept(client, users):
    """UX refusals in place (#22): a refused change comes back to the record page with the
    status form open, the chosen status and note kept, and the refusal under the field —
    the words first, the rule ID small after them — and nothing changed; the next visit is
    clean again."""
    lead = LeadFactory(owner=users["sdr.emea1"], status=S.ACCEPTED)
    client.force_login(users["sdr.emea1"])
    r = client.post(
        f"/leads/{lead.pk}/status/",
        {"to": S.DISQUALIFIED, "reason": "wrong company", "version": lead.version},
        follow=True,
    )
    html = r.content.decode()
    assert r.redirect_chain[-1][0] == f"/leads/{lead.pk}/#status"
    assert '<details class="action-menu" id="status" open>' in html
    assert f'<option value="{S.DISQUALIFIED}" selected>' in html
    assert 'value="wrong company"' in html and 'id="st-refused"' in html
    refusal = html.split('id="st-refused"')[1].split("</div></div>")[0]
    assert (
        '<div>Choose a disqualify reason. <small class="text-body-secondary rule-id">'
        "LEAD-STATUS 7</small>" in refusal
    )
    assert Lead.objects.get(pk=lead.pk).status == S.ACCEPTED
    again = client.get(f"/leads/{lead.pk}/").content.decode()
    assert 'id="st-refused"' not in again and 'id="status" open' not in again


def test_words_first_puts_the_rule_id_after_the_words():
    from gtm_portal.core.templatetags.records import words_first

    assert str(words_first("LEAD-STATUS 7: give a reason.")) == (
        'Give a reason. <small class="text-body-secondary rule-id">LEAD-STATUS 7</small>'
    )
    assert "SEQ-3 / LEAD-OPTOUT-1</small>" in str(words_first("SEQ-3 / LEAD-OPTOUT-1: opted out"))
    assert str(words_first("No rule here <b>")) == "No rule here &lt;b&gt;"
