"""Lead and contact edit form and inline edit (CONTRACT 6, ROLE-3, Q-CONC, LEAD-STATUS 10):
who may edit, refusals that change nothing, HTMX and no-JavaScript paths, stale saves."""

import pytest
from django.utils import timezone

from gtm_portal.core.enums import PersonStatus as S
from leads.models import Lead
from leads.services.persons import person_update
from tests.factories import ContactFactory, LeadFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def form_data(person, **changes) -> dict:
    """What the edit form posts when the user changes `changes` and nothing else."""
    data = {
        "version": person.version,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "title": person.title,
        "email": person.email,
        "bant_budget": person.bant_budget,
        "bant_authority": person.bant_authority,
        "bant_need": person.bant_need,
        "bant_timeline": person.bant_timeline,
    }
    if isinstance(person, Lead):
        data["company"] = person.company
    data.update(changes)
    return data


def row(person) -> dict:
    person.refresh_from_db()
    return {
        "title": person.title,
        "phone": person.phone,
        "version": person.version,
        "status": person.status,
        "owner": person.owner_id,
    }


@pytest.mark.parametrize(
    "username, allowed",
    [
        ("sdr.emea1", True),  # the owner
        ("sdr.mgr", True),  # the owner's manager
        ("mops", True),  # Marketing Ops
        ("salessupport", True),  # Sales Support
        ("sdr.amer1", False),  # another SDR
        ("ae.amer1", False),
        ("bdr.amer1", False),
        ("exec", False),  # Executive: read-only everywhere
    ],
)
def test_role_3_who_may_edit_a_lead(client, users, username, allowed):
    lead = LeadFactory(owner=users["sdr.emea1"], title="Engineer")
    before = row(lead)
    client.force_login(users[username])
    page = client.get(f"/leads/{lead.pk}/edit/")
    r = client.post(f"/leads/{lead.pk}/edit/", form_data(lead, title="Director"))
    if allowed:
        assert page.status_code == 200 and 'name="version"' in page.content.decode()
        assert r.status_code == 302
        after = row(lead)
        assert after["title"] == "Director" and after["version"] > before["version"]
    else:
        assert page.status_code == 403 and r.status_code == 403
        assert row(lead) == before


@pytest.mark.parametrize(
    "username, allowed",
    [
        ("bdr.amer1", True),  # the owner (CONTACT-OWNER: the account's BDR Assigned)
        ("bdr.mgr", True),
        ("mops", True),
        ("salessupport", True),
        ("bdr.emea1", False),
        ("sdr.amer1", False),
        ("exec", False),
    ],
)
def test_role_3_who_may_edit_a_contact(client, users, username, allowed):
    contact = ContactFactory(owner=users["bdr.amer1"], title="Engineer")
    before = row(contact)
    client.force_login(users[username])
    r = client.post(f"/contacts/{contact.pk}/edit/", form_data(contact, title="VP"))
    if allowed:
        assert r.status_code == 302 and row(contact)["title"] == "VP"
    else:
        assert r.status_code == 403 and row(contact) == before


def test_lead_status_10_a_converted_lead_has_no_edit_form(client, users):
    lead = LeadFactory(owner=users["sdr.emea1"], status=S.QUALIFIED)
    before = row(lead)
    client.force_login(users["sdr.emea1"])
    assert client.get(f"/leads/{lead.pk}/edit/").status_code == 403
    assert client.post(f"/leads/{lead.pk}/edit/", form_data(lead, title="x")).status_code == 403
    assert "inline-edit-link" not in client.get(f"/leads/{lead.pk}/").content.decode()
    assert row(lead) == before


def test_record_page_offers_inline_edit_only_to_editors(client, users):
    lead = LeadFactory(owner=users["sdr.emea1"])
    client.force_login(users["sdr.emea1"])
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    # With JavaScript the pencil opens the inline editor; without it, the form at the field.
    assert f'href="/leads/{lead.pk}/edit/#id_phone"' in page
    assert f'hx-get="/leads/{lead.pk}/edit/?field=phone"' in page
    assert f'hx-get="/leads/{lead.pk}/edit/?field=status"' not in page  # a workflow
    client.force_login(users["sdr.amer1"])
    assert "inline-edit-link" not in client.get(f"/leads/{lead.pk}/").content.decode()


def test_inline_edit_through_htmx_saves_and_answers_the_new_value_cell(client, users):
    lead = LeadFactory(owner=users["sdr.emea1"], phone="")
    client.force_login(users["sdr.emea1"])
    editor = client.get(f"/leads/{lead.pk}/edit/?field=phone", **HTMX)
    html = editor.content.decode()
    assert editor.status_code == 200 and 'name="phone"' in html
    assert f'name="version" value="{lead.version}"' in html and 'name="title"' not in html
    r = client.post(
        f"/leads/{lead.pk}/edit/?field=phone",
        {"version": lead.version, "phone": "+49 30 1234"},
        **HTMX,
    )
    assert r.status_code == 200
    cell = r.content.decode()
    assert "+49 30 1234" in cell and "inline-edit-link" in cell and "<form" not in cell
    assert row(lead)["phone"] == "+49 30 1234"
    cancel = client.get(f"/leads/{lead.pk}/edit/?field=phone&cancel=1", **HTMX)
    assert "+49 30 1234" in cancel.content.decode() and "<form" not in cancel.content.decode()


