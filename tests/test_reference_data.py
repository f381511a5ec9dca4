"""CONTRACT 3 load_reference_data: SPEC §2 defaults, idempotent, admin edits survive."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from gtm_portal.refdata.models import (
    Country,
    Holiday,
    InitialSource,
    PortalSetting,
    Reason,
    Region,
    WordListEntry,
)
from gtm_portal.users import roles
from gtm_portal.users.models import User
from leads.models import RoutingPool, ScoringRule

pytestmark = pytest.mark.django_db

MODELS = (
    Group,
    User,
    Region,
    Country,
    InitialSource,
    ScoringRule,
    PortalSetting,
    RoutingPool,
    WordListEntry,
    Reason,
    Holiday,
)


def counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def test_role_1_groups_and_role_4_queues_have_their_exact_names(refdata):
    assert set(Group.objects.values_list("name", flat=True)) == set(roles.ALL_ROLES)
    queues = User.objects.queues()
    assert set(queues.values_list("display_name", flat=True)) == set(roles.ALL_QUEUES)
    assert not any(q.has_usable_password() for q in queues)


def test_ref_1_regions_and_country_mapping(refdata):
    assert {"AMER", "LATAM", "EMEA", "APAC", "PUBSEC"} <= set(
        Region.objects.filter(parent__isnull=True).values_list("code", flat=True)
    )
    assert set(Region.objects.get(code="AMER").subregions.values_list("code", flat=True)) == {
        "US East",
        "US West",
        "Canada",
    }
    assert Country.objects.get(iso2="DE").region.code == "EMEA"
    assert Country.objects.get(iso2="DE").is_eu_eea
    assert Country.objects.get(iso2="BR").region.code == "LATAM"
    assert Country.objects.get(iso2="CA").subregion.code == "Canada"


def test_ref_3_initial_sources_with_buckets_and_inactive_values(refdata):
    assert InitialSource.objects.get(name="CE Download").bucket == "core"
    assert InitialSource.objects.get(name="Trial - Enterprise").bucket == "trial"
    assert InitialSource.objects.get(name="Paid Social").active
    for name in ("Web Chat", "Startup Application", "Consultancy Request", "Promotion"):
        assert not InitialSource.objects.get(name=name).active, name


def test_ref_4_ref_5_ref_6_ref_7_defaults(refdata):
    assert ScoringRule.objects.get(code="trial-form").points == 100
    assert ScoringRule.objects.get(code="unsubscribe").points == -25
    persona = ScoringRule.objects.get(code="persona-title")
    assert persona.kind == "demographic" and persona.points == 50
    assert set(persona.words) == {"vp", "manager", "director", "senior", "head"}
    assert PortalSetting.objects.get(key="mql_threshold").value == 100
    assert PortalSetting.objects.get(key="fiscal_year_start_month").value == 2
    assert PortalSetting.objects.get(key="aw_limit_large").value == 100
    assert PortalSetting.objects.get(key="aw_limit_other").value == 150
    assert set(RoutingPool.objects.values_list("name", flat=True)) == {
        "US/APAC SDR",
        "EMEA SDR",
        "LATAM SDR",
        "US PubSec SDR",
        "SMB Advocates EMEA",
        "SMB Advocates NCSA",
        "SMB Advocates APAC",
        "Chat (Drift) Expert SDR",
    }
    assert WordListEntry.objects.filter(list="pubsec", value="Speed to Mission").exists()
    assert WordListEntry.objects.filter(list="free_domain", value="gmail.com").exists()
    assert Reason.objects.filter(
        kind="closed_lost", name="Merged into another opportunity"
    ).exists()
    assert Holiday.objects.filter(region__code="AMER").exists()


def test_running_twice_changes_nothing(refdata):
    before = counts()
    call_command("load_reference_data", stdout=open("/dev/null", "w"))
    assert counts() == before


def test_admin_edits_and_deletions_survive_a_rerun(refdata):
    rule = ScoringRule.objects.get(code="trial-form")
    rule.points = 120
    rule.save()
    PortalSetting.objects.filter(key="mql_threshold").update(value=90)
    InitialSource.objects.filter(name="Investor").update(active=False)
    WordListEntry.objects.filter(list="free_domain", value="aol.com").delete()
    call_command("load_reference_data", stdout=open("/dev/null", "w"))
    assert ScoringRule.objects.get(code="trial-form").points == 120
    assert PortalSetting.objects.get(key="mql_threshold").value == 90
    assert not InitialSource.objects.get(name="Investor").active
    assert not WordListEntry.objects.filter(list="free_domain", value="aol.com").exists()
