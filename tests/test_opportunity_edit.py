"""ROLE-3, Q-CONC, OPP-V11, OPP-V12 and Q-SAFE on the opportunity edit form
(`/opportunities/<id>/edit/`, CONTRACT 6) and its inline one-field editor: who may change
which fields, the one service behind both, and refusals that leave the row exactly as it was."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from gtm_portal.core.models import FieldChange
from gtm_portal.refdata.models import InitialSource
from opportunities.models import Opportunity
from opportunities.services import opportunity_update
from opportunities.workflow import EDIT_FIELDS, QUALIFICATION_FIELDS
from tests.helpers import admin_post_data

from .factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def globex(demo):
    return Opportunity.objects.get(name="Globex - Platform Expansion")  # stage 0, bdr.amer1


def history(opp):
    return FieldChange.objects.filter(
        content_type=ContentType.objects.get_for_model(Opportunity), object_id=opp.pk
    )


def edit_url(opp):
    return f"/opportunities/{opp.pk}/edit/"


def snap(opp):
    """Every field the edit form could touch, the stage, the version and the history."""
    row = (
        Opportunity.objects.filter(pk=opp.pk)
        .values(
            *[Opportunity._meta.get_field(n).attname for n in EDIT_FIELDS],
            "stage",
            "version",
            "updated_by_id",
        )
        .get()
    )
    return row, history(opp).count()


def shown_form(client, opp, field=None) -> dict:
    """The edit form as the page shows it, as a browser would post it back unchanged."""
    r = client.get(edit_url(opp), {"field": field} if field else {})
    assert r.status_code == 200
    data = {}
    for bound in r.context["form"]:
        value, widget = bound.value(), bound.field.widget
        if isinstance(widget, forms.CheckboxInput):
            if value:
                data[bound.name] = "on"
        elif isinstance(widget, forms.NullBooleanSelect):
            data[bound.name] = {True: "true", False: "false"}.get(value, "unknown")
        elif isinstance(value, datetime.date):
            data[bound.name] = value.isoformat()
        elif value is not None:
            data[bound.name] = value
    return data


def refused(client, opp, data, status, *, field=None):
    before = snap(opp)
    url = edit_url(opp) + (f"?field={field}" if field else "")
    r = client.post(url, data)
    assert r.status_code == status
    assert snap(opp) == before
    return r.content.decode()


# --- ROLE-3: who edits what ----------------------------------------------------------------


def test_role_3_owner_edits_every_field_and_history_keeps_it(client, globex, users):
    client.force_login(users["ae.amer1"])
    data = shown_form(client, globex)
    assert set(data) - {"version", "reason"} <= set(EDIT_FIELDS)
    assert {
        "stage",
        "owner",
        "sdr_bdr",
        "account",
        "order_type",
        "sales_accepted_date",
        "initial_iacv",
        "unqualified_reason",
        "merged_opportunity",
    }.isdisjoint(data)
    data.update(
        name="Globex - Platform Expansion II",
        iacv="60000",
        amount="61000",
        description="Consolidating three CI systems.",
        meddpic_notes="Champion: VP Eng",
        po_expected="true",
        referenceable="on",
    )
    r = client.post(edit_url(globex), data)
    assert r.status_code == 302 and r["Location"] == globex.get_absolute_url()
    opp = Opportunity.objects.get(pk=globex.pk)
    assert (
        opp.name,
        opp.iacv,
        opp.amount,
        opp.description,
        opp.po_expected,
        opp.referenceable,
    ) == (
        "Globex - Platform Expansion II",
        Decimal("60000"),
        Decimal("61000"),
        "Consolidating three CI systems.",
        True,
        True,
    )
    assert opp.version == globex.version + 1 and opp.updated_by == users["ae.amer1"]
    changed = {c.field: c for c in history(opp)}
    assert changed["name"].old_value == "Globex - Platform Expansion"
    assert changed["iacv"].changed_by == users["ae.amer1"]
    assert opp.stage == globex.stage and opp.sales_accepted_date is None


def test_role_3_owners_manager_and_the_manager_above_edit_every_field(client, globex, users):
    manager = UserFactory(roles=["AE"])
    director = UserFactory(roles=["AE"])
    manager.manager = director
    manager.save(update_fields=["manager"])
    ae = users["ae.amer1"]
    ae.manager = manager
    ae.save(update_fields=["manager"])
    for who, next_step in ((manager, "Pricing call"), (director, "Exec sponsor call")):
        client.force_login(who)
        data = shown_form(client, globex)
        assert "name" in data
        data.update(next_step=next_step)
        assert client.post(edit_url(globex), data).status_code == 302
        opp = Opportunity.objects.get(pk=globex.pk)
        assert opp.next_step == next_step and opp.updated_by == who


def test_role_3_sales_support_edits_every_field(client, globex, users):
    client.force_login(users["salessupport"])
    data = shown_form(client, globex)
    data.update(close_date="2031-01-31", type="Add-On")
    assert client.post(edit_url(globex), data).status_code == 302
    opp = Opportunity.objects.get(pk=globex.pk)
    assert (opp.close_date, opp.type) == (datetime.date(2031, 1, 31), "Add-On")
    assert history(opp).filter(field="close_date", changed_by=users["salessupport"]).exists()


def test_role_3_sdr_bdr_edits_the_qualification_fields_at_stage_00_and_0(client, globex, users):
    client.force_login(users["bdr.amer1"])
    for stage in ("0-Pending Acceptance", "00-Pre Opportunity"):
        Opportunity.objects.filter(pk=globex.pk).update(stage=stage)
        data = shown_form(client, globex)
        assert set(data) - {"version", "reason"} == set(QUALIFICATION_FIELDS)
        data.update(
            business_problem=f"Slow releases ({stage})", seats="450", name="Renamed by the BDR"
        )  # not a field of this form: ignored
        assert client.post(edit_url(globex), data).status_code == 302
        opp = Opportunity.objects.get(pk=globex.pk)
        assert (opp.business_problem, opp.seats) == (f"Slow releases ({stage})", 450)
        assert opp.name == "Globex - Platform Expansion"
    assert history(opp).filter(field="seats", changed_by=users["bdr.amer1"]).exists()


def test_role_3_sdr_bdr_refused_other_fields_and_nothing_changes(client, globex, users):
    bdr = users["bdr.amer1"]
    client.force_login(bdr)
    assert client.get(edit_url(globex), {"field": "close_date"}).status_code == 403
    refused(
        client,
        globex,
        {"version": globex.version, "close_date": "2031-01-01"},
        403,
        field="close_date",
    )
    before = snap(globex)
    with pytest.raises(PermissionDenied, match="ROLE-3: you may not edit name"):
        opportunity_update(
            opportunity=globex, by=bdr, data={"business_problem": "x", "name": "Renamed"}
        )
    assert snap(globex) == before


def test_role_3_sdr_bdr_refused_from_stage_1_on_and_nothing_changes(client, globex, users):
    bdr = users["bdr.amer1"]
    Opportunity.objects.filter(pk=globex.pk).update(stage="1-Discovery")
    globex.refresh_from_db()
    client.force_login(bdr)
    assert client.get(edit_url(globex)).status_code == 403
    refused(client, globex, {"version": globex.version, "business_problem": "Changed"}, 403)
    refused(client, globex, {"version": globex.version, "seats": "9"}, 403, field="seats")
    before = snap(globex)
    with pytest.raises(PermissionDenied, match="ROLE-3"):
        opportunity_update(opportunity=globex, by=bdr, data={"business_problem": "Changed"})
    assert snap(globex) == before
    assert "/edit/" not in client.get(globex.get_absolute_url()).content.decode()


@pytest.mark.parametrize("username", ["ae.emea1", "sdr.amer1", "exec"])
def test_role_3_other_users_are_refused_and_nothing_changes(client, globex, users, username):
    """Another AE, an SDR who is not the SDR/BDR, and Executive (read-only everywhere)."""
    client.force_login(users[username])
    assert client.get(edit_url(globex)).status_code == 403
    data = {
        "version": globex.version,
        "name": "Hijacked",
        "close_date": "2031-01-01",
        "amount": "1",
        "iacv": "1",
        "type": "Add-On",
        "business_problem": "x",
    }
    refused(client, globex, data, 403)
    refused(client, globex, data, 403, field="name")
    page = client.get(globex.get_absolute_url()).content.decode()
    assert edit_url(globex) not in page and "inline-edit-link" not in page
    before = snap(globex)
    with pytest.raises(PermissionDenied, match="ROLE-3"):
        opportunity_update(opportunity=globex, by=users[username], data={"name": "Hijacked"})
    assert snap(globex) == before


def test_record_page_offers_edit_and_inline_pencils_by_scope_within_budget(
    client, globex, users, django_assert_max_num_queries
):
    """Q-PERF: the page with its Edit button and pencils stays within 10 queries (8, plus the
    OPP-CHECKLIST panel's items and ticks)."""
    client.force_login(users["ae.amer1"])
    client.get(globex.get_absolute_url())
    with django_assert_max_num_queries(10):
        page = client.get(globex.get_absolute_url()).content.decode()
    assert f'href="{edit_url(globex)}"' in page and 'data-field="description"' in page
    assert 'data-field="stage"' not in page and 'data-field="owner"' not in page
    assert 'data-field="sales_accepted_date"' not in page
    client.force_login(users["bdr.amer1"])
    page = client.get(globex.get_absolute_url()).content.decode()
    assert "Edit qualification" in page and 'data-field="business_problem"' in page
    assert 'data-field="name"' not in page


# --- the inline editor -----------------------------------------------------------------------


def test_inline_edit_through_htmx_gets_a_form_and_saves_one_field(client, globex, users):
    client.force_login(users["ae.amer1"])
    r = client.get(edit_url(globex), {"field": "close_date"}, HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert r.status_code == 200 and "<html" not in body and 'name="close_date"' in body
    assert f'name="version" value="{globex.version}"' in body and 'name="name"' not in body
    # The close date shows in the header: saving it reloads the page.
    r = client.post(
        edit_url(globex) + "?field=close_date",
        {"version": globex.version, "close_date": "2031-03-31"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 204 and r["HX-Refresh"] == "true"
    opp = Opportunity.objects.get(pk=globex.pk)
    assert opp.close_date == datetime.date(2031, 3, 31) and opp.version == globex.version + 1
    # Another field swaps its value cell in place.
    r = client.post(
        edit_url(globex) + "?field=next_step",
        {"version": opp.version, "next_step": "Send the <b>proposal</b>"},
        HTTP_HX_REQUEST="true",
    )
    cell = r.content.decode()
    assert r.status_code == 200 and "<html" not in cell and "<form" not in cell
    assert "Send the &lt;b&gt;proposal&lt;/b&gt;" in cell and "inline-edit-link" in cell
    assert Opportunity.objects.get(pk=globex.pk).next_step == "Send the <b>proposal</b>"
    assert history(globex).filter(field="next_step").count() == 1


def test_inline_edit_cancel_gives_back_the_value_cell(client, globex, users):
    client.force_login(users["ae.amer1"])
    r = client.get(
        edit_url(globex), {"field": "competition", "cancel": "1"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200 and "GitHub" in r.content.decode()


def test_without_javascript_the_pencil_opens_the_full_form_which_redirects(client, globex, users):
    client.force_login(users["ae.amer1"])
    page = client.get(globex.get_absolute_url()).content.decode()
    assert f'href="{edit_url(globex)}#id_competition"' in page
    data = shown_form(client, globex)
    data["competition"] = "GitHub, Atlassian"
    r = client.post(edit_url(globex), data)
    assert r.status_code == 302 and r["Location"] == globex.get_absolute_url()
    assert Opportunity.objects.get(pk=globex.pk).competition == "GitHub, Atlassian"


# --- Q-CONC ----------------------------------------------------------------------------------


def test_q_conc_second_save_of_the_edit_form_is_refused_409(client, globex, users):
    client.force_login(users["ae.amer1"])
    data = shown_form(client, globex)  # opened at the current version
    opportunity_update(
        opportunity=globex,
        by=users["salessupport"],
        data={"next_step": "Support fixed the next step"},
    )
    data.update(next_step="Owner's next step", name="Owner's rename")
    before = snap(globex)
    r = client.post(edit_url(globex), data)
    page = r.content.decode()
    assert r.status_code == 409 and f"changed by {users['salessupport'].label} at" in page
    assert "Owner&#x27;s rename" in page or "Owner's rename" in page  # what was typed stays
    assert snap(globex) == before
    assert Opportunity.objects.get(pk=globex.pk).next_step == "Support fixed the next step"


def test_q_conc_stale_inline_save_is_refused_409(client, globex, users):
    client.force_login(users["ae.amer1"])
    opened = globex.version
    opportunity_update(opportunity=globex, by=users["salessupport"], data={"seats": 500})
    before = snap(globex)
    r = client.post(
        edit_url(globex) + "?field=seats",
        {"version": opened, "seats": "10"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 409 and "changed by" in r.content.decode()
    assert snap(globex) == before


def test_q_conc_the_service_refuses_a_stale_version_and_writes_nothing(globex, users):
    from gtm_portal.core.services import StaleEdit

    opportunity_update(opportunity=globex, by=users["salessupport"], data={"seats": 500})
    before = snap(globex)
    with pytest.raises(StaleEdit, match="changed by"):
        opportunity_update(
            opportunity=globex,
            by=users["ae.amer1"],
            data={"seats": 10},
            expected_version=globex.version,
        )
    assert snap(globex) == before


# --- OPP-V11, OPP-V12, REF-3 and bad input -----------------------------------------------------


def test_opp_v11_terms_modification_refused_below_25k_or_for_starter(client, globex, users):
    client.force_login(users["ae.amer1"])
    data = shown_form(client, globex)
    page = refused(
        client, globex, {**data, "standard_terms_modification": "on", "iacv": "24999"}, 200
    )
    assert "OPP-V11" in page and "invalid-feedback" in page
    page = refused(
        client, globex, {**data, "standard_terms_modification": "on", "edition": "Starter"}, 200
    )
    assert "OPP-V11" in page
    r = client.post(
        edit_url(globex), {**data, "standard_terms_modification": "on", "edition": "Premium"}
    )
    assert r.status_code == 302  # IACV 50,000, Premium
    opp = Opportunity.objects.get(pk=globex.pk)
    assert opp.standard_terms_modification
    # With the modification on, lowering the IACV inline is refused too.
    body = refused(client, opp, {"version": opp.version, "iacv": "1000"}, 200, field="iacv")
    assert "OPP-V11" in body
    with pytest.raises(ValidationError, match="OPP-V11"):
        opportunity_update(opportunity=opp, by=users["ae.amer1"], data={"edition": "Starter"})


def test_opp_v12_close_date_is_required(client, globex, users):
    client.force_login(users["ae.amer1"])
    data = shown_form(client, globex)
    assert "OPP-V12" in refused(client, globex, {**data, "close_date": ""}, 200)
    assert "OPP-V12" in refused(
        client, globex, {"version": globex.version, "close_date": ""}, 200, field="close_date"
    )
    before = snap(globex)
    with pytest.raises(ValidationError, match="OPP-V12"):
        opportunity_update(opportunity=globex, by=users["ae.amer1"], data={"close_date": None})
    assert snap(globex) == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("close_date", "notadate", "Enter a valid date"),
        ("next_step_date", "2025-02-30", "Enter a valid date"),
        ("amount", "abc", "Enter a number"),
        ("iacv", "NaN", "Enter a number"),
        ("iacv", "1e400", "Ensure that there are no more than 14 digits"),
        ("iacv", "123456789012345678", "Ensure that there are no more than"),
        ("seats", "-3", "greater than or equal to 0"),
        ("seats", "many", "Enter a whole number"),
        ("type", "Barter", "Select a valid choice"),
        ("source", "abc", "Select a valid choice"),
        ("resale_partner", "abc", "no account has this id"),
        ("resale_partner", "99999999999999999999", "no account has this id"),
        ("name", "", "This field is required"),
    ],
)
def test_q_safe_bad_input_gets_the_field_error_and_changes_nothing(
    client, globex, users, field, value, message
):
    client.force_login(users["ae.amer1"])
    data = {**shown_form(client, globex), field: value}
    assert message in refused(client, globex, data, 200)
    assert message in refused(
        client, globex, {"version": globex.version, field: value}, 200, field=field
    )


def test_q_safe_bad_or_missing_version_and_unknown_fields_never_500(client, globex, users):
    client.force_login(users["ae.amer1"])
    data = shown_form(client, globex)
    refused(client, globex, {**data, "version": "abc"}, 200)
    refused(client, globex, {k: v for k, v in data.items() if k != "version"}, 200)
    refused(client, globex, {"name": "x"}, 200, field="name")
    assert client.get(edit_url(globex), {"field": "stage"}).status_code == 403
    assert client.get(edit_url(globex), {"field": "no_such_field"}).status_code == 403
    assert client.get("/opportunities/999999/edit/").status_code == 404


def test_ref_3_an_inactive_source_is_never_chosen_anew(client, globex, users):
    retired = InitialSource.objects.create(name="Retired source", bucket="inbound", active=False)
    client.force_login(users["ae.amer1"])
    data = shown_form(client, globex)
    assert "Select a valid choice" in refused(client, globex, {**data, "source": retired.pk}, 200)
    before = snap(globex)
    with pytest.raises(ValidationError, match="REF-3"):
        opportunity_update(opportunity=globex, by=users["ae.amer1"], data={"source": retired})
    assert snap(globex) == before
    # A record that already has it keeps it through an unrelated edit.
    Opportunity.objects.filter(pk=globex.pk).update(source=retired)
    data = shown_form(client, globex)
    assert data["source"] == retired.pk
    data["next_step"] = "Still on the retired source"
    assert client.post(edit_url(globex), data).status_code == 302
    assert Opportunity.objects.get(pk=globex.pk).source == retired


def test_opp_fields_resale_partner_is_another_account_by_id(client, globex, users):
    from accounts.models import Account

    partner = Account.objects.exclude(pk=globex.account_id).first()
    client.force_login(users["ae.amer1"])
    data = shown_form(client, globex)
    assert "OPP-FIELDS" in refused(
        client, globex, {**data, "resale_partner": globex.account_id}, 200
    )
    assert client.post(edit_url(globex), {**data, "resale_partner": partner.pk}).status_code == 302
    assert Opportunity.objects.get(pk=globex.pk).resale_partner == partner
    assert f"Now: {partner}" in client.get(edit_url(globex)).content.decode()


# --- the admin's change form asks the same rules -------------------------------------------------


def test_opp_v11_admin_change_form_refuses_as_the_edit_form_does(client, globex, users):
    client.force_login(users["salessupport"])
    url = f"/admin/opportunities/opportunity/{globex.pk}/change/"
    data = admin_post_data(client.get(url))
    before = snap(globex)
    r = client.post(url, {**data, "standard_terms_modification": "on", "iacv": "20000"})
    assert r.status_code == 200 and "OPP-V11" in r.content.decode()
    assert snap(globex) == before
    r = client.post(url, {**data, "standard_terms_modification": "on"})
    assert r.status_code == 302
    assert Opportunity.objects.get(pk=globex.pk).standard_terms_modification
