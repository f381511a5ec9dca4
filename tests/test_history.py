"""Q-AUDIT field history rows; Q-CONC stale edits refused; STYLE 2.8 owner changes with why."""
import pytest
from django.core.exceptions import ValidationError

from gtm_portal.core.history import history_for
from gtm_portal.core.models import FieldChange
from gtm_portal.core.services import StaleEdit, record_update
from leads.models import Lead

from .factories import AccountFactory, ContactFactory, LeadFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def test_an_update_writes_one_row_per_changed_field_with_who_when_old_new_why(users):
    lead = LeadFactory(owner=users["sdr.emea1"], title="Engineer", phone="")
    record_update(obj=lead, by=users["sdr.mgr"], reason="PTO cover",
                  data={"title": "VP Engineering", "phone": "+49 30 1234", "owner": users["sdr.emea2"]})
    rows = {r.field: r for r in history_for(lead)}
    assert set(rows) == {"title", "phone", "owner"}
    assert rows["title"].old_value == "Engineer" and rows["title"].new_value == "VP Engineering"
    assert rows["owner"].old_value == users["sdr.emea1"].label
    assert rows["owner"].new_value == users["sdr.emea2"].label
    assert rows["owner"].changed_by == users["sdr.mgr"] and rows["owner"].reason == "PTO cover"
    lead.refresh_from_db()
    assert lead.version == 2 and lead.updated_by == users["sdr.mgr"]


def test_an_update_that_changes_nothing_writes_nothing(users):
    lead = LeadFactory(title="Director")
    record_update(obj=lead, by=users["mops"], data={"title": "Director"})
    assert not FieldChange.objects.exists()
    lead.refresh_from_db()
    assert lead.version == 1


@pytest.mark.parametrize("factory", [LeadFactory, ContactFactory, AccountFactory,
                                     OpportunityFactory])
def test_history_on_all_four_record_types(users, factory):
    obj = factory()
    field = "name" if hasattr(obj, "domain") or hasattr(obj, "stage") else "last_name"
    record_update(obj=obj, by=users["salessupport"], data={field: "Renamed"})
    (row,) = history_for(obj)
    assert row.field == field and row.new_value == "Renamed"


def test_q_conc_second_save_is_refused_and_changes_nothing(users):
    lead = LeadFactory(title="Director")
    record_update(obj=lead, by=users["sdr.emea1"], data={"title": "VP"}, expected_version=1)
    with pytest.raises(StaleEdit, match=r"changed by .* at .*reload"):
        record_update(obj=lead, by=users["sdr.mgr"], data={"title": "CTO"}, expected_version=1)
    lead.refresh_from_db()
    assert lead.title == "VP" and lead.version == 2
    assert FieldChange.objects.count() == 1


def test_immutable_field_is_refused_and_nothing_is_written(users):
    from gtm_portal.refdata.models import InitialSource

    lead = LeadFactory(title="Director")
    other = InitialSource.objects.get(name="Webcast")
    with pytest.raises(ValidationError) as err:
        record_update(obj=lead, by=users["mops"], data={"initial_source": other, "title": "VP"},
                      immutable={"initial_source": "LEAD-SOURCE-1"})
    assert "LEAD-SOURCE-1" in str(err.value)
    lead.refresh_from_db()
    assert lead.title == "Director" and lead.initial_source.name == "Web"
    assert not FieldChange.objects.exists()


def test_invalid_value_is_refused_and_nothing_is_written(users):
    lead = LeadFactory(email="ok@firm.example")
    with pytest.raises(ValidationError):
        record_update(obj=lead, by=users["mops"], data={"email": "not an e-mail"})
    lead.refresh_from_db()
    assert lead.email == "ok@firm.example" and not FieldChange.objects.exists()


def test_admin_edit_writes_history_and_keeps_initial_source_read_only(users, client):
    lead = LeadFactory(owner=users["sdr.emea1"], title="Engineer")
    client.force_login(users["mops"])
    url = f"/admin/leads/lead/{lead.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "initial_source" not in form.fields and "status" not in form.fields
    assert "owner" not in form.fields
    data = {name: form[name].value() if form[name].value() is not None else ""
            for name in form.fields}
    data["title"] = "Director of IT"
    for name in ("is_hot", "do_not_call", "phone_dnc", "mobile_dnc", "email_opt_out",
                 "gdpr_opt_in", "is_inactive", "is_core_user", "setup_for_team"):
        if not data.get(name):
            data.pop(name, None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    lead = Lead.objects.get(pk=lead.pk)
    assert lead.title == "Director of IT" and lead.version == 2
    (row,) = history_for(lead)
    assert (row.field, row.old_value, row.new_value) == ("title", "Engineer", "Director of IT")
    assert row.changed_by == users["mops"]


def test_admin_refuses_users_the_access_helper_refuses(users, client):
    lead = LeadFactory(owner=users["sdr.emea1"])
    client.force_login(users["exec"])
    assert client.get(f"/admin/leads/lead/{lead.pk}/change/").status_code in (302, 403)
    client.force_login(users["sdr.emea1"])  # no admin access (not staff)
    assert client.get("/admin/").status_code == 302
