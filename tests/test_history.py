"""Q-AUDIT field history rows; Q-CONC stale edits refused; STYLE 2.8 owner changes with why."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.claims import contacts_follow_owner
from accounts.models import Account, Contact
from gtm_portal.core import history
from gtm_portal.core.history import history_for
from gtm_portal.core.models import FieldChange
from gtm_portal.core.services import StaleEdit, record_update
from gtm_portal.users import roles
from gtm_portal.users.models import User
from leads.models import Lead

from .factories import (
    AccountFactory,
    ContactFactory,
    LeadFactory,
    OpportunityFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_an_update_writes_one_row_per_changed_field_with_who_when_old_new_why(users):
    lead = LeadFactory(owner=users["sdr.emea1"], title="Engineer", phone="")
    record_update(
        obj=lead,
        by=users["sdr.mgr"],
        reason="PTO cover",
        data={"title": "VP Engineering", "phone": "+49 30 1234", "owner": users["sdr.emea2"]},
    )
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


@pytest.mark.parametrize(
    "factory", [LeadFactory, ContactFactory, AccountFactory, OpportunityFactory]
)
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
        record_update(
            obj=lead,
            by=users["mops"],
            data={"initial_source": other, "title": "VP"},
            immutable={"initial_source": "LEAD-SOURCE-1"},
        )
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
    data = {
        name: form[name].value() if form[name].value() is not None else "" for name in form.fields
    }
    data["title"] = "Director of IT"
    for name in (
        "is_hot",
        "do_not_call",
        "phone_dnc",
        "mobile_dnc",
        "email_opt_out",
        "gdpr_opt_in",
        "is_inactive",
        "is_core_user",
        "setup_for_team",
    ):
        if not data.get(name):
            data.pop(name, None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    lead = Lead.objects.get(pk=lead.pk)
    # The admin saves through person_update now (ROUTE-1, LEAD-STATUS 10): the edit is one
    # versioned write and the re-score that the new title triggers is another (Q-CONC).
    assert lead.title == "Director of IT" and lead.version > 1
    (row,) = history_for(lead)
    assert (row.field, row.old_value, row.new_value) == ("title", "Engineer", "Director of IT")
    assert row.changed_by == users["mops"]


def test_admin_refuses_users_the_access_helper_refuses(users, client):
    lead = LeadFactory(owner=users["sdr.emea1"])
    client.force_login(users["exec"])
    assert client.get(f"/admin/leads/lead/{lead.pk}/change/").status_code in (302, 403)
    client.force_login(users["sdr.emea1"])  # no admin access (not staff)
    assert client.get("/admin/").status_code == 302


def test_contact_owner_history_names_people_as_every_history_row_does(users):
    """CONTACT-OWNER writes its rows set-based through history.bulk_changes: the old owner is
    the user's label (their full name, a queue's name), as a record's own edit writes it."""
    named = UserFactory(first_name="Dana", last_name="Scully")
    queue = User.objects.queue(roles.Q_INQUIRY)
    account = AccountFactory(owner=users["ae.amer1"])
    people = [ContactFactory(account=account, owner=owner) for owner in (named, queue, None)]
    expected = [history.display_value(c, "owner") for c in people]
    assert expected == ["Dana Scully", roles.Q_INQUIRY, ""]
    kept = ContactFactory(account=account, owner=users["ae.emea1"])
    versions = {c.pk: c.version for c in [*people, kept]}

    moved = contacts_follow_owner(
        account=account, owner=users["ae.emea1"], by=users["salessupport"]
    )

    assert moved == 3
    for contact, old in zip(people, expected, strict=True):
        (row,) = history_for(contact)
        assert (row.field, row.old_value, row.new_value) == ("owner", old, users["ae.emea1"].label)
        assert row.changed_by == users["salessupport"]
        assert row.reason == f"CONTACT-OWNER: {account.name} changed hands"
    assert not history_for(kept)
    assert set(Contact.objects.filter(account=account).values_list("owner", flat=True)) == {
        users["ae.emea1"].pk
    }
    # Q-CONC: each moved contact has a new version (a form opened before is stale), by whom
    after = {c.pk: (c.version, c.updated_by_id) for c in Contact.objects.filter(account=account)}
    for contact in people:
        assert after[contact.pk] == (versions[contact.pk] + 1, users["salessupport"].pk)
    assert after[kept.pk][0] == versions[kept.pk]


def test_bulk_changes_shows_values_as_display_value_in_one_insert(users, django_assert_num_queries):
    """A set-based write's history reads like a record edit's: choice labels, related
    records' labels (their ids read in one query), local times, Yes/No."""
    a, b = AccountFactory(), AccountFactory()
    at = timezone.make_aware(datetime.datetime(2025, 3, 1, 9, 30))
    history.bulk_changes(Account, "bdr_prospecting_status", [(a.pk, "", "Queued")], by=None)
    with django_assert_num_queries(2):  # the users, then one INSERT
        history.bulk_changes(
            Account,
            "bdr_assigned",
            [
                (a.pk, None, users["bdr.amer1"].pk),
                (b.pk, users["bdr.emea1"].pk, users["bdr.amer1"]),
            ],
            by=users["salessupport"],
            reason="fix",
            at=at,
        )
    history.bulk_changes(Account, "actively_working_since", [(a.pk, at, None)], by=None)
    history.bulk_changes(Account, "is_strategic", [(b.pk, False, True)], by=None)
    rows = {(r.object_id, r.field): (r.old_value, r.new_value) for r in FieldChange.objects.all()}
    assert rows[(a.pk, "bdr_prospecting_status")] == ("—", "Queued")
    assert rows[(a.pk, "bdr_assigned")] == ("", users["bdr.amer1"].label)
    assert rows[(b.pk, "bdr_assigned")] == (users["bdr.emea1"].label, users["bdr.amer1"].label)
    assert rows[(a.pk, "actively_working_since")] == (history.format_value(at), "")
    assert rows[(b.pk, "is_strategic")] == ("No", "Yes")
    row = FieldChange.objects.get(object_id=b.pk, field="bdr_assigned")
    assert (row.changed_by, row.changed_at, row.reason) == (users["salessupport"], at, "fix")


def test_bulk_changes_writes_any_number_of_rows_in_one_statement(users, django_assert_num_queries):
    """Q-PERF: CONTACT-OWNER's history for 10,000 contacts costs one INSERT, as for one."""
    accounts = [AccountFactory() for _ in range(30)]
    ContentType.objects.get_for_model(Account)
    with django_assert_num_queries(1):
        written = history.bulk_changes(
            Account,
            "is_strategic",
            [(a.pk, False, True) for a in accounts],
            by=users["salessupport"],
            reason="fix",
        )
    assert written == 30
    assert set(
        FieldChange.objects.values_list(
            "object_id", "old_value", "new_value", "changed_by", "reason"
        )
    ) == {(a.pk, "No", "Yes", users["salessupport"].pk, "fix") for a in accounts}
