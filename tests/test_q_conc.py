"""Q-CONC on the person status forms, the hand assignment and the Django admin change forms
of every record: the second of two sessions is refused with 409 "changed by X at T" and
nothing changes; jobs and mass writes give a new version so an open form goes stale."""

import pytest

from accounts.models import Account
from gtm_portal.core.enums import PersonStatus as S
from gtm_portal.core.models import FieldChange
from leads.models import Lead
from leads.services.persons import person_update
from opportunities.models import Opportunity
from tests.factories import LeadFactory
from tests.helpers import admin_post_data, session

pytestmark = pytest.mark.django_db


def snapshot(obj) -> dict:
    obj.refresh_from_db()
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_q_conc_status_form_opened_before_another_save_is_409(users):
    lead = LeadFactory(owner=users["sdr.emea1"], status=S.MQL)
    rep, manager = session(users["sdr.emea1"]), session(users["sdr.mgr"])
    seen = lead.version  # both open the lead page
    assert (
        manager.post(f"/leads/{lead.pk}/status/", {"to": S.ACCEPTED, "version": seen}).status_code
        == 302
    )
    before = snapshot(lead)
    r = rep.post(f"/leads/{lead.pk}/status/", {"to": S.RECYCLE, "version": seen})
    assert r.status_code == 409
    assert f"changed by {users['sdr.mgr'].label} at" in r.content.decode()
    assert snapshot(lead) == before and before["status"] == S.ACCEPTED


def test_q_conc_status_form_of_the_current_version_goes_through(users):
    lead = LeadFactory(owner=users["sdr.emea1"], status=S.MQL)
    page = session(users["sdr.emea1"]).get(f"/leads/{lead.pk}/").content.decode()
    assert f'name="version" value="{lead.version}"' in page
    r = session(users["sdr.emea1"]).post(
        f"/leads/{lead.pk}/status/", {"to": S.ACCEPTED, "version": lead.version}
    )
    assert r.status_code == 302 and snapshot(lead)["status"] == S.ACCEPTED


def test_q_conc_hand_assignment_stale_is_409(users):
    lead = LeadFactory(owner=users["sdr.emea1"])
    seen = lead.version
    person_update(person=lead, by=users["sdr.emea1"], data={"phone": "1"})
    before = snapshot(lead)
    r = session(users["mops"]).post(
        f"/leads/{lead.pk}/assign/",
        {"owner": users["sdr.amer1"].pk, "reason": "territory", "version": seen},
    )
    assert r.status_code == 409 and snapshot(lead) == before


@pytest.mark.parametrize("kind", ["lead", "account", "opportunity"])
def test_q_conc_admin_change_form_opened_before_another_save_is_409(users, kind):
    record = {
        "lead": lambda: LeadFactory(owner=users["sdr.emea1"], phone="1"),
        "account": lambda: Account.objects.get(name="Hooli"),
        "opportunity": lambda: Opportunity.objects.get(name="Hooli - New Business"),
    }[kind]()
    app = {"lead": "leads", "account": "accounts", "opportunity": "opportunities"}[kind]
    url = f"/admin/{app}/{kind}/{record.pk}/change/"
    admin = session(users["salessupport"] if kind != "lead" else users["mops"])
    page = admin.get(url)
    assert page.status_code == 200
    assert f'name="_seen_version" value="{record.version}"' in page.content.decode()
    data = admin_post_data(page)
    # Meanwhile someone saves the record in the portal.
    type(record).objects.filter(pk=record.pk).update(version=record.version + 1)
    before = snapshot(record)
    changes = FieldChange.objects.count()
    text_field = {"lead": "phone", "account": "industry", "opportunity": "next_step"}[kind]
    r = admin.post(url, {**data, text_field: "changed in admin"})
    assert r.status_code == 409 and "changed by" in r.content.decode()
    assert snapshot(record) == before and FieldChange.objects.count() == changes


def test_admin_change_form_of_the_current_version_saves_with_history(users):
    lead = LeadFactory(owner=users["sdr.emea1"], phone="1")
    admin = session(users["mops"])
    url = f"/admin/leads/lead/{lead.pk}/change/"
    data = admin_post_data(admin.get(url))
    r = admin.post(url, {**data, "phone": "2"})
    assert r.status_code == 302
    lead.refresh_from_db()
    assert lead.phone == "2" and lead.version == 2 and lead.updated_by == users["mops"]
    assert FieldChange.objects.filter(object_id=lead.pk, field="phone", new_value="2").exists()


def test_q_conc_a_rescore_job_gives_a_new_version_so_an_open_form_goes_stale(users):
    from leads.rule_context import Context
    from leads.services.rescore import rescore_batch

    # The lead's stored scores are out of date (as after a points-table change).
    lead = LeadFactory(owner=users["sdr.emea1"], title="Manager", demographic_score=0)
    seen = lead.version
    assert rescore_batch([lead.pk], Context(), apply=True).changed == 1
    lead.refresh_from_db()
    assert lead.version > seen
    r = session(users["sdr.emea1"]).post(
        f"/leads/{lead.pk}/edit/?field=phone",
        {"version": seen, "phone": "9"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 409 and Lead.objects.get(pk=lead.pk).phone == ""
