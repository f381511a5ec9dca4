"""ROLE-3 / LEAD-STATUS 10 side doors: logging an activity or a task on a person is an edit
(others read and comment), refused with nothing written and no status move through every
door — the record's form, the row action, the mass action, the admin and task creation;
the admin keeps every state field read-only."""

import pytest

from accounts.models import Account, Contact
from gtm_portal.activity.models import Activity, Enrollment, Sequence, Task
from gtm_portal.core.enums import PersonStatus as S
from leads.models import Lead
from opportunities.models import Opportunity

from .factories import ContactFactory, LeadFactory

pytestmark = pytest.mark.django_db


def written():
    return Activity.objects.count(), Task.objects.count(), Enrollment.objects.count()


@pytest.fixture
def lead(users):
    return LeadFactory(owner=users["sdr.emea1"], status=S.ACCEPTED)


@pytest.fixture
def contact(users):
    return ContactFactory(owner=users["sdr.emea1"], status=S.ACCEPTED)


TWO_WAY_CALL = {"kind": "call", "direction": "inbound", "two_way": "on", "subject": "Talked"}


@pytest.mark.parametrize("htmx", [False, True], ids=["record form", "row action"])
@pytest.mark.parametrize("kind", ["leads", "contacts"])
def test_role_3_logging_an_activity_needs_edit_rights(client, users, lead, contact, kind, htmx):
    person = lead if kind == "leads" else contact
    client.force_login(users["sdr.emea2"])  # another rep: reads and comments only
    before = written()
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    r = client.post(f"/{kind}/{person.pk}/activities/", TWO_WAY_CALL, **headers)
    assert r.status_code == 403
    assert written() == before
    person.refresh_from_db()
    assert person.status == S.ACCEPTED


def test_role_3_the_owner_still_logs_and_a_two_way_activity_moves_the_status(client, users, lead):
    client.force_login(users["sdr.emea1"])
    r = client.post(f"/leads/{lead.pk}/activities/", TWO_WAY_CALL)
    assert r.status_code == 302
    lead.refresh_from_db()
    assert lead.status == S.QUALIFYING and Activity.objects.filter(lead=lead).count() == 1


@pytest.mark.parametrize("kind", ["leads", "contacts"])
def test_role_3_a_task_on_a_person_needs_edit_rights(client, users, lead, contact, kind):
    person = lead if kind == "leads" else contact
    client.force_login(users["sdr.emea2"])
    before = written()
    r = client.post(f"/{kind}/{person.pk}/tasks/", {"subject": "Call", "due_date": "2026-12-30"})
    assert r.status_code == 403
    assert written() == before


def test_role_3_others_still_add_tasks_to_accounts_they_read(client, users):
    account = Account.objects.order_by("pk").first()
    client.force_login(users["sdr.emea2"])
    r = client.post(f"/accounts/{account.pk}/tasks/", {"subject": "Look", "due_date": "2026-12-30"})
    assert r.status_code == 302 and Task.objects.filter(account=account).count() == 1


def test_role_3_the_mass_enroll_refuses_rows_the_user_may_not_edit(client, users, lead):
    sequence = Sequence.objects.filter(active=True).first() or Sequence.objects.create(
        name="Touch", steps=3, length_days=10, active=True
    )
    client.force_login(users["sdr.emea2"])
    before = written()
    r = client.post(
        "/leads/views/S1/mass/",
        {"ids": [lead.pk], "action": "enroll", "sequence": sequence.pk},
        follow=True,
    )
    assert r.status_code == 200
    assert written() == before
    lead.refresh_from_db()
    assert lead.status == S.ACCEPTED


@pytest.mark.parametrize("model", ["activity", "task"])
def test_role_3_the_admin_refuses_an_activity_or_task_on_a_person_one_may_not_edit(
    client, users, lead, model
):
    client.force_login(users["salesadmin"])  # admin access, but no editor of the lead
    before = written()
    data = {
        "activity": {
            "kind": "call",
            "direction": "inbound",
            "two_way": "on",
            "occurred_at_0": "2026-11-30",
            "occurred_at_1": "10:00:00",
            "subject": "Talked",
            "lead": lead.pk,
        },
        "task": {
            "subject": "Call",
            "due_date": "2026-12-30",
            "status": "open",
            "owner": lead.owner_id,
            "lead": lead.pk,
        },
    }[model]
    r = client.post(f"/admin/activity/{model}/add/", data)
    assert r.status_code == 403
    assert written() == before
    lead.refresh_from_db()
    assert lead.status == S.ACCEPTED


def test_role_3_the_admin_adds_an_activity_for_a_person_editor(client, users, lead):
    client.force_login(users["mops"])
    r = client.post(
        "/admin/activity/activity/add/",
        {
            "kind": "note",
            "direction": "outbound",
            "occurred_at_0": "2026-11-30",
            "occurred_at_1": "10:00:00",
            "subject": "Noted",
            "lead": lead.pk,
        },
    )
    assert r.status_code == 302 and Activity.objects.filter(lead=lead).count() == 1


STATE_FIELDS = {
    "leads/lead": ("status", "owner", "person_score", "converted_at"),
    "accounts/contact": ("status", "owner", "person_score"),
    "accounts/account": ("owner", "bdr_prospecting_status"),
    "opportunities/opportunity": ("stage", "owner", "sdr_bdr", "account", "order_type"),
}


@pytest.mark.parametrize("path", list(STATE_FIELDS))
def test_lead_status_10_admin_state_fields_are_read_only(client, users, path):
    model = {
        "leads/lead": Lead,
        "accounts/contact": Contact,
        "accounts/account": Account,
        "opportunities/opportunity": Opportunity,
    }[path]
    obj = model.objects.order_by("pk").first() or {"leads/lead": LeadFactory}[path]()
    if model is Lead and obj.converted_at is not None:
        obj = LeadFactory()
    client.force_login(users["salessupport"])
    page = client.get(f"/admin/{path}/{obj.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    for name in STATE_FIELDS[path]:
        assert f'name="{name}"' not in html, name
