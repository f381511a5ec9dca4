"""ROLE-4: each queue has a list of the records it owns for the people who work it; they claim
from the list; the side menu links to it with a count. Others are refused and nothing
changes."""

import pytest

from gtm_portal.users.models import User
from leads.models import Lead

from .factories import AccountFactory, LeadFactory, UserFactory


@pytest.fixture
def queue(refdata):
    queue = User.objects.queue("Mktgops Support")  # not adoptable by everyone (ACCT-CLAIM 1)
    member = UserFactory(username="q.member", roles=["Marketing Ops"])
    queue.queue_members.add(member)
    leads = [LeadFactory(owner=queue, first_name="Queued", last_name=f"L{i}") for i in range(2)]
    account = AccountFactory(name="Queue Account Co", owner=queue)
    return {"queue": queue, "member": member, "leads": leads, "account": account}


def test_role_4_members_see_the_queue_list_and_the_menu_count(client, queue):
    client.force_login(queue["member"])
    home = client.get("/").content.decode()
    assert f'href="/queues/{queue["queue"].pk}/"' in home
    assert f'hx-get="/queues/{queue["queue"].pk}/count/"' in home
    count = client.get(f"/queues/{queue['queue'].pk}/count/").content.decode()
    assert ">3<" in count  # two leads and an account
    page = client.get(f"/queues/{queue['queue'].pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and "Queued L0" in text and "Queued L1" in text
    assert text.count(">Claim</button>") == 2 and "Queue Account Co" not in text
    accounts = client.get(f"/queues/{queue['queue'].pk}/", {"kind": "accounts"}).content.decode()
    assert "Queue Account Co" in accounts and accounts.count(">Claim</button>") == 1


def test_role_4_the_list_is_keyset_paged_and_odd_parameters_are_no_error(client, queue):
    """Q-PERF: a queue may own thousands of records; the list pages by keyset, newest first."""
    more = [
        LeadFactory(owner=queue["queue"], first_name="Extra", last_name=f"E{i}") for i in range(9)
    ]
    client.force_login(queue["member"])
    url = f"/queues/{queue['queue'].pk}/"
    first = client.get(url, {"kind": "leads", "size": 10})
    assert len(first.context["page"].rows) == 10 and first.context["page"].count == 11
    assert first.context["page"].rows[0] == more[-1]  # newest first
    after = first.context["page"].next_after
    assert f"after={after}" in first.content.decode()
    second = client.get(url, {"kind": "leads", "size": 10, "after": after})
    assert [r.pk for r in second.context["page"].rows] == [queue["leads"][0].pk]
    for odd in ({"kind": "<script>"}, {"after": "abc"}, {"kind": "leads", "size": "x"}):
        r = client.get(url, odd)  # an unknown kind: the first kind with records (leads)
        assert r.status_code == 200 and r.context["current"].url_kind == "leads"


def test_role_4_a_member_claims_from_the_list(client, queue):
    lead = queue["leads"][0]
    client.force_login(queue["member"])
    url = f"/queues/{queue['queue'].pk}/"
    r = client.post(f"/leads/{lead.pk}/claim/", {"version": lead.version, "next": url})
    assert r.status_code == 302 and r["Location"] == url
    assert Lead.objects.get(pk=lead.pk).owner == queue["member"]
    assert "Queued L0" not in client.get(url).content.decode()


def test_role_4_others_are_refused_and_nothing_changes(client, queue):
    lead = queue["leads"][0]
    outsider = UserFactory(roles=["SDR"])
    client.force_login(outsider)
    assert client.get(f"/queues/{queue['queue'].pk}/").status_code == 403
    assert client.get(f"/queues/{queue['queue'].pk}/count/").status_code == 403
    r = client.post(f"/leads/{lead.pk}/claim/", {"version": lead.version})
    assert r.status_code == 409
    after = Lead.objects.get(pk=lead.pk)
    assert after.owner == queue["queue"] and after.version == lead.version
    assert client.get(f"/queues/{outsider.pk}/").status_code == 404  # not a queue
