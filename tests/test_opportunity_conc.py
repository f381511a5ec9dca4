"""Q-CONC on every opportunity write path (issue #16): the stage form, the contact roles (add,
set, remove) and the SAO credit request (SAO-WD 1) post the opportunity's version the page
showed; when someone else saved in between, the second POST answers 409 "changed by X at T,
reload" and writes nothing (Q-SEC: the database is compared, not only the status)."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from accounts.models import Contact
from gtm_portal.activity.models import Activity
from gtm_portal.chatter.models import Comment
from gtm_portal.core.models import FieldChange
from gtm_portal.core.services import StaleEdit
from opportunities import sao
from opportunities.models import (
    Opportunity,
    OpportunityContactRole,
    SAOCreditRequest,
    StageChange,
)
from opportunities.services import contact_role_set, opportunity_change_stage, opportunity_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def globex(demo):
    return Opportunity.objects.get(name="Globex - Platform Expansion")  # stage 0


@pytest.fixture
def umbrella(demo):
    return Opportunity.objects.get(name="Umbrella - Web Direct")


def session(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def snap(opp):
    """Everything the opportunity's write paths change."""
    o = Opportunity.objects.get(pk=opp.pk)
    ct = ContentType.objects.get_for_model(Opportunity)
    return (
        o.stage,
        o.version,
        o.updated_by_id,
        o.name,
        o.next_step,
        o.sdr_bdr_id,
        o.sales_accepted_date,
        StageChange.objects.filter(opportunity=o).count(),
        sorted(
            OpportunityContactRole.objects.filter(opportunity=o).values_list(
                "contact_id", "is_primary", "is_bill_to", "is_sold_to", "is_partner"
            )
        ),
        list(SAOCreditRequest.objects.filter(opportunity=o).values_list("pk", "state")),
        Comment.objects.filter(content_type=ct, object_id=o.pk).count(),
        FieldChange.objects.filter(content_type=ct, object_id=o.pk).count(),
    )


def version_in(html: str, action: str) -> int:
    """The version a form posting to `action` carries, as the page rendered it."""
    form = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S)
    assert form, f"no form posting to {action}"
    found = re.search(r'name="version" value="(\d+)"', form.group(1))
    assert found, f"the form posting to {action} carries no version"
    return int(found.group(1))


def someone_else_saves(opp, user, **data):
    """Another session saves the opportunity through its edit form's service."""
    return opportunity_update(opportunity=opp, by=user, data=data)


def assert_stale(response, before, opp, who):
    body = response.content.decode()
    assert response.status_code == 409
    assert f"changed by {who.label} at" in body and "Reload" in body
    assert snap(opp) == before


# --- the stage form ----------------------------------------------------------------------------


def test_q_conc_stage_form_posted_after_someone_else_saved_is_409(globex, users):
    owner = session(users["ae.amer1"])
    page = owner.get(globex.get_absolute_url()).content.decode()
    seen = version_in(page, f"/opportunities/{globex.pk}/stage/")
    assert seen == globex.version
    someone_else_saves(globex, users["salessupport"], next_step="Support's next step")
    before = snap(globex)
    r = owner.post(f"/opportunities/{globex.pk}/stage/", {"stage": "1-Discovery", "version": seen})
    assert_stale(r, before, globex, users["salessupport"])
    assert Opportunity.objects.get(pk=globex.pk).sales_accepted_date is None  # no SAO stamp


def test_q_conc_second_of_two_stage_moves_is_409_and_the_first_stands(globex, users):
    owner, support = session(users["ae.amer1"]), session(users["salessupport"])
    seen = version_in(
        owner.get(globex.get_absolute_url()).content.decode(), f"/opportunities/{globex.pk}/stage/"
    )
    also_seen = version_in(
        support.get(globex.get_absolute_url()).content.decode(),
        f"/opportunities/{globex.pk}/stage/",
    )
    assert (
        support.post(
            f"/opportunities/{globex.pk}/stage/", {"stage": "1-Discovery", "version": also_seen}
        ).status_code
        == 302
    )
    before = snap(globex)
    r = owner.post(
        f"/opportunities/{globex.pk}/stage/", {"stage": "9-Unqualified", "version": seen}
    )
    assert_stale(r, before, globex, users["salessupport"])
    assert Opportunity.objects.get(pk=globex.pk).stage == "1-Discovery"


