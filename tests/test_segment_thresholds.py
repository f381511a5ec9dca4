"""REF-2: the segment thresholds are reference data Marketing Ops edits (the page and the
admin); a change recomputes every account's segment (ACCT-SEG) in the task queue; refusals
write nothing."""

import pytest

from accounts import hierarchy
from accounts.models import Account
from accounts.segments import Thresholds, segment_for_employees
from accounts.tasks import recompute_segments
from gtm_portal.refdata.models import PortalSetting
from leads import routing
from leads.services.routing.context import RoutingContext

from .factories import AccountFactory, UserFactory


def _thresholds() -> dict:
    return dict(
        PortalSetting.objects.filter(key__startswith="segment_").values_list("key", "value")
    )


def recomputes(callbacks) -> int:
    """How many of the on-commit callbacks queue the segment recompute task."""
    name = recompute_segments.name
    return sum(getattr(getattr(c, "__self__", None), "name", "") == name for c in callbacks)


@pytest.fixture
def mops(refdata):
    return UserFactory(roles=["Marketing Ops"], is_staff=True)


@pytest.fixture
def accounts(refdata):
    return {
        n: AccountFactory(name=f"Co {n}", employees=n, segment=segment_for_employees(n))
        for n in (1500, 60, 5000)
    }


def test_ref_2_thresholds_decide_the_segment():
    custom = Thresholds(large=1000, mid_market=50, smb=10)
    assert [segment_for_employees(n, thresholds=custom) for n in (1000, 999, 50, 10, 9)] == [
        "Large",
        "Mid-Market",
        "Mid-Market",
        "SMB",
        "Unknown",
    ]
    assert segment_for_employees(1500) == "Mid-Market"  # SPEC's defaults
    assert Thresholds(large=100, mid_market=100, smb=1).problem()
    assert Thresholds(smb=0).problem()


@pytest.mark.django_db
def test_ref_2_seeded_as_reference_data(refdata):
    assert _thresholds() == {
        "segment_large_min": 2000,
        "segment_mid_market_min": 100,
        "segment_smb_min": 1,
    }


@pytest.mark.django_db
def test_ref_2_marketing_ops_change_recomputes_segments_in_the_task_queue(
    client, mops, accounts, django_capture_on_commit_callbacks
):
    client.force_login(mops)
    assert "Large ≥ 2000" in client.get("/accounts/segments/").content.decode()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        r = client.post("/accounts/segments/", {"large": 1000, "mid_market": 100, "smb": 1})
    assert r.status_code == 302
    assert recomputes(queued) == 1  # the recompute goes to the task queue after the commit
    assert _thresholds()["segment_large_min"] == 1000
    segments = dict(Account.objects.values_list("employees", "segment"))
    assert segments == {1500: "Large", 60: "SMB", 5000: "Large"}
    assert hierarchy.recompute_all() == 0  # a repeated run changes nothing


@pytest.mark.django_db
def test_ref_2_refused_for_others_and_for_thresholds_that_do_not_rise(
    client, mops, accounts, django_capture_on_commit_callbacks
):
    before = (_thresholds(), dict(Account.objects.values_list("pk", "segment")))
    client.force_login(UserFactory(roles=["BDR"]))
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert (
            client.post("/accounts/segments/", {"large": 10, "mid_market": 5, "smb": 1}).status_code
            == 403
        )
        client.force_login(mops)
        r = client.post("/accounts/segments/", {"large": 100, "mid_market": 200, "smb": 1})
        assert r.status_code == 400 and "must rise" in r.content.decode()
        r = client.post("/accounts/segments/", {"large": "lots", "mid_market": 200, "smb": 1})
        assert r.status_code == 400
    assert recomputes(queued) == 0
    assert (_thresholds(), dict(Account.objects.values_list("pk", "segment"))) == before


@pytest.mark.django_db
def test_ref_2_admin_edit_goes_through_the_same_rule(
    client, mops, accounts, django_capture_on_commit_callbacks
):
    client.force_login(mops)
    row = PortalSetting.objects.get(key="segment_large_min")
    url = f"/admin/refdata/portalsetting/{row.pk}/change/"
    with django_capture_on_commit_callbacks(execute=True) as queued:
        r = client.post(url, {"key": row.key, "value": 50})
    assert r.status_code == 200 and "must rise" in r.content.decode()
    assert recomputes(queued) == 0 and PortalSetting.objects.get(pk=row.pk).value == 2000
    with django_capture_on_commit_callbacks(execute=True) as queued:
        r = client.post(url, {"key": row.key, "value": 1200})
    assert r.status_code == 302 and recomputes(queued) == 1
    assert Account.objects.get(employees=1500).segment == "Large"


@pytest.mark.django_db
def test_ref_2_routing_reads_the_thresholds_for_a_person_without_account(refdata):
    person = routing.PersonFacts(employees=1500)
    assert routing.segment_of(person, None, RoutingContext().rules.segment_thresholds) == (
        "Mid-Market"
    )
    PortalSetting.objects.filter(key="segment_large_min").update(value=1000)
    assert routing.segment_of(person, None, RoutingContext().rules.segment_thresholds) == "Large"
