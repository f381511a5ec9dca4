"""Issue #21 (part 2): ROUTE-1 on every MQL path, LEAD-STATUS 10's one guard and the
automatic moves asking the transition table."""

import pytest
from django.core.exceptions import ValidationError

from gtm_portal.core.enums import PersonStatus as S
from leads import workflow
from leads.models import Lead, RoutingDecision
from leads.rule_context import Context
from leads.services.persons import person_update
from leads.services.scoring import apply_automatic_status, person_rescore_demographics
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def _almost_mql(users, **extra) -> Lead:
    """An Inquiry lead whose behaviour score leaves it short of MQL until its title earns the
    persona points (+50)."""
    threshold = Context().mql_threshold
    lead = LeadFactory(
        owner=users["sdr.emea1"],
        title="Developer",
        email="d@firm.example",
        status=S.INQUIRY,
        **extra,
    )
    lead = person_rescore_demographics(person=lead).person  # -10 technical, +5 company e-mail
    Lead.objects.filter(pk=lead.pk).update(
        behaviour_score=threshold - 40,
        person_score=threshold - 40 + lead.demographic_score,
    )
    lead.refresh_from_db()
    assert lead.status == S.INQUIRY and lead.person_score < threshold
    return lead


def test_route_1_hand_edit_of_the_title_that_makes_an_mql_routes_it(users):
    lead = _almost_mql(users)
    person_update(person=lead, by=users["sdr.emea1"], data={"title": "Senior Director"})
    lead.refresh_from_db()
    assert lead.status == S.MQL and lead.mql_count == 1
    decision = RoutingDecision.objects.get(lead=lead)
    assert decision.trigger == "became MQL (field change)"
    assert decision.rule.startswith("ROUTE-2") and lead.owner_id == decision.owner_id
    assert lead.owner != users["sdr.emea1"]


def test_route_1_an_edit_that_does_not_cross_mql_routes_nothing(users):
    lead = _almost_mql(users)
    person_update(person=lead, by=users["sdr.emea1"], data={"title": "Engineer"})
    lead.refresh_from_db()
    assert lead.status == S.INQUIRY
    assert not RoutingDecision.objects.filter(lead=lead).exists()
    assert lead.owner == users["sdr.emea1"]


def test_route_1_admin_edit_goes_through_the_person_service_and_routes(client, users):
    lead = _almost_mql(users)
    client.force_login(users["mops"])
    url = f"/admin/leads/lead/{lead.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    for name, value in list(data.items()):
        if hasattr(value, "pk"):
            data[name] = value.pk
        elif isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
    data.update({"title": "Senior Director", "_seen_version": lead.version})
    r = client.post(url, data)
    assert r.status_code == 302, r.context["adminform"].form.errors if r.context else r
    lead.refresh_from_db()
    assert lead.title == "Senior Director" and lead.status == S.MQL
    assert RoutingDecision.objects.filter(lead=lead, trigger="became MQL (field change)").exists()


def test_lead_status_10_admin_opens_a_converted_lead_read_only(client, users):
    lead = LeadFactory(owner=users["sdr.emea1"], title="Engineer", status=S.QUALIFIED)
    client.force_login(users["mops"])
    url = f"/admin/leads/lead/{lead.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and 'name="title"' not in page.content.decode()
    r = client.post(url, {"title": "Changed", "_seen_version": lead.version})
    assert r.status_code == 403
    lead.refresh_from_db()
    assert lead.title == "Engineer"


def test_lead_status_10_the_one_guard_refuses_services_alike(users):
    from leads.services.compliance import person_set_dnc

    lead = LeadFactory(owner=users["sdr.emea1"], title="Engineer", status=S.QUALIFIED)
    before = (lead.version, lead.do_not_call, lead.title)
    for write in (
        lambda: person_update(person=lead, by=users["mops"], data={"title": "x"}),
        lambda: person_set_dnc(person=lead, by=users["mops"], value=True),
    ):
        with pytest.raises(ValidationError, match="LEAD-STATUS 10: qualified, converted"):
            write()
    lead.refresh_from_db()
    assert (lead.version, lead.do_not_call, lead.title) == before


def test_lead_status_1_3_automatic_moves_ask_the_transition_table(monkeypatch, users):
    lead = LeadFactory(owner=users["sdr.emea1"], status=S.RAW)
    ctx = Context()
    lead.behaviour_score = lead.person_score = ctx.mql_threshold
    # A table that no longer lets scoring move Inquiry to MQL: the automatic move obeys it.
    moves = dict(workflow.MOVES)
    moves[S.MQL] = workflow.Move("LEAD-STATUS 2", frozenset({S.RAW}), frozenset({"scoring"}))
    monkeypatch.setattr(workflow, "MOVES", moves)
    lead.status = S.INQUIRY
    assert apply_automatic_status(lead, ctx) == []
    assert lead.status == S.INQUIRY
    lead.status = S.RAW
    assert [m[0] for m in apply_automatic_status(lead, ctx)] == ["LEAD-STATUS 1"]
    assert lead.status == S.INQUIRY  # Raw → Inquiry, and the table refuses Inquiry → MQL


def test_lead_ht_1_the_record_page_shows_the_high_touch_badge(client, users):
    strong = LeadFactory(owner=users["sdr.emea1"], company="Initech", phone="+1 555 0100")
    weak = LeadFactory(owner=users["sdr.emea1"], company="", email="x@gmail.com", phone="")
    client.force_login(users["sdr.emea1"])
    assert "LEAD-HT-1 high-touch quality" in client.get(f"/leads/{strong.pk}/").content.decode()
    assert "LEAD-HT-1 high-touch quality" not in client.get(f"/leads/{weak.pk}/").content.decode()


def test_lead_ht_1_view_rows_and_the_record_page_ask_one_predicate(users, monkeypatch):
    from leads import rule_context
    from leads.views import lists

    asked = []
    monkeypatch.setattr(rule_context, "high_touch", lambda p, c=None: asked.append(p.pk) or True)
    lead = LeadFactory(owner=users["sdr.emea1"], company="", email="x@gmail.com", phone="")
    row = Lead.objects.select_related("matched_account").get(pk=lead.pk)
    row.sla_due = None
    lists._decorate_rows([row], "S2")
    assert asked == [lead.pk] and row.high_touch is True


def test_route_4_passed_sla_deadlines_show_on_the_owners_and_managers_home(client, users):
    import datetime

    from django.utils import timezone

    past = timezone.now() - datetime.timedelta(hours=3)
    late = LeadFactory(owner=users["sdr.emea1"], status=S.MQL, sla_due=past, last_name="Late")
    LeadFactory(
        owner=users["sdr.emea1"],
        status=S.MQL,
        sla_due=past,
        first_touch_at=past - datetime.timedelta(minutes=5),
        last_name="Touched",
    )
    LeadFactory(
        owner=users["sdr.emea1"],
        status=S.MQL,
        sla_due=timezone.now() + datetime.timedelta(hours=1),
        last_name="Future",
    )
    assert users["sdr.emea1"].manager == users["sdr.mgr"]
    for who in ("sdr.emea1", "sdr.mgr"):
        client.force_login(users[who])
        page = client.get("/").content.decode()
        assert "SLA deadlines passed" in page and f"/leads/{late.pk}/" in page
        assert "Touched" not in page and "Lee Future" not in page
    client.force_login(users["sdr.amer1"])  # neither owner nor manager
    assert f"/leads/{late.pk}/" not in client.get("/").content.decode()