def test_q_conc_stage_refusal_keeps_the_version_the_page_was_opened_at(globex, users):
    """A rule's refusal re-renders the form with the version posted, not the current one."""
    owner = session(users["ae.amer1"])
    r = owner.post(
        f"/opportunities/{globex.pk}/stage/", {"stage": "4-Proposal", "version": globex.version}
    )
    assert r.status_code == 200 and "OPP-V9" in r.content.decode()
    assert version_in(r.content.decode(), f"/opportunities/{globex.pk}/stage/") == globex.version


def test_q_conc_stage_service_refuses_a_stale_version(globex, users):
    someone_else_saves(globex, users["salessupport"], seats=10)
    before = snap(globex)
    with pytest.raises(StaleEdit, match="changed by"):
        opportunity_change_stage(
            opportunity=globex,
            to="1-Discovery",
            by=users["ae.amer1"],
            expected_version=globex.version,
        )
    assert snap(globex) == before


def test_q_conc_stale_stage_form_through_htmx_answers_the_message_in_place(globex, users):
    owner = session(users["ae.amer1"])
    someone_else_saves(globex, users["salessupport"], seats=10)
    before = snap(globex)
    r = owner.post(
        f"/opportunities/{globex.pk}/stage/",
        {"stage": "1-Discovery", "version": globex.version},
        HTTP_HX_REQUEST="true",
    )
    assert_stale(r, before, globex, users["salessupport"])
    assert "<html" not in r.content.decode()


# --- contact roles ----------------------------------------------------------------------------


@pytest.fixture
def grimes(globex):
    return Contact.objects.get(last_name="Grimes", account=globex.account)


@pytest.fixture
def scorpio_role(globex):
    return OpportunityContactRole.objects.get(opportunity=globex, contact__last_name="Scorpio")


def test_q_conc_contact_role_add_after_someone_else_saved_is_409(globex, grimes, users):
    owner = session(users["ae.amer1"])
    page = owner.get(globex.get_absolute_url()).content.decode()
    seen = version_in(page, f"/opportunities/{globex.pk}/contact-roles/")
    someone_else_saves(globex, users["salessupport"], name="Globex - Renamed by Support")
    before = snap(globex)
    r = owner.post(
        f"/opportunities/{globex.pk}/contact-roles/",
        {"contact": grimes.pk, "is_bill_to": "on", "version": seen},
    )
    assert_stale(r, before, globex, users["salessupport"])


def test_q_conc_contact_role_set_after_a_role_change_is_409(globex, scorpio_role, grimes, users):
    """A contact-role change gives the opportunity a new version: a form opened before it,
    here the other session's role toggle, goes stale."""
    owner, support = session(users["ae.amer1"]), session(users["salessupport"])
    action = f"/opportunities/{globex.pk}/contact-roles/{scorpio_role.pk}/"
    seen = version_in(owner.get(globex.get_absolute_url()).content.decode(), action)
    r = support.post(
        f"/opportunities/{globex.pk}/contact-roles/", {"contact": grimes.pk, "version": seen}
    )
    assert r.status_code == 302
    opp = Opportunity.objects.get(pk=globex.pk)
    assert opp.version == seen + 1 and opp.updated_by == users["salessupport"]
    before = snap(globex)
    r = owner.post(action, {"flag": "is_bill_to", "value": "1", "version": seen})
    assert_stale(r, before, globex, users["salessupport"])
    assert not OpportunityContactRole.objects.get(pk=scorpio_role.pk).is_bill_to


def test_q_conc_contact_role_remove_after_someone_else_saved_is_409(globex, scorpio_role, users):
    owner = session(users["ae.amer1"])
    action = f"/opportunities/{globex.pk}/contact-roles/{scorpio_role.pk}/"
    page = owner.get(globex.get_absolute_url()).content.decode()
    seen = version_in(page, action)
    assert 'name="remove"' in page
    contact_role_set(
        role=scorpio_role,
        by=users["salessupport"],
        flag="is_sold_to",
        value=True,
        expected_version=seen,
    )
    before = snap(globex)
    r = owner.post(action, {"remove": "1", "version": seen})
    assert_stale(r, before, globex, users["salessupport"])
    assert OpportunityContactRole.objects.filter(pk=scorpio_role.pk).exists()


