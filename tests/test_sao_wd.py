"""SAO-WD web-direct SAO credit requests (and SAO-1 "never double credit"): the service, the
request form, the manager's approval queue and disputes. Every refusal names its rule and
leaves the database as it was."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections

from gtm_portal.activity.models import Activity, QualificationNote
from gtm_portal.chatter.models import Comment, Notification
from gtm_portal.core.models import FieldChange
from gtm_portal.users.models import User
from opportunities import sao
from opportunities.models import Opportunity, SAOCreditRequest

pytestmark = pytest.mark.django_db

CALL_SUBJECT = "Connected call with Umbrella's head of engineering"


@pytest.fixture
def umbrella(demo):
    return Opportunity.objects.get(name="Umbrella - Web Direct")


@pytest.fixture
def call(umbrella):
    return Activity.objects.get(subject=CALL_SUBJECT)


def buyer(opp):
    return opp.contact_roles.get(is_primary=True).contact


def activity(opp, by, *, days_before, kind="email", two_way=True, subject="Reply from buyer"):
    return Activity.objects.create(
        kind=kind,
        contact=buyer(opp),
        account=opp.account,
        logged_by=by,
        two_way=two_way,
        is_sales=True,
        occurred_at=opp.created_at - datetime.timedelta(days=days_before),
        subject=subject,
        direction="inbound",
    )


def snap(opp):
    """Everything an SAO-WD step may change."""
    o = Opportunity.objects.get(pk=opp.pk)
    return (
        o.sdr_bdr_id,
        o.sales_accepted_date,
        o.sales_qualification_source,
        o.version,
        sorted(
            SAOCreditRequest.objects.filter(opportunity=o).values_list(
                "requester__username", "state"
            )
        ),
        Comment.objects.filter(object_id=o.pk, topic="sao_credit").count(),
        Notification.objects.count(),
        FieldChange.objects.filter(object_id=o.pk).count(),
    )


def ask(opp, user, evidence, explanation="Walked them through Premium before they bought."):
    return sao.sao_credit_request(
        opportunity=opp, by=user, evidence=evidence, explanation=explanation
    )


def notified(user, reason=None):
    qs = Notification.objects.filter(recipient=user)
    return qs.filter(reason=reason) if reason else qs


# --- SAO-WD 1: who asks, with what ---------------------------------------------------------


def test_sao_wd_1_request_is_posted_on_the_opportunity_mentioning_the_manager(
    umbrella, call, users
):
    req = ask(umbrella, users["sdr.amer1"], call)
    assert req.state == "pending" and req.evidence == call
    comment = Comment.objects.get(object_id=umbrella.pk, topic="sao_credit")
    assert "@sdr.mgr" in comment.body and CALL_SUBJECT in comment.body
    assert notified(users["sdr.mgr"], Notification.Reason.DECIDE).count() == 1
    assert Opportunity.objects.get(pk=umbrella.pk).sdr_bdr is None  # nothing credited yet


def test_sao_wd_1_sales_assisted_opportunity_refused_and_nothing_changes(demo, users):
    globex = Opportunity.objects.get(name="Globex - Platform Expansion")
    evidence = Activity.objects.filter(opportunity=globex).first()
    before = snap(globex)
    with pytest.raises(ValidationError, match="SAO-WD 1: SAO credit requests are for web-direct"):
        ask(globex, users["sdr.amer1"], evidence)
    assert snap(globex) == before


def test_sao_wd_1_only_sdr_or_bdr_may_ask_the_server_refuses_others(client, umbrella, call, users):
    before = snap(umbrella)
    with pytest.raises(PermissionDenied, match="SAO-WD 1"):
        ask(umbrella, users["ae.emea1"], call)
    client.force_login(users["ae.emea1"])
    assert "Request SAO credit" not in client.get(f"/opportunities/{umbrella.pk}/").content.decode()
    assert client.get(f"/opportunities/{umbrella.pk}/sao-credit/").status_code == 403
    r = client.post(
        f"/opportunities/{umbrella.pk}/sao-credit/", {"evidence": call.pk, "explanation": "x"}
    )
    assert r.status_code == 403
    assert snap(umbrella) == before


def test_sao_wd_1_evidence_older_than_60_days_is_refused_and_nothing_changes(umbrella, users):
    old = activity(umbrella, users["sdr.amer1"], days_before=61)
    before = snap(umbrella)
    with pytest.raises(ValidationError, match="more than 60 days before"):
        ask(umbrella, users["sdr.amer1"], old)
    assert snap(umbrella) == before
    inside = activity(umbrella, users["sdr.amer1"], days_before=59)
    assert ask(umbrella, users["sdr.amer1"], inside).state == "pending"


def test_sao_wd_1_evidence_after_the_opportunity_was_created_is_refused(umbrella, users):
    later = activity(umbrella, users["sdr.amer1"], days_before=-1)
    before = snap(umbrella)
    with pytest.raises(ValidationError, match="after the opportunity was created"):
        ask(umbrella, users["sdr.amer1"], later)
    assert snap(umbrella) == before


def test_sao_wd_1_call_without_a_prior_qualification_note_is_refused(umbrella, users):
    me = users["sdr.amer1"]
    bare = activity(umbrella, me, days_before=5, kind="call", subject="Connected call, no note")
    before = snap(umbrella)
    with pytest.raises(ValidationError, match="qualification notes hold an entry"):
        ask(umbrella, me, bare)
    assert snap(umbrella) == before
    # A note written only after the opportunity existed does not count either.
    QualificationNote.objects.create(
        contact=buyer(umbrella),
        author=me,
        activity=bare,
        body="Late note",
        written_at=umbrella.created_at + datetime.timedelta(hours=1),
    )
    with pytest.raises(ValidationError, match="qualification notes hold an entry"):
        ask(umbrella, me, bare)
    assert snap(umbrella) == before
    # Written before the opportunity was created, it does.
    QualificationNote.objects.create(
        contact=buyer(umbrella),
        author=me,
        activity=bare,
        body="Timely note",
        written_at=umbrella.created_at - datetime.timedelta(days=4),
    )
    assert ask(umbrella, me, bare).state == "pending"


def test_sao_wd_1_evidence_must_be_my_own_two_way_activity_with_the_buyer(umbrella, users):
    me = users["sdr.amer1"]
    others = activity(umbrella, users["sdr.amer2"], days_before=3)
    one_way = activity(umbrella, me, days_before=3, two_way=False)
    stranger = Activity.objects.create(
        kind="email",
        account=umbrella.account,
        logged_by=me,
        two_way=True,
        is_sales=True,
        subject="Someone else",
        occurred_at=umbrella.created_at - datetime.timedelta(days=3),
    )
    before = snap(umbrella)
    for evidence, why in (
        (others, "logged yourself"),
        (one_way, "two-way"),
        (stranger, "with the buyer"),
    ):
        with pytest.raises(ValidationError, match=why):
            ask(umbrella, me, evidence)
    assert snap(umbrella) == before


def test_sao_wd_1_explanation_is_required(umbrella, call, users):
    before = snap(umbrella)
    with pytest.raises(ValidationError, match="explain how you influenced"):
        ask(umbrella, users["sdr.amer1"], call, explanation="   ")
    assert snap(umbrella) == before


def test_sao_wd_1_form_lists_eligible_evidence_and_names_the_refusal(client, umbrella, call, users):
    me = users["sdr.amer1"]
    old = activity(umbrella, me, days_before=70, subject="Old thread")
    client.force_login(me)
    page = client.get(f"/opportunities/{umbrella.pk}/sao-credit/").content.decode()
    assert f'value="{call.pk}"' in page and "Alice Abernathy" in page
    assert "Old thread" in page and f'value="{old.pk}"' not in page  # shown, not selectable
    before = snap(umbrella)
    r = client.post(
        f"/opportunities/{umbrella.pk}/sao-credit/", {"evidence": call.pk, "explanation": ""}
    )
    assert r.status_code == 200 and "SAO-WD 1: explain how you influenced" in r.content.decode()
    r = client.post(
        f"/opportunities/{umbrella.pk}/sao-credit/", {"evidence": old.pk, "explanation": "Yes"}
    )
    assert r.status_code == 200 and "SAO-WD 1" in r.content.decode()
    assert snap(umbrella) == before
    r = client.post(
        f"/opportunities/{umbrella.pk}/sao-credit/",
        {"evidence": call.pk, "explanation": "Talked them into Premium."},
    )
    assert r.status_code == 302
    assert SAOCreditRequest.objects.get().requester == me


def test_sao_1_an_opportunity_already_crediting_a_rep_refuses_requests(umbrella, call, users):
    Opportunity.objects.filter(pk=umbrella.pk).update(sdr_bdr=users["sdr.amer2"])
    before = snap(umbrella)
    with pytest.raises(ValidationError, match="SAO-1: .* already credited"):
        ask(umbrella, users["sdr.amer1"], call)
    assert snap(umbrella) == before


# --- SAO-WD 2: the manager decides ---------------------------------------------------------


def test_sao_wd_2_approval_credits_the_requester_stamps_the_sao_and_tells_sales_support(
    umbrella, call, users
):
    req = ask(umbrella, users["sdr.amer1"], call)
    sao.sao_credit_decide(credit_request=req, by=users["sdr.mgr"], approve=True)
    opp = Opportunity.objects.get(pk=umbrella.pk)
    assert opp.sdr_bdr == users["sdr.amer1"] and opp.sales_accepted_date is not None
    assert opp.sales_qualification_source == "SDR Generated"  # SAO-1: from the rep's role
    req.refresh_from_db()
    assert (req.state, req.decided_by) == ("approved", users["sdr.mgr"])
    assert notified(users["salessupport"]).exists()
    assert notified(users["sdr.amer1"], Notification.Reason.DECIDED).exists()
    assert FieldChange.objects.filter(
        object_id=opp.pk, field="sdr_bdr", new_value=str(users["sdr.amer1"])
    ).exists()


def test_sao_wd_2_requester_cannot_approve_their_own_request(umbrella, call, users):
    me = users["sdr.amer1"]
    req = ask(umbrella, me, call)
    me.groups.add(*users["sdr.mgr"].groups.all())  # even holding a manager role
    me = User.objects.get(pk=me.pk)
    before = snap(umbrella)
    with pytest.raises(PermissionDenied, match="SAO-WD 2: you cannot decide your own"):
        sao.sao_credit_decide(credit_request=req, by=me, approve=True)
    assert snap(umbrella) == before


def test_sao_wd_2_a_non_manager_cannot_decide_and_nothing_changes(client, umbrella, call, users):
    req = ask(umbrella, users["sdr.amer1"], call)
    before = snap(umbrella)
    for who in ("bdr.mgr", "ae.amer1", "salessupport", "sdr.amer2"):
        with pytest.raises(PermissionDenied, match="SAO-WD 2"):
            sao.sao_credit_decide(credit_request=req, by=users[who], approve=True)
    client.force_login(users["bdr.mgr"])
    assert (
        client.post(
            f"/opportunities/approvals/{req.pk}/decide/", {"decision": "approve"}
        ).status_code
        == 403
    )
    assert "Umbrella" not in client.get("/opportunities/approvals/").content.decode()
    assert snap(umbrella) == before


def test_sao_wd_2_a_manager_above_the_manager_may_decide(umbrella, call, users):
    from .factories import UserFactory

    vp = UserFactory(username="vp.sales", roles=["SDR Manager"])
    User.objects.filter(pk=users["sdr.mgr"].pk).update(manager=vp)
    req = ask(umbrella, users["sdr.amer1"], call)
    sao.sao_credit_decide(credit_request=req, by=User.objects.get(pk=vp.pk), approve=True)
    assert Opportunity.objects.get(pk=umbrella.pk).sdr_bdr == users["sdr.amer1"]


def test_sao_wd_2_decline_needs_a_reason_which_the_requester_reads(umbrella, call, users):
    req = ask(umbrella, users["sdr.amer1"], call)
    before = snap(umbrella)
    with pytest.raises(ValidationError, match="SAO-WD 2: give the reason"):
        sao.sao_credit_decide(credit_request=req, by=users["sdr.mgr"], approve=False)
    assert snap(umbrella) == before
    sao.sao_credit_decide(
        credit_request=req,
        by=users["sdr.mgr"],
        approve=False,
        reason="The buyer came from a partner.",
    )
    req.refresh_from_db()
    assert req.state == "declined"
    n = notified(users["sdr.amer1"], Notification.Reason.DECIDED).get()
    assert "The buyer came from a partner." in n.message
    assert Opportunity.objects.get(pk=umbrella.pk).sdr_bdr is None


def test_sao_wd_2_a_decided_request_is_not_decided_again(umbrella, call, users):
    req = ask(umbrella, users["sdr.amer1"], call)
    sao.sao_credit_decide(credit_request=req, by=users["sdr.mgr"], approve=True)
    before = snap(umbrella)
    with pytest.raises(ValidationError, match="already approved by"):
        sao.sao_credit_decide(credit_request=req, by=users["sdr.mgr"], approve=True)
    with pytest.raises(ValidationError, match="already approved by"):
        sao.sao_credit_decide(
            credit_request=req, by=users["sdr.mgr"], approve=False, reason="changed my mind"
        )
    assert snap(umbrella) == before


def test_sao_wd_2_queue_approves_with_htmx_row_swap_and_without_js(client, umbrella, call, users):
    req = ask(umbrella, users["sdr.amer1"], call)
    client.force_login(users["sdr.mgr"])
    queue = client.get("/opportunities/approvals/").content.decode()
    assert "Umbrella - Web Direct" in queue and CALL_SUBJECT.replace("'", "&#x27;") in queue
    assert "12 developers outgrowing" in queue  # evidence note inline
    assert client.get("/opportunities/approvals/count/").content.decode().count(">1<") == 1
    r = client.post(
        f"/opportunities/approvals/{req.pk}/decide/",
        {"decision": "decline"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and "SAO-WD 2: give the reason" in r.content.decode()
    assert SAOCreditRequest.objects.get().state == "pending"
    r = client.post(f"/opportunities/approvals/{req.pk}/decide/", {"decision": "approve"})
    assert r.status_code == 302 and r.url == "/opportunities/approvals/"
    assert Opportunity.objects.get(pk=umbrella.pk).sdr_bdr == users["sdr.amer1"]


# --- SAO-WD 3: disputes --------------------------------------------------------------------


@pytest.fixture
def bdr_evidence(umbrella, users):
    return activity(umbrella, users["bdr.amer1"], days_before=8, subject="BDR reply")


def test_sao_wd_3_a_second_requester_opens_a_dispute_both_managers_see(
    client, umbrella, call, bdr_evidence, users
):
    first = ask(umbrella, users["sdr.amer1"], call)
    second = ask(umbrella, users["bdr.amer1"], bdr_evidence)
    first.refresh_from_db()
    assert (first.state, second.state, second.disputes) == ("disputed", "disputed", first)
    for manager in ("sdr.mgr", "bdr.mgr"):
        assert notified(users[manager], Notification.Reason.DECIDE).exists()
        client.force_login(users[manager])
        assert "Resolve dispute" in client.get("/opportunities/approvals/").content.decode()
    assert notified(users["sdr.amer1"]).filter(message__contains="disputes").exists()
    before = snap(umbrella)
    with pytest.raises(ValidationError, match="SAO-WD 3: this request is part of a dispute"):
        sao.sao_credit_decide(credit_request=first, by=users["sdr.mgr"], approve=True)
    assert snap(umbrella) == before


def test_sao_wd_3_either_manager_credits_one_requester_and_everyone_is_told(
    umbrella, call, bdr_evidence, users
):
    ask(umbrella, users["sdr.amer1"], call)
    dispute = ask(umbrella, users["bdr.amer1"], bdr_evidence)
    sao.sao_credit_resolve(
        dispute=dispute,
        by=users["sdr.mgr"],
        winner=dispute,
        reason="The BDR booked the evaluation call.",
    )
    opp = Opportunity.objects.get(pk=umbrella.pk)
    assert opp.sdr_bdr == users["bdr.amer1"] and opp.sales_qualification_source == "BDR Generated"
    assert opp.sales_accepted_date is not None
    assert sorted(SAOCreditRequest.objects.values_list("requester__username", "state")) == [
        ("bdr.amer1", "approved"),
        ("sdr.amer1", "declined"),
    ]
    for who in ("sdr.amer1", "bdr.amer1", "bdr.mgr"):
        assert notified(users[who], Notification.Reason.DECIDED).exists(), who


def test_sao_wd_3_dispute_over_an_approved_credit_declined_both_withdraws_it(
    umbrella, call, bdr_evidence, users
):
    first = ask(umbrella, users["sdr.amer1"], call)
    sao.sao_credit_decide(credit_request=first, by=users["sdr.mgr"], approve=True)
    dispute = ask(umbrella, users["bdr.amer1"], bdr_evidence)
    first.refresh_from_db()
    assert first.state == "approved"  # the credit stands until the dispute is resolved
    before = snap(umbrella)
    with pytest.raises(ValidationError, match="SAO-WD 3: give the reason"):
        sao.sao_credit_resolve(dispute=dispute, by=users["bdr.mgr"], winner=None, reason="")
    assert snap(umbrella) == before
    sao.sao_credit_resolve(
        dispute=dispute, by=users["bdr.mgr"], winner=None, reason="Pure self-serve purchase."
    )
    opp = Opportunity.objects.get(pk=umbrella.pk)
    assert (opp.sdr_bdr, opp.sales_accepted_date, opp.sales_qualification_source) == (
        None,
        None,
        "",
    )
    assert set(SAOCreditRequest.objects.values_list("state", flat=True)) == {"declined"}


def test_sao_wd_3_crediting_the_holder_again_never_double_credits(
    umbrella, call, bdr_evidence, users
):
    first = ask(umbrella, users["sdr.amer1"], call)
    sao.sao_credit_decide(credit_request=first, by=users["sdr.mgr"], approve=True)
    accepted = Opportunity.objects.get(pk=umbrella.pk).sales_accepted_date
    dispute = ask(umbrella, users["bdr.amer1"], bdr_evidence)
    sao.sao_credit_resolve(
        dispute=dispute, by=users["bdr.mgr"], winner=first, reason="The SDR was first."
    )
    opp = Opportunity.objects.get(pk=umbrella.pk)
    assert (opp.sdr_bdr, opp.sales_accepted_date) == (users["sdr.amer1"], accepted)
    assert SAOCreditRequest.objects.filter(state="approved").count() == 1


def test_sao_wd_3_requesters_and_outsiders_cannot_resolve_and_a_third_rep_waits(
    umbrella, call, bdr_evidence, users
):
    ask(umbrella, users["sdr.amer1"], call)
    dispute = ask(umbrella, users["bdr.amer1"], bdr_evidence)
    before = snap(umbrella)
    for who in ("sdr.amer1", "bdr.amer1", "ae.amer1", "salessupport"):
        with pytest.raises(PermissionDenied, match="SAO-WD 3"):
            sao.sao_credit_resolve(dispute=dispute, by=users[who], winner=dispute, reason="x")
    third = activity(umbrella, users["sdr.amer2"], days_before=2)
    with pytest.raises(ValidationError, match="SAO-WD 3: a dispute over this credit"):
        ask(umbrella, users["sdr.amer2"], third)
    assert snap(umbrella) == before


def test_sao_wd_3_resolve_over_http_credits_and_refusals_show_in_the_row(
    client, umbrella, call, bdr_evidence, users
):
    first = ask(umbrella, users["sdr.amer1"], call)
    dispute = ask(umbrella, users["bdr.amer1"], bdr_evidence)
    client.force_login(users["bdr.mgr"])
    before = snap(umbrella)
    r = client.post(
        f"/opportunities/approvals/{dispute.pk}/resolve/",
        {"winner": first.pk, "reason": ""},
        HTTP_HX_REQUEST="true",
    )
    assert "SAO-WD 3: give the reason" in r.content.decode()
    assert snap(umbrella) == before
    r = client.post(
        f"/opportunities/approvals/{dispute.pk}/resolve/",
        {"winner": first.pk, "reason": "First to talk to them."},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and "Declined" in r.content.decode()
    assert Opportunity.objects.get(pk=umbrella.pk).sdr_bdr == users["sdr.amer1"]


# --- parallel approval (PostgreSQL row locks) ----------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sao_wd_2_parallel_approvals_decide_once(demo):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks; CI runs this file on PostgreSQL")
    from .factories import UserFactory

    users = {u.username: u for u in User.objects.people()}
    umbrella = Opportunity.objects.get(name="Umbrella - Web Direct")
    vp = UserFactory(username="vp.sales", roles=["SDR Manager"])
    User.objects.filter(pk=users["sdr.mgr"].pk).update(manager=vp)
    req = ask(umbrella, users["sdr.amer1"], Activity.objects.get(subject=CALL_SUBJECT))
    deciders = [users["sdr.mgr"].pk, vp.pk] * 4
    barrier = threading.Barrier(len(deciders))
    outcomes, errors = [], []

    def decide(i):
        try:
            by = User.objects.get(pk=deciders[i])
            barrier.wait()
            sao.sao_credit_decide(
                credit_request=SAOCreditRequest.objects.get(pk=req.pk), by=by, approve=True
            )
            outcomes.append("approved")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        except Exception as exc:  # anything else fails the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(len(deciders))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert outcomes.count("approved") == 1
    assert all("already approved" in o for o in outcomes if o != "approved")
    opp = Opportunity.objects.get(pk=umbrella.pk)
    assert opp.sdr_bdr == users["sdr.amer1"] and opp.version == umbrella.version + 1
    assert (
        Comment.objects.filter(
            object_id=opp.pk, topic="sao_credit", body__contains="approved"
        ).count()
        == 1
    )
    assert FieldChange.objects.filter(object_id=opp.pk, field="sdr_bdr").count() == 1
