"""OPP-TASK (the creation service's next-action task), OPP-NOTIFY (the lost-deals feed),
OPP-STALE (flags on the owner's and manager's home page) and contact-role editing."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Contact
from gtm_portal.activity.models import Task
from gtm_portal.chatter.models import Notification
from gtm_portal.refdata.enums import ReasonKind
from gtm_portal.refdata.models import Reason
from gtm_portal.users.models import User
from opportunities import workflow
from opportunities.models import LostDeal, Opportunity, OpportunityContactRole, StageChange
from opportunities.services import (
    contact_role_add,
    contact_role_set,
    opportunity_change_stage,
    opportunity_create,
)

from .factories import AccountFactory, ContactFactory, OpportunityFactory, UserFactory

db = pytest.mark.django_db
UTC = datetime.UTC


# --- OPP-TASK ------------------------------------------------------------------------------


@db
def test_opp_task_creating_an_opportunity_gives_its_owner_a_next_action_task():
    owner = UserFactory()
    account = AccountFactory()
    due = timezone.localdate() + datetime.timedelta(days=5)
    opp = opportunity_create(
        name="Acme - Platform",
        account=account,
        owner=owner,
        close_date=due + datetime.timedelta(days=60),
        by=owner,
        next_step="Discovery call with the CTO",
        next_step_date=due,
    )
    task = Task.objects.get(opportunity=opp)
    assert (task.owner, task.due_date, task.status) == (owner, due, "open")
    assert task.subject == "Next action: Discovery call with the CTO"
    assert StageChange.objects.get(opportunity=opp).to_stage == "00-Pre Opportunity"


@db
def test_opp_task_without_a_next_step_the_task_is_due_in_two_days():
    owner = UserFactory()
    opp = opportunity_create(
        name="Acme - Add-on",
        account=AccountFactory(),
        owner=owner,
        close_date=timezone.localdate() + datetime.timedelta(days=30),
    )
    task = Task.objects.get(opportunity=opp)
    assert task.due_date == timezone.localdate() + datetime.timedelta(days=2)
    assert "Plan the next step" in task.subject


@db
def test_opp_task_refused_creation_leaves_no_opportunity_and_no_task():
    account = AccountFactory()
    a, b = ContactFactory(account=account), ContactFactory(account=account)
    with pytest.raises(ValidationError, match="OPP-FIELDS: an opportunity has one primary"):
        opportunity_create(
            name="Two primaries",
            account=account,
            owner=UserFactory(),
            close_date=timezone.localdate(),
            contacts=[(a, {"is_primary": True}), (b, {"is_primary": True})],
        )
    assert not Opportunity.objects.filter(name="Two primaries").exists()
    assert Task.objects.count() == 0


def test_opp_task_order_intake_creates_its_task_through_the_same_service(demo, client):
    from gtm_portal.api.models import ApiToken

    _, key = ApiToken.issue(name="orders", scope="orders")
    r = client.post(
        "/api/v1/orders/",
        {
            "invoice_number": "INV-T-1",
            "subscription_id": "S-1",
            "company": "Umbrella Labs",
            "website": "umbrella.example",
            "first_name": "Alice",
            "last_name": "Abernathy",
            "email": "alice.new@umbrella.example",
            "plan": "Premium",
            "seats": 10,
            "amount": "5000",
            "order_date": timezone.localdate().isoformat(),
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    assert r.status_code == 201, r.content
    opp = Opportunity.objects.get(pk=r.json()["opportunity_id"])
    task = Task.objects.get(opportunity=opp)
    assert task.owner == opp.owner and task.subject.startswith("Thank ")


# --- OPP-NOTIFY ----------------------------------------------------------------------------


def closed_lost_reason():
    return (
        Reason.objects.filter(kind=ReasonKind.CLOSED_LOST, active=True)
        .exclude(name=workflow.MERGED_REASON)
        .first()
    )


def lose(opp, by):
    return opportunity_change_stage(
        opportunity=opp,
        to="8-Closed Lost",
        by=by,
        data={"closed_lost_detail": "Chose a competitor."},
        reasons=[closed_lost_reason()],
    )


def test_opp_notify_a_big_new_business_loss_reaches_the_feeds_followers_only(client, users):
    globex = Opportunity.objects.get(name="Globex - Platform Expansion")
    assert globex.account.segment in ("Large", "Strategic")
    client.force_login(users["exec"])  # any user may follow, even read-only ones
    assert client.post("/opportunities/lost-deals/", {"follow": "1"}).status_code == 302
    lose(globex, users["ae.amer1"])
    post = LostDeal.objects.get()
    assert (post.opportunity, post.segment, post.iacv) == (
        globex,
        globex.account.segment,
        Decimal("50000.00"),
    )
    n = Notification.objects.get(recipient=users["exec"])
    assert "OPP-NOTIFY" in n.message and globex.name in n.message
    assert not Notification.objects.filter(
        recipient=users["mops"], message__contains="OPP-NOTIFY"
    ).exists()
    page = client.get("/opportunities/lost-deals/").content.decode()
    assert globex.name in page and "Unfollow the feed" in page


@db
def test_opp_notify_small_or_non_new_business_losses_stay_out_of_the_feed(refdata):
    owner = UserFactory()
    small = OpportunityFactory(owner=owner, iacv=Decimal("11999"), type="New Business")
    addon = OpportunityFactory(owner=owner, iacv=Decimal("90000"), type="Add-On")
    big = OpportunityFactory(owner=owner, iacv=Decimal("12000"), type="New Business")
    for opp in (small, addon, big):
        lose(opp, owner)
    assert list(LostDeal.objects.values_list("opportunity", flat=True)) == [big.pk]


def test_opp_notify_unfollowing_stops_the_notifications(client, users):
    client.force_login(users["sdr.emea1"])
    client.post("/opportunities/lost-deals/", {"follow": "1"})
    client.post("/opportunities/lost-deals/", {"follow": "0"})
    lose(Opportunity.objects.get(name="Hooli - New Business"), users["ae.amer1"])
    assert LostDeal.objects.count() == 1
    assert not Notification.objects.filter(recipient=users["sdr.emea1"]).exists()


# --- OPP-STALE -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("next_step", "now", "stale"),
    [
        (datetime.date(2025, 3, 3), datetime.datetime(2025, 3, 5, 23, 59, tzinfo=UTC), False),
        (datetime.date(2025, 3, 3), datetime.datetime(2025, 3, 6, 0, 0, tzinfo=UTC), False),
        (datetime.date(2025, 3, 3), datetime.datetime(2025, 3, 6, 0, 1, tzinfo=UTC), True),
        (None, datetime.datetime(2025, 3, 6, 12, 0, tzinfo=UTC), False),
    ],
)
def test_opp_stale_next_step_date_passed_more_than_48_hours_ago(next_step, now, stale):
    assert (
        workflow.is_stale(stage="0-Pending Acceptance", next_step_date=next_step, now=now) is stale
    )
    assert workflow.is_stale(stage="1-Discovery", next_step_date=next_step, now=now) is False


def test_opp_stale_query_agrees_with_the_rule_on_every_day():
    tz = zoneinfo.ZoneInfo("Europe/Berlin")
    today = datetime.date(2025, 3, 10)
    for days in range(0, 6):
        step = today - datetime.timedelta(days=days)
        midday = datetime.datetime.combine(today, datetime.time(12), tzinfo=tz)
        assert (step < workflow.stale_cutoff(today)) == workflow.is_stale(
            stage="0-Pending Acceptance", next_step_date=step, now=midday
        ), days


@db
def test_opp_stale_flags_show_on_the_owners_and_managers_home_page_only(client):
    manager = UserFactory(roles=["SDR Manager"])
    owner = UserFactory(manager=manager, roles=["AE"])
    outsider = UserFactory(roles=["AE"])
    today = timezone.localdate()
    stale = OpportunityFactory(
        owner=owner,
        stage="0-Pending Acceptance",
        name="Stale one",
        next_step_date=today - datetime.timedelta(days=3),
    )
    OpportunityFactory(
        owner=owner,
        stage="0-Pending Acceptance",
        name="Fresh one",
        next_step_date=today - datetime.timedelta(days=1),
    )
    OpportunityFactory(
        owner=owner,
        stage="1-Discovery",
        name="Accepted one",
        next_step_date=today - datetime.timedelta(days=9),
    )
    for user, sees in ((owner, True), (manager, True), (outsider, False)):
        client.force_login(user)
        page = client.get("/").content.decode()
        assert ("Stale one" in page) is sees
        assert "Fresh one" not in page and "Accepted one" not in page
    client.force_login(owner)
    assert "Stale next step" in client.get(f"/opportunities/{stale.pk}/").content.decode()


@db
def test_q_sec_opp_stale_reaches_every_manager_above_and_follows_a_new_manager_at_once(client):
    """Q-SEC: "a manager above" is one definition with no depth limit (SPEC names none)."""
    from opportunities.selectors import stale_opportunities_for, team_ids

    chain = [UserFactory(roles=["SDR Manager"])]
    for _ in range(5):
        chain.append(UserFactory(manager=chain[-1], roles=["SDR Manager"]))
    owner = chain[-1]  # chain[0] is five levels above the owner
    OpportunityFactory(
        owner=owner,
        stage="0-Pending Acceptance",
        name="Stale one",
        next_step_date=timezone.localdate() - datetime.timedelta(days=3),
    )
    assert [bool(stale_opportunities_for(u)) for u in chain] == [True] * 6
    assert team_ids(chain[1]) == {u.pk for u in chain[1:]}
    newcomer = UserFactory(roles=["SDR Manager"])
    owner.manager = newcomer  # the snapshot hears of the save
    owner.save(update_fields=["manager"])
    assert stale_opportunities_for(newcomer) and not stale_opportunities_for(chain[4])
    client.force_login(newcomer)
    assert "Stale one" in client.get("/").content.decode()


# --- contact roles -------------------------------------------------------------------------


def roles_of(opp):
    return sorted(
        OpportunityContactRole.objects.filter(opportunity=opp).values_list(
            "contact__last_name", "is_primary", "is_bill_to", "is_sold_to", "is_partner"
        )
    )


@pytest.fixture
def globex(demo):
    return Opportunity.objects.get(name="Globex - Platform Expansion")


def test_contact_roles_owner_adds_an_account_contact_and_primary_stays_unique(
    client, globex, users
):
    grimes = Contact.objects.get(last_name="Grimes", account=globex.account)
    client.force_login(users["ae.amer1"])
    r = client.post(
        f"/opportunities/{globex.pk}/contact-roles/",
        {"contact": grimes.pk, "is_bill_to": "on", "is_primary": "on"},
    )
    assert r.status_code == 302
    assert roles_of(globex) == [
        ("Grimes", True, True, False, False),
        ("Scorpio", False, False, False, False),
    ]
    scorpio = OpportunityContactRole.objects.get(opportunity=globex, contact__last_name="Scorpio")
    client.post(
        f"/opportunities/{globex.pk}/contact-roles/{scorpio.pk}/",
        {"flag": "is_primary", "value": "1"},
    )
    client.post(
        f"/opportunities/{globex.pk}/contact-roles/{scorpio.pk}/",
        {"flag": "is_sold_to", "value": "1"},
    )
    assert roles_of(globex) == [
        ("Grimes", False, True, False, False),
        ("Scorpio", True, False, True, False),
    ]


def test_contact_roles_a_contact_of_another_account_is_refused(globex, users):
    stranger = Contact.objects.exclude(account=globex.account).first()
    before = roles_of(globex)
    with pytest.raises(
        ValidationError, match="OPP-FIELDS: choose a contact of the opportunity's account"
    ):
        contact_role_add(opportunity=globex, contact=stranger, by=users["ae.amer1"])
    assert roles_of(globex) == before


def test_contact_roles_users_who_may_not_edit_are_refused_on_the_server(client, globex, users):
    grimes = Contact.objects.get(last_name="Grimes", account=globex.account)
    role = OpportunityContactRole.objects.get(opportunity=globex)
    before = roles_of(globex)
    for who in ("bdr.amer1", "sdr.emea1", "exec"):  # the SDR/BDR edits qualification only
        with pytest.raises(PermissionDenied, match="ROLE-3"):
            contact_role_set(role=role, by=users[who], flag="is_bill_to", value=True)
        client.force_login(users[who])
        assert (
            client.post(
                f"/opportunities/{globex.pk}/contact-roles/", {"contact": grimes.pk}
            ).status_code
            == 403
        )
        assert (
            client.post(
                f"/opportunities/{globex.pk}/contact-roles/{role.pk}/", {"remove": "1"}
            ).status_code
            == 403
        )
        page = client.get(f"/opportunities/{globex.pk}/").content.decode()
        assert "Add a contact from" not in page
    assert roles_of(globex) == before
    client.force_login(users["salessupport"])
    assert "Add a contact from" in client.get(f"/opportunities/{globex.pk}/").content.decode()


def test_contact_roles_unknown_flag_is_refused(globex, users):
    role = OpportunityContactRole.objects.get(opportunity=globex)
    before = roles_of(globex)
    with pytest.raises(ValidationError, match="OPP-FIELDS"):
        contact_role_set(role=role, by=users["ae.amer1"], flag="owner_id", value=True)
    assert roles_of(globex) == before


@db
def test_opportunity_page_stays_within_its_query_budget(client, django_assert_max_num_queries):
    owner = UserFactory()
    opp = OpportunityFactory(owner=owner, order_type="Web Direct")
    client.force_login(User.objects.get(pk=owner.pk))
    client.get(f"/opportunities/{opp.pk}/")
    with django_assert_max_num_queries(12):  # the page before issue 9 took 10
        assert client.get(f"/opportunities/{opp.pk}/").status_code == 200