def test_q_conc_contact_role_change_makes_an_open_edit_form_stale(
    client, globex, scorpio_role, users
):
    client.force_login(users["ae.amer1"])
    form = client.get(f"/opportunities/{globex.pk}/edit/").context["form"]
    seen = form["version"].value()
    contact_role_set(role=scorpio_role, by=users["salessupport"], flag="is_bill_to", value=True)
    before = snap(globex)
    r = client.post(
        f"/opportunities/{globex.pk}/edit/?field=next_step",
        {"version": seen, "next_step": "Owner's step"},
    )
    assert_stale(r, before, globex, users["salessupport"])


def test_contact_roles_current_version_saves_and_bad_ids_never_500(globex, scorpio_role, users):
    owner = session(users["ae.amer1"])
    url = f"/opportunities/{globex.pk}/contact-roles/"
    before = snap(globex)
    for bad in ("abc", "", "-1", "99999999999999999999"):
        r = owner.post(url, {"contact": bad, "version": globex.version}, follow=True)
        assert r.status_code == 200 and "OPP-FIELDS: choose a contact" in r.content.decode()
    assert owner.post(url + "999999/", {"remove": "1"}).status_code == 404
    assert snap(globex) == before
    r = owner.post(
        url + f"{scorpio_role.pk}/", {"flag": "is_sold_to", "value": "1", "version": globex.version}
    )
    assert r.status_code == 302
    assert OpportunityContactRole.objects.get(pk=scorpio_role.pk).is_sold_to
    assert Opportunity.objects.get(pk=globex.pk).version == globex.version + 1


# --- the SAO credit request (SAO-WD 1) -------------------------------------------------------


def test_q_conc_sao_credit_request_after_someone_else_saved_is_409(umbrella, users):
    call = Activity.objects.get(subject="Connected call with Umbrella's head of engineering")
    sdr = session(users["sdr.amer1"])
    url = f"/opportunities/{umbrella.pk}/sao-credit/"
    form = sdr.get(url).content.decode()
    seen = int(re.search(r'name="version" value="(\d+)"', form).group(1))
    assert seen == umbrella.version
    someone_else_saves(umbrella, users["ae.amer1"], next_step="Upsell Ultimate")
    before = snap(umbrella)
    r = sdr.post(
        url,
        {
            "evidence": call.pk,
            "version": seen,
            "explanation": "Walked them through Premium before they bought.",
        },
    )
    assert_stale(r, before, umbrella, users["ae.amer1"])
    # Opened again, the form carries the new version and the request goes through.
    seen = int(re.search(r'name="version" value="(\d+)"', sdr.get(url).content.decode()).group(1))
    r = sdr.post(
        url,
        {
            "evidence": call.pk,
            "version": seen,
            "explanation": "Walked them through Premium before they bought.",
        },
    )
    assert r.status_code == 302
    assert SAOCreditRequest.objects.get(opportunity=umbrella).state == "pending"


def test_q_conc_sao_credit_request_service_refuses_a_stale_version(umbrella, users):
    call = Activity.objects.get(subject="Connected call with Umbrella's head of engineering")
    someone_else_saves(umbrella, users["ae.amer1"], next_step="Upsell Ultimate")
    before = snap(umbrella)
    with pytest.raises(StaleEdit, match="changed by"):
        sao.sao_credit_request(
            opportunity=umbrella,
            by=users["sdr.amer1"],
            evidence=call,
            explanation="Influenced the purchase.",
            expected_version=umbrella.version,
        )
    assert snap(umbrella) == before


def test_q_conc_an_approved_sao_credit_gives_the_opportunity_a_new_version(umbrella, users):
    """SAO-WD 2: the approval changes the SDR/BDR; an edit form opened before goes stale."""
    call = Activity.objects.get(subject="Connected call with Umbrella's head of engineering")
    req = sao.sao_credit_request(
        opportunity=umbrella,
        by=users["sdr.amer1"],
        evidence=call,
        explanation="Influenced the purchase.",
    )
    sao.sao_credit_decide(credit_request=req, by=users["sdr.mgr"], approve=True)
    opp = Opportunity.objects.get(pk=umbrella.pk)
    assert (opp.version, opp.updated_by, opp.sdr_bdr) == (
        umbrella.version + 1,
        users["sdr.mgr"],
        users["sdr.amer1"],
    )
    before = snap(umbrella)
    with pytest.raises(StaleEdit):
        opportunity_update(
            opportunity=opp,
            by=users["ae.amer1"],
            data={"next_step": "x"},
            expected_version=umbrella.version,
        )
    assert snap(umbrella) == before
