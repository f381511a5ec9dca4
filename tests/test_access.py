"""ROLE-3: the one access helper, per role, including the refusals."""

import pytest
from django.core.exceptions import PermissionDenied

from gtm_portal.core import access
from gtm_portal.users.models import User
from opportunities.models import Opportunity

from .factories import ContactFactory, LeadFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_of_emea1(users):
    return LeadFactory(owner=users["sdr.emea1"])


@pytest.mark.parametrize(
    "username, allowed",
    [
        ("sdr.emea1", True),  # owner
        ("sdr.mgr", True),  # owner's manager
        ("mops", True),  # Marketing Ops
        ("salessupport", True),  # Sales Support
        ("sdr.emea2", False),  # a teammate reads only
        ("bdr.mgr", False),  # another team's manager
        ("ae.amer1", False),
        ("exec", False),  # Executive never writes
    ],
)
def test_role_3_who_may_edit_a_lead(users, lead_of_emea1, username, allowed):
    assert access.can(users[username], "person.edit", lead_of_emea1) is allowed


def test_role_3_same_rule_for_contacts(users):
    contact = ContactFactory(owner=users["bdr.amer1"])
    assert access.can(users["bdr.amer1"], "person.edit", contact)
    assert access.can(users["bdr.mgr"], "person.edit", contact)
    assert not access.can(users["sdr.mgr"], "person.edit", contact)


def test_role_3_manager_above_the_manager_may_edit(users, lead_of_emea1):
    director = User.objects.create_user("director", password="x")
    users["sdr.mgr"].manager = director
    users["sdr.mgr"].save()
    lead_of_emea1.owner.refresh_from_db()
    assert access.can(director, "person.edit", lead_of_emea1)


@pytest.mark.parametrize(
    "username, allowed",
    [
        ("bdr.amer1", True),
        ("bdr.mgr", True),
        ("salessupport", True),
        ("sdr.amer1", False),
        ("ae.amer1", False),
        ("mops", False),
        ("exec", False),
    ],
)
def test_role_3_account_bdr_fields(users, username, allowed):
    from accounts.models import Account

    globex = Account.objects.get(name="Globex Corporation")
    assert access.can(users[username], "account.edit_bdr_fields", globex) is allowed


@pytest.mark.parametrize(
    "username, allowed",
    [
        ("salessupport", True),
        ("salesadmin", True),
        ("ae.amer1", False),
        ("bdr.amer1", False),
        ("exec", False),
    ],
)
def test_role_3_account_ownership_fields(users, username, allowed):
    from accounts.models import Account

    globex = Account.objects.get(name="Globex Corporation")
    assert access.can(users[username], "account.edit_ownership", globex) is allowed


def test_role_3_opportunity_edit_scopes(users):
    opp = Opportunity.objects.get(name="Globex - Platform Expansion")  # stage 0
    assert access.opportunity_edit_scope(users["ae.amer1"], opp) == "all"  # owner
    assert access.opportunity_edit_scope(users["salessupport"], opp) == "all"
    assert access.opportunity_edit_scope(users["bdr.amer1"], opp) == "qualification"
    assert access.opportunity_edit_scope(users["sdr.amer1"], opp) is None
    assert access.opportunity_edit_scope(users["exec"], opp) is None
    opp.stage = "1-Discovery"
    assert access.opportunity_edit_scope(users["bdr.amer1"], opp) is None  # until stage 1


def test_role_3_opportunity_owners_manager(users):
    opp = OpportunityFactory(owner=users["sdr.amer1"])
    assert access.opportunity_edit_scope(users["sdr.mgr"], opp) == "all"
    assert access.opportunity_edit_scope(users["bdr.mgr"], opp) is None


@pytest.mark.parametrize(
    "username, allowed",
    [
        ("mops", True),
        ("sdr.mgr", False),
        ("salessupport", False),
        ("exec", False),
    ],
)
def test_role_3_reference_data_is_marketing_ops_only(users, username, allowed):
    assert access.can(users[username], "reference.manage") is allowed


def test_sao_wd_decider_is_the_requesters_manager_never_the_requester(users):
    class Request:
        requester = users["sdr.amer1"]
        requester_id = users["sdr.amer1"].pk

    assert access.can(users["sdr.mgr"], "sao_credit.decide", Request)
    assert not access.can(users["sdr.amer1"], "sao_credit.decide", Request)
    assert not access.can(users["bdr.mgr"], "sao_credit.decide", Request)


def test_everyone_reads_and_comments_except_executive_comments(users, lead_of_emea1):
    for name, user in users.items():
        assert access.can(user, "record.read", lead_of_emea1), name
        assert access.can(user, "record.comment", lead_of_emea1) is (name != "exec"), name


def test_executive_holding_another_role_still_cannot_write(users, lead_of_emea1):
    from django.contrib.auth.models import Group

    boss = users["exec"]
    boss.groups.add(Group.objects.get(name="Marketing Ops"))
    boss = User.objects.get(pk=boss.pk)
    assert not access.can(boss, "person.edit", lead_of_emea1)
    assert not access.can(boss, "reference.manage")


def test_queues_and_inactive_users_can_do_nothing(users, lead_of_emea1):
    queue = User.objects.queue("Inquiry Queue")
    assert not access.can(queue, "record.read", lead_of_emea1)
    mops = users["mops"]
    mops.is_active = False
    assert not access.can(mops, "person.edit", lead_of_emea1)


def test_require_raises_permission_denied_naming_the_rule(users, lead_of_emea1):
    with pytest.raises(PermissionDenied, match="ROLE-3"):
        access.require(users["ae.amer1"], "person.edit", lead_of_emea1)
    access.require(users["sdr.emea1"], "person.edit", lead_of_emea1)


def test_unknown_action_is_a_programming_error(users):
    with pytest.raises(KeyError):
        access.can(users["mops"], "lead.fly")


def test_queue_cannot_log_in(demo, client):
    queue = User.objects.queue("Inquiry Queue")
    queue.set_password("demo")
    queue.save()
    assert not client.login(username=queue.username, password="demo")
