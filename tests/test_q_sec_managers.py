"""Q-SEC: "a manager above" is defined once (`core.access.managers_above`, every level) and
used by every list, panel and permission: a second-level manager both sees a transfer request
on the home page and may decide it; the SAO-WD approvals reach past four levels; claims,
transfers and the BDR Prospecting Status ask the one access helper."""

import datetime

import pytest
from django.utils import timezone

from accounts.claims import transfer_request
from accounts.models import TransferRequest
from accounts.selectors import transfers_to_decide
from gtm_portal.activity.models import Activity
from gtm_portal.core import access, labels
from opportunities.models import SAOCreditRequest
from opportunities.selectors import sao_pending_count, sao_requests_to_decide

from .factories import AccountFactory, LeadFactory, OpportunityFactory, UserFactory


@pytest.fixture
def chain(refdata):
    """top → middle → owner (SDRs under two SDR Managers), plus a requester and a stranger
    manager of another team."""
    top = UserFactory(username="top.mgr", roles=["SDR Manager"])
    middle = UserFactory(username="mid.mgr", roles=["SDR Manager"], manager=top)
    owner = UserFactory(username="owner.sdr", roles=["SDR"], manager=middle)
    requester = UserFactory(username="asker.sdr", roles=["SDR"])
    stranger = UserFactory(username="other.mgr", roles=["SDR Manager"])
    return {"top": top, "middle": middle, "owner": owner, "requester": requester, "other": stranger}


def test_q_sec_one_chain_every_level(chain):
    assert access.managers_above(chain["owner"]) == [chain["middle"].pk, chain["top"].pk]
    assert access.reports_of(chain["top"]) == {chain["middle"].pk, chain["owner"].pk}
    assert access.is_manager_above(chain["top"], chain["owner"])
    assert not access.is_manager_above(chain["other"], chain["owner"])
    assert not access.is_manager_above(chain["owner"], chain["owner"])


def test_q_sec_a_cycle_in_the_reporting_line_ends_the_chain(chain):
    """Q-SEC: bad data (top reports to owner) never loops; each person's managers are the
    chain up to the repeat."""
    top, middle, owner = chain["top"], chain["middle"], chain["owner"]
    type(top).objects.filter(pk=top.pk).update(manager=owner)
    top.refresh_from_db()
    labels.clear()
    assert access.managers_above(owner) == [middle.pk, top.pk, owner.pk]
    assert access.reports_of(top) == {middle.pk, owner.pk, top.pk}
    assert access.reports_of(chain["other"]) == set()


def test_q_sec_second_level_manager_sees_and_decides_a_transfer(client, chain):
    lead = LeadFactory(owner=chain["owner"], status="MQL")
    transfer_request(record=lead, by=chain["requester"], reason="I called them")
    request = TransferRequest.objects.get()
    # A stranger manager neither sees nor decides it; nothing changes.
    assert transfers_to_decide(chain["other"]) == []
    client.force_login(chain["other"])
    r = client.post(f"/transfers/{request.pk}/decide/", {"decision": "approve"})
    assert r.status_code == 403
    lead.refresh_from_db()
    request.refresh_from_db()
    assert lead.owner == chain["owner"] and lead.version == 1 and request.state == "pending"
    # The manager two levels above sees it on the home page and decides it.
    assert [t.pk for t in transfers_to_decide(chain["top"])] == [request.pk]
    client.force_login(chain["top"])
    assert "Transfer requests to decide" in client.get("/").content.decode()
    client.post(f"/transfers/{request.pk}/decide/", {"decision": "approve"})
    lead.refresh_from_db()
    request.refresh_from_db()
    assert request.state == "approved" and lead.owner == chain["requester"]


def test_q_sec_transfer_refused_for_the_requester_and_after_the_record_changed_hands(client, chain):
    lead = LeadFactory(owner=chain["owner"], status="MQL")
    transfer_request(record=lead, by=chain["requester"], reason="mine")
    request = TransferRequest.objects.get()
    client.force_login(chain["requester"])
    assert (
        client.post(f"/transfers/{request.pk}/decide/", {"decision": "approve"}).status_code == 403
    )
    type(lead).objects.filter(pk=lead.pk).update(owner=chain["middle"])
    client.force_login(chain["top"])
    r = client.post(f"/transfers/{request.pk}/decide/", {"decision": "approve"})
    assert r.status_code != 500
    request.refresh_from_db()
    assert request.state == "pending"
    assert type(lead).objects.get(pk=lead.pk).owner == chain["middle"]


@pytest.mark.django_db
def test_q_sec_sao_approvals_reach_every_manager_above(refdata):
    managers = [UserFactory(roles=["SDR Manager"])]
    for _ in range(4):
        managers.append(UserFactory(roles=["SDR Manager"], manager=managers[-1]))
    sdr = UserFactory(roles=["SDR"], manager=managers[-1])  # managers[0] is five levels up
    opportunity = OpportunityFactory(account=AccountFactory())
    evidence = Activity.objects.create(
        kind="call", is_sales=True, occurred_at=timezone.now() - datetime.timedelta(days=1)
    )
    SAOCreditRequest.objects.create(opportunity=opportunity, requester=sdr, evidence=evidence)
    assert [sao_pending_count(m) for m in managers] == [1] * 5
    assert len(sao_requests_to_decide(managers[0])) == 1
    assert sao_pending_count(UserFactory(roles=["SDR Manager"])) == 0


@pytest.mark.django_db
def test_q_sec_bps_and_transfer_permissions_are_access_actions(refdata):
    bdr = UserFactory(roles=["BDR"])
    support = UserFactory(roles=["Sales Support"])
    exec_bdr = UserFactory(roles=["BDR", "Executive"])
    assert access.can(bdr, "account.change_bps") and not access.can(bdr, "account.fix_bps")
    assert access.can(support, "account.fix_bps") and not access.can(support, "account.change_bps")
    assert not access.can(exec_bdr, "account.change_bps")
    assert access.ACTIONS.rule_exists("transfer.decide")