def test_inline_edit_of_a_header_field_reloads_the_page(client, users):
    lead = LeadFactory(owner=users["sdr.emea1"], title="Engineer")
    client.force_login(users["sdr.emea1"])
    r = client.post(
        f"/leads/{lead.pk}/edit/?field=title",
        {"version": lead.version, "title": "Senior Director"},
        **HTMX,
    )
    assert r.status_code == 204 and r["HX-Refresh"] == "true"
    lead.refresh_from_db()
    assert lead.title == "Senior Director" and lead.demographic_score > 0  # LEAD-SCORE-1


def test_inline_edit_refusals_change_nothing(client, users):
    lead = LeadFactory(owner=users["sdr.emea1"], employees=10)
    before = row(lead)
    client.force_login(users["sdr.emea1"])
    # A field outside the edit form (a workflow field) or unknown: refused.
    assert client.get(f"/leads/{lead.pk}/edit/?field=status", **HTMX).status_code == 403
    assert (
        client.post(
            f"/leads/{lead.pk}/edit/?field=owner",
            {"version": lead.version, "owner": users["sdr.amer1"].pk},
            **HTMX,
        ).status_code
        == 403
    )
    assert client.get(f"/leads/{lead.pk}/edit/?field=nope", **HTMX).status_code == 403
    # Bad input: the message under the field, the form kept.
    r = client.post(
        f"/leads/{lead.pk}/edit/?field=employees",
        {"version": lead.version, "employees": "abc"},
        **HTMX,
    )
    assert r.status_code == 200 and "invalid-feedback" in r.content.decode()
    assert 'value="abc"' in r.content.decode()
    # Someone who may not edit: refused before any form.
    client.force_login(users["sdr.amer1"])
    assert client.get(f"/leads/{lead.pk}/edit/?field=phone", **HTMX).status_code == 403
    assert row(lead) == before


def test_q_conc_inline_edit_after_someone_else_saved_is_409(client, users):
    lead = LeadFactory(owner=users["sdr.emea1"], phone="1")
    client.force_login(users["sdr.emea1"])
    seen = lead.version  # the inline editor opened now
    person_update(person=lead, by=users["sdr.mgr"], data={"phone": "2"})
    r = client.post(f"/leads/{lead.pk}/edit/?field=phone", {"version": seen, "phone": "3"}, **HTMX)
    assert r.status_code == 409
    assert f"changed by {users['sdr.mgr'].label} at" in r.content.decode()
    assert row(lead)["phone"] == "2"


def test_full_form_without_javascript_edits_one_field_at_its_anchor(client, users):
    lead = LeadFactory(owner=users["sdr.emea1"], phone="")
    client.force_login(users["sdr.emea1"])
    page = client.get(f"/leads/{lead.pk}/edit/").content.decode()
    assert 'id="id_phone"' in page and "LEAD-SOURCE-1" in page
    r = client.post(f"/leads/{lead.pk}/edit/", form_data(lead, phone="555"))
    assert r.status_code == 302 and r["Location"] == f"/leads/{lead.pk}/"
    assert row(lead)["phone"] == "555"


def test_q_conc_contact_edit_form_stale_is_409(client, users):
    contact = ContactFactory(owner=users["bdr.amer1"], title="A")
    client.force_login(users["bdr.amer1"])
    seen = form_data(contact, title="C")
    person_update(person=contact, by=users["mops"], data={"title": "B"})
    r = client.post(f"/contacts/{contact.pk}/edit/", seen)
    assert r.status_code == 409 and "changed by" in r.content.decode()
    assert row(contact)["title"] == "B"


def test_record_page_links_e_mail_and_phone_for_one_click_contact(client, users):
    """UX record page: the e-mail is a mailto: link and phone numbers are tel: links (digits
    and + only in the address); the inline editor still opens from the pencil."""
    lead = LeadFactory(
        owner=users["sdr.emea1"], email="greta@firma.example", phone="+49 (30) 123-45", mobile=""
    )
    client.force_login(users["sdr.emea1"])
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    assert '<a href="mailto:greta@firma.example">greta@firma.example</a>' in page
    assert '<a href="tel:+493012345">+49 (30) 123-45</a>' in page
    assert 'href="tel:"' not in page  # an empty mobile stays a dash
    assert f'href="/leads/{lead.pk}/edit/#id_phone"' in page


def test_the_action_bar_offers_logging_only_where_it_may_work(client, users):
    """UX / ROLE-3 / LEAD-STATUS 10: logging an activity is an edit — the owner sees "Log
    activity", another SDR (read and comment only) does not, nor does anyone on a converted
    lead; "Flag misroute" (a comment) stays for both readers."""
    lead = LeadFactory(owner=users["sdr.emea1"], status=S.MQL)
    client.force_login(users["sdr.emea1"])
    assert "Log activity" in client.get(f"/leads/{lead.pk}/").content.decode()
    client.force_login(users["sdr.amer1"])
    theirs = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "Log activity" not in theirs and "Flag misroute" in theirs
    converted = LeadFactory(owner=users["sdr.emea1"], status=S.QUALIFIED)
    Lead.objects.filter(pk=converted.pk).update(converted_at=timezone.now())
    client.force_login(users["sdr.emea1"])
    page = client.get(f"/leads/{converted.pk}/").content.decode()
    assert "Log activity" not in page and "Enroll" not in page
