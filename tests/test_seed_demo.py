"""CONTRACT 4: the named demo data set, idempotent."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Account, Contact
from gtm_portal.activity.models import Activity, Enrollment, QualificationNote
from gtm_portal.users.models import User
from leads.models import PoolMember
from opportunities.models import Opportunity

pytestmark = pytest.mark.django_db


def roles_of(username):
    return set(User.objects.get(username=username).groups.values_list("name", flat=True))


def test_users_roles_managers_and_password(users, client):
    assert roles_of("mops") == {"Marketing Ops"}
    assert roles_of("sdr.emea1") == {"SDR"}
    assert roles_of("bdr.mgr") == {"BDR Manager"}
    assert roles_of("exec") == {"Executive"}
    assert roles_of("ae.amer1") == {"AE"}
    for name, user in users.items():
        if name.startswith("sdr.") and name != "sdr.mgr":
            assert user.manager.username == "sdr.mgr", name
        if name.startswith("bdr.") and name != "bdr.mgr":
            assert user.manager.username == "bdr.mgr", name
    assert users["adv.smb1"].manager.username == "sdr.mgr"
    assert users["sdr.pubsec1"].region.code == "PUBSEC"
    assert client.login(username="sdr.emea1", password="demo")


def test_pool_memberships_and_levels(users):
    def level(user, pool):
        return PoolMember.objects.get(user__username=user, pool__name=pool).level

    assert level("sdr.amer1", "US/APAC SDR") == "Expert"
    assert level("sdr.amer2", "US/APAC SDR") == "Ramping"
    assert level("sdr.apac1", "Chat (Drift) Expert SDR") == "Expert"
    assert level("sdr.emea2", "EMEA SDR") == "Onboarding"
    assert level("sdr.latam1", "LATAM SDR") == "Expert"
    assert level("sdr.pubsec1", "US PubSec SDR") == "Expert"
    assert {m.pool.name for m in PoolMember.objects.filter(user__username="adv.smb1")} == {
        "SMB Advocates EMEA",
        "SMB Advocates NCSA",
        "SMB Advocates APAC",
    }


def test_named_accounts(users):
    now = timezone.now()
    globex = Account.objects.get(name="Globex Corporation")
    assert globex.domain == "globex.example" and globex.employees == 5000
    assert globex.bdr_prospecting_status == "Actively Working"
    assert abs((now - globex.actively_working_since).days - 20) <= 1
    assert globex.bdr_assigned.username == "bdr.amer1" and globex.owner.username == "ae.amer1"
    assert globex.bdr_research and globex.bdr_comments
    assert Enrollment.objects.filter(contact__account=globex, state="active").count() == 5
    call = Activity.objects.get(
        account=globex, kind="call", logged_by__username="bdr.amer1", contact__isnull=True
    )
    assert abs((now - call.occurred_at).days - 5) <= 1

    hooli = Account.objects.get(name="Hooli")
    assert abs((now - hooli.actively_working_since).days - 40) <= 1
    assert Enrollment.objects.filter(contact__account=hooli, state="active").count() == 5
    hooli_people = Contact.objects.filter(account=hooli)
    last = (
        Activity.objects.filter(is_sales=True).filter(account=hooli)
        | Activity.objects.filter(contact__in=hooli_people, is_sales=True)
    ).latest("occurred_at")
    assert abs((now - last.occurred_at).days - 45) <= 1

    initech = Account.objects.get(name="Initech")
    assert initech.bdr_prospecting_status == "Restricted" and initech.bdr_research
    assert initech.country.name == "Germany" and initech.bdr_assigned.username == "bdr.emea1"

    umbrella = Account.objects.get(name="Umbrella Labs")
    assert umbrella.type == "Customer" and umbrella.paid_tier == "premium"
    assert umbrella.total_carr == Decimal("12000") and umbrella.segment == "SMB"

    assert Account.objects.get(name="Springfield County").is_public_sector
    vandelay = Account.objects.get(name="Vandelay Industries")
    assert vandelay.owner.is_queue and vandelay.owner.display_name == "Sales Admin"
    assert vandelay.bdr_prospecting_status == "Queued" and vandelay.country.iso2 == "AU"


def test_named_opportunities(users):
    today = timezone.localdate()
    globex = Opportunity.objects.get(name="Globex - Platform Expansion")
    assert globex.stage == "0-Pending Acceptance" and globex.order_type == "Sales-assisted"
    assert globex.owner.username == "ae.amer1" and globex.sdr_bdr.username == "bdr.amer1"
    assert globex.iacv == Decimal("50000") and globex.type == "New Business"
    assert globex.close_date == today + datetime.timedelta(days=90)
    assert globex.right_person_confirmed and globex.business_problem
    roles = list(globex.contact_roles.all())
    assert roles and not any(r.is_bill_to or r.is_sold_to for r in roles)
    call = Activity.objects.get(opportunity=globex, two_way=True, kind="call")
    assert call.contact_id == roles[0].contact_id
    assert abs((timezone.now() - call.occurred_at).days - 3) <= 1

    hooli = Opportunity.objects.get(name="Hooli - New Business")
    assert hooli.stage == "00-Pre Opportunity" and hooli.sales_accepted_date is None
    assert hooli.iacv == Decimal("20000")

    umbrella = Opportunity.objects.get(name="Umbrella - Web Direct")
    assert umbrella.order_type == "Web Direct" and umbrella.stage == "7-Closed Won"
    assert umbrella.sdr_bdr is None and umbrella.owner.username == "ae.amer1"
    assert abs((timezone.now() - umbrella.created_at).days - 10) <= 1
    call = Activity.objects.get(
        logged_by__username="sdr.amer1",
        two_way=True,
        kind="call",
        contact__account__name="Umbrella Labs",
    )
    assert abs((umbrella.created_at - call.occurred_at).days - 20) <= 1
    note = QualificationNote.objects.get(contact=call.contact)
    assert note.written_at <= umbrella.created_at


def test_seed_demo_twice_changes_nothing_in_the_named_part(demo):
    models = (User, Account, Contact, Opportunity, Activity, Enrollment, QualificationNote)
    before = {m.__name__: m.objects.count() for m in models}
    call_command(
        "seed_demo",
        "--leads",
        "0",
        "--accounts",
        "0",
        "--opportunities",
        "0",
        stdout=open("/dev/null", "w"),
    )
    assert {m.__name__: m.objects.count() for m in models} == before
