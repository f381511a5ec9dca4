"""Working a lead: LEAD-DUP-1, LEAD-MERGE-1, LEAD-CONVERT-1/2 and CONTACT-CREATE. Every refusal
is checked to change nothing."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Account, Contact
from accounts.services import contact_create
from gtm_portal.activity.enums import EnrollmentState
from gtm_portal.activity.models import Activity, Enrollment, Sequence, Task
from gtm_portal.chatter.models import Comment, Notification
from gtm_portal.chatter.services import comment_post
from gtm_portal.core.enums import PersonStatus as S
from gtm_portal.core.models import FieldChange, Tombstone
from gtm_portal.refdata.models import InitialSource
from leads.duplicates import find_duplicates
from leads.models import Campaign, CampaignMember, CampaignMemberStatus, Lead, ScoreEvent
from leads.services.convert import ConvertPlan, OppMode, convert_lead
from leads.services.merge import load_records, merge_people
from opportunities.enums import Stage
from opportunities.models import Opportunity, OpportunityContactRole

from .factories import AccountFactory, ContactFactory, LeadFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def counts():
    return (
        Lead.objects.count(),
        Contact.objects.count(),
        Account.objects.count(),
        Opportunity.objects.count(),
        Activity.objects.count(),
        Comment.objects.count(),
        FieldChange.objects.count(),
        Tombstone.objects.count(),
    )


# LEAD-DUP-1 ---------------------------------------------------------------------------------


def test_lead_dup_1_matches_email_any_case_and_name_at_the_same_company(users):
    me = LeadFactory(
        first_name="Ada",
        last_name="Lovelace",
        email="ada@engines.example",
        company="Analytical Engines Inc.",
    )
    same_email = LeadFactory(first_name="A.", last_name="L", email="ADA@Engines.example")
    same_name = LeadFactory(
        first_name="ada", last_name="LOVELACE", email="", company="Analytical Engines"
    )
    LeadFactory(first_name="Ada", last_name="Lovelace", email="", company="Other Co")
    LeadFactory(first_name="Augusta", last_name="Lovelace", company="Analytical Engines")
    contact = ContactFactory(email="Ada@engines.example")
    ContactFactory(email="someone@engines.example")
    found = find_duplicates(me)
    assert {lead.pk for lead in found.leads} == {same_email.pk, same_name.pk}
    assert [c.pk for c in found.contacts] == [contact.pk]


def test_lead_dup_1_accounts_by_domain_or_company_with_their_open_opportunities(users):
    by_domain = AccountFactory(
        name="Engines Holding", domain="engines.example", bdr_prospecting_status="Actively Working"
    )
    by_name = AccountFactory(name="Analytical Engines, Ltd.", domain="ae-ltd.example")
    AccountFactory(name="Unrelated", domain="unrelated.example")
    open_opp = OpportunityFactory(
        account=by_domain, owner=users["ae.amer1"], stage=Stage.DISCOVERY, resale_partner=by_name
    )
    OpportunityFactory(account=by_domain, owner=users["ae.amer1"], stage=Stage.CLOSED_LOST)
    lead = LeadFactory(email="ada@engines.example", company="Analytical Engines")
    found = find_duplicates(lead)
    assert [a.pk for a in found.accounts] == [by_domain.pk, by_name.pk]
    assert [o.pk for o in found.opportunities] == [open_opp.pk]


def test_lead_dup_1_page_shows_the_bdr_prospecting_status_first(client, users):
    AccountFactory(
        name="Engines Holding",
        domain="engines.example",
        bdr_prospecting_status="Actively Working",
        owner=users["ae.amer1"],
    )
    lead = LeadFactory(email="ada@engines.example", owner=users["sdr.amer1"])
    client.force_login(users["sdr.amer1"])
    html = client.get(f"/leads/{lead.pk}/duplicates/").content.decode()
    table = html[html.index('id="dup-accounts"') :]
    assert table.index("BDR Prospecting Status") < table.index('<th scope="col">Account')
    assert "Actively Working" in table and "Engines Holding" in table


def test_lead_dup_1_free_mail_domains_do_not_match_accounts(users):
    AccountFactory(name="Gmail", domain="gmail.com")
    lead = LeadFactory(email="someone@gmail.com", company="")
    assert find_duplicates(lead).accounts == []


# LEAD-MERGE-1 -------------------------------------------------------------------------------


def _campaign(name):
    campaign = Campaign.objects.create(name=f"20260101_{name}", type="webcast")
    status = CampaignMemberStatus.objects.create(campaign=campaign, name="Attended", responded=True)
    return campaign, status


def _load_up(lead, user, n, sequence=None):
    """Give a lead n of everything that hangs off a person."""
    for i in range(n):
        Activity.objects.create(
            lead=lead, kind="call", occurred_at=timezone.now(), logged_by=user, subject=f"call {i}"
        )
        Task.objects.create(
            lead=lead, owner=user, subject=f"task {i}", due_date=timezone.localdate()
        )
        comment_post(record=lead, author=user, body=f"comment {i} on {lead.pk}")
        ScoreEvent.objects.create(
            lead=lead, kind="behaviour", points=5, rule_name="Webcast", created_at=timezone.now()
        )
        campaign, status = _campaign(f"{lead.pk}_{i}")
        CampaignMember.objects.create(campaign=campaign, lead=lead, status=status)
    if sequence:
        Enrollment.objects.create(lead=lead, sequence=sequence, started_at=timezone.now())


def _ids(qs):
    return set(qs.values_list("pk", flat=True))


RELATED = {
    "activities": lambda p: _ids(Activity.objects.filter(lead=p)),
    "tasks": lambda p: _ids(Task.objects.filter(lead=p)),
    "comments": lambda p: _ids(
        Comment.objects.filter(content_type=ContentType.objects.get_for_model(Lead), object_id=p.pk)
    ),
    "score events": lambda p: _ids(ScoreEvent.objects.filter(lead=p)),
    "campaign memberships": lambda p: _ids(CampaignMember.objects.filter(lead=p)),
    "enrollments": lambda p: _ids(Enrollment.objects.filter(lead=p)),
}


def test_lead_merge_1_three_leads_lose_nothing(users):
    sdr = users["sdr.amer1"]
    seq_a = Sequence.objects.create(name="A")
    seq_b = Sequence.objects.create(name="B")
    old = LeadFactory(
        owner=sdr,
        email="ada@x.example",
        behaviour_score=10,
        person_score=10,
        initial_source=InitialSource.objects.get(name="Web Direct"),
    )
    Lead.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=400))
    mid = LeadFactory(
        owner=sdr, email="ada@x.example", phone="+1 555 0100", behaviour_score=15, person_score=15
    )
    new = LeadFactory(
        owner=sdr,
        email="ada@x.example",
        title="CTO",
        behaviour_score=5,
        person_score=5,
        email_opt_out=True,
    )
    _load_up(old, sdr, 1, seq_a)
    _load_up(mid, sdr, 2, seq_b)
    _load_up(new, sdr, 3)
    before = {name: f(old) | f(mid) | f(new) for name, f in RELATED.items()}
    records = load_records([new.pk, old.pk, mid.pk])
    survivor = merge_people(
        records=records, survivor_pk=new.pk, by=sdr, picks={"phone": f"lead-{mid.pk}"}
    ).survivor
    after = {name: f(survivor) for name, f in RELATED.items()}
    # Every row of every record is now on the survivor (score events may gain a demographic
    # correction: a rule earned on two records counts once).
    for name, rows in before.items():
        assert rows <= after[name], name
        if name != "score events":
            assert after[name] == rows, name
    # One active enrollment at most (SEQ-3): the second one finished, not lost.
    assert Enrollment.objects.filter(lead=survivor, state=EnrollmentState.ACTIVE).count() == 1
    assert survivor.phone == "+1 555 0100" and survivor.title == "CTO"
    # Initial source and created date from the oldest record.
    old.refresh_from_db()
    assert survivor.initial_source.name == "Web Direct"
    assert survivor.created_at == old.created_at
    # An opt-out on any record survives; scores add up.
    assert survivor.email_opt_out is True
    assert survivor.behaviour_score == 30
    # The others redirect to the survivor, with tombstones, and the survivor's history says
    # what came from where.
    for other in (old, mid):
        other.refresh_from_db()
        assert other.merged_into_id == survivor.pk
        assert Tombstone.objects.filter(
            object_id=other.pk, reason="merged", redirect_object_id=survivor.pk
        ).exists()
    reasons = set(
        FieldChange.objects.filter(object_id=survivor.pk).values_list("reason", flat=True)
    )
    note = next(r for r in reasons if r.startswith("LEAD-MERGE-1"))
    assert f"lead #{old.pk}" in note and f"Phone from lead #{mid.pk}" in note


def test_lead_merge_1_merged_lead_page_redirects_to_the_survivor(client, users):
    sdr = users["sdr.amer1"]
    a, b = LeadFactory(owner=sdr), LeadFactory(owner=sdr)
    client.force_login(sdr)
    resp = client.post(
        "/leads/merge/", {"ids": [a.pk, b.pk], "survivor": a.pk, "pick_first_name": f"lead-{b.pk}"}
    )
    assert resp.status_code == 302 and resp["Location"] == f"/leads/{a.pk}/"
    assert client.get(f"/leads/{b.pk}/")["Location"] == f"/leads/{a.pk}/"
    a.refresh_from_db()
    assert a.first_name == b.first_name


def test_lead_merge_1_chooser_page_and_htmx_survivor_switch(client, users):
    sdr = users["sdr.amer1"]
    a = LeadFactory(owner=sdr, title="")
    b = LeadFactory(owner=sdr, title="VP Engineering")
    client.force_login(sdr)
    html = client.get("/leads/merge/", {"ids": [a.pk, b.pk]}).content.decode()
    # The survivor's empty title gives way to the other record's value.
    assert f'name="pick_title" value="lead-{b.pk}" checked' in html
    part = client.get(
        "/leads/merge/", {"ids": [a.pk, b.pk], "survivor": b.pk}, HTTP_HX_REQUEST="true"
    )
    assert "<html" not in part.content.decode()
    assert f'name="survivor" value="{b.pk}" checked' in part.content.decode()
    # UX: the merge asks first, with its numbers (portal.js reads data-confirm)
    c = LeadFactory(owner=sdr)
    three = client.get("/leads/merge/", {"ids": [a.pk, b.pk, c.pk]}).content.decode()
    assert 'data-confirm="Merge 3 records into the one you keep? The other 2 become' in three


def test_lead_merge_1_refused_without_rights_on_every_record_changes_nothing(users):
    mine = LeadFactory(owner=users["sdr.amer1"])
    theirs = LeadFactory(owner=users["sdr.emea1"], title="CEO")
    before = counts()
    with pytest.raises(ValidationError) as err:
        merge_people(
            records=load_records([mine.pk, theirs.pk]),
            survivor_pk=mine.pk,
            picks={"title": f"lead-{theirs.pk}"},
            by=users["sdr.amer1"],
        )
    assert "LEAD-MERGE-1" in str(err.value)
    assert counts() == before
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.merged_into_id is None and mine.title != "CEO"


def test_lead_merge_1_http_refusal_for_someone_elses_lead(client, users):
    mine = LeadFactory(owner=users["sdr.amer1"])
    theirs = LeadFactory(owner=users["sdr.emea1"])
    client.force_login(users["sdr.amer1"])
    page = client.get("/leads/merge/", {"ids": [mine.pk, theirs.pk]}).content.decode()
    assert "You may not edit" in page
    client.post("/leads/merge/", {"ids": [mine.pk, theirs.pk], "survivor": mine.pk})
    theirs.refresh_from_db()
    assert theirs.merged_into_id is None


@pytest.mark.parametrize("ids", [[1], [1, 2, 3, 4], [1, 1]])
def test_lead_merge_1_two_or_three_distinct_leads(users, ids):
    leads = [LeadFactory(owner=users["sdr.amer1"]) for _ in range(4)]
    with pytest.raises(ValidationError):
        load_records([leads[i - 1].pk for i in ids])


def test_lead_merge_1_a_lead_into_a_contact(client, users):
    sdr = users["sdr.amer1"]
    account = AccountFactory(owner=users["ae.amer1"])
    contact = ContactFactory(account=account, owner=sdr, email="c@x.example", phone="")
    lead = LeadFactory(owner=sdr, email="c@x.example", phone="+44 20 0000")
    _load_up(lead, sdr, 2)
    comments_before = len(RELATED["comments"](lead))
    client.force_login(sdr)
    resp = client.post("/leads/merge/", {"ids": [lead.pk], "contact": contact.pk})
    assert resp["Location"] == f"/contacts/{contact.pk}/"
    contact.refresh_from_db()
    assert contact.phone == "+44 20 0000"
    assert Activity.objects.filter(contact=contact).count() == 2
    assert (
        Comment.objects.filter(
            content_type=ContentType.objects.get_for_model(Contact), object_id=contact.pk
        ).count()
        == comments_before
    )
    assert client.get(f"/leads/{lead.pk}/")["Location"] == f"/contacts/{contact.pk}/"


def test_lead_merge_1_converted_leads_are_refused(users):
    a, b = LeadFactory(owner=users["sdr.amer1"]), LeadFactory(owner=users["sdr.amer1"])
    Lead.objects.filter(pk=b.pk).update(converted_at=timezone.now())
    with pytest.raises(ValidationError, match="converted"):
        load_records([a.pk, b.pk])


def test_lead_merge_1_demographic_points_count_once(refdata, users):
    from leads.rule_context import Context
    from leads.services.scoring import person_rescore_demographics

    sdr = users["sdr.amer1"]
    a = LeadFactory(owner=sdr, title="VP Engineering", email="vp@acme-corp.example")
    b = LeadFactory(owner=sdr, title="VP Engineering", email="vp@acme-corp.example")
    a = person_rescore_demographics(person=a).person
    b = person_rescore_demographics(person=b).person
    single = a.demographic_score
    assert single > 0 and b.demographic_score == single
    survivor = merge_people(
        records=load_records([a.pk, b.pk]), survivor_pk=a.pk, picks={}, by=sdr, ctx=Context()
    ).survivor
    assert survivor.demographic_score == single
    assert survivor.person_score == survivor.behaviour_score + single


# LEAD-CONVERT-1/2 ---------------------------------------------------------------------------


@pytest.fixture
def acme(users):
    return AccountFactory(
        name="Acme Rockets",
        domain="acme.example",
        owner=users["ae.amer1"],
        bdr_assigned=users["bdr.amer1"],
    )


def _qualified_lead(owner, **kw):
    lead = LeadFactory(
        owner=owner, email="wile@acme.example", company="Acme Rockets", status=S.QUALIFYING, **kw
    )
    Activity.objects.create(
        lead=lead,
        kind="call",
        two_way=True,
        logged_by=owner,
        occurred_at=timezone.now(),
        subject="Discovery call",
    )
    comment_post(record=lead, author=owner, body="Great call, wants a demo.")
    return lead


def _plan(**kw):
    base = {
        "mode": OppMode.SALES,
        "close_date": timezone.localdate() + datetime.timedelta(30),
        "right_person_confirmed": True,
        "business_problem": "Slow releases",
    }
    base.update(kw)
    return ConvertPlan(**base)


def test_lead_convert_1_into_the_matched_account_with_an_opportunity(users, acme):
    sdr = users["sdr.amer1"]
    lead = _qualified_lead(sdr)
    result = convert_lead(lead=lead, by=sdr, plan=_plan(account=acme))
    lead.refresh_from_db()
    contact, opp = result.contact, result.opportunity
    assert lead.status == S.QUALIFIED and lead.converted_contact_id == contact.pk
    assert lead.converted_opportunity_id == opp.pk and lead.converted_account_id == acme.pk
    # CONTACT-OWNER: the account's BDR Assigned.
    assert contact.account_id == acme.pk and contact.owner == users["bdr.amer1"]
    assert opp.stage == Stage.PENDING and opp.owner == users["ae.amer1"] and opp.sdr_bdr == sdr
    assert OpportunityContactRole.objects.filter(
        opportunity=opp, contact=contact, is_primary=True
    ).exists()
    # Activities and comments carry over; OPP-TASK gave the AE a next action.
    assert Activity.objects.filter(contact=contact).count() == 1
    assert (
        Comment.objects.filter(
            content_type=ContentType.objects.get_for_model(Contact), object_id=contact.pk
        ).count()
        == 1
    )
    assert Task.objects.filter(opportunity=opp, owner=users["ae.amer1"]).exists()


def test_lead_convert_1_new_account_when_one_matches_needs_confirmation(users, acme):
    sdr = users["sdr.amer1"]
    lead = _qualified_lead(sdr)
    before = counts()
    with pytest.raises(ValidationError) as err:
        convert_lead(
            lead=lead, by=sdr, plan=_plan(new_account_name="Acme Rockets 2", mode=OppMode.WARM)
        )
    assert "LEAD-CONVERT-1" in str(err.value) and "Acme Rockets" in str(err.value)
    assert counts() == before
    lead.refresh_from_db()
    assert lead.status == S.QUALIFYING and lead.converted_at is None
    result = convert_lead(
        lead=lead,
        by=sdr,
        plan=_plan(new_account_name="Acme Rockets 2", mode=OppMode.WARM, confirm_new_account=True),
    )
    assert result.created_account and result.account.pk != acme.pk
    assert result.account.ultimate_parent_id == result.account.pk
    assert result.account.normalized_name == "acme rockets 2"


def test_lead_convert_1_only_sales_support_or_admin_pick_another_account_owner(users, acme):
    """ROLE-3: a rep does not make an AE the owner of a new account; Sales Support may."""
    from gtm_portal.users import roles
    from gtm_portal.users.models import User

    lead = _qualified_lead(users["sdr.amer1"])
    before = counts()
    plan = _plan(
        new_account_name="Roadrunner Labs",
        new_account_owner=users["ae.amer1"],
        mode=OppMode.NONE,
        confirm_new_account=True,
    )
    with pytest.raises(ValidationError, match="ROLE-3"):
        convert_lead(lead=lead, by=users["sdr.amer1"], plan=plan)
    assert counts() == before
    result = convert_lead(lead=lead, by=users["salessupport"], plan=plan)
    assert result.account.owner == users["ae.amer1"]
    other = _qualified_lead(users["sdr.amer1"], first_name="Road")
    Lead.objects.filter(pk=other.pk).update(email="road@runner.example", company="Runner Co")
    made = convert_lead(
        lead=Lead.objects.get(pk=other.pk),
        by=users["sdr.amer1"],
        plan=_plan(new_account_name="Runner Co", mode=OppMode.NONE),
    )
    assert made.account.owner == User.objects.queue(roles.Q_SALES_ADMIN)


def test_lead_convert_1_warm_conversation_is_owned_by_the_rep_without_sdr_bdr(users, acme):
    sdr = users["sdr.amer1"]
    result = convert_lead(
        lead=_qualified_lead(sdr), by=sdr, plan=_plan(account=acme, mode=OppMode.WARM)
    )
    opp = result.opportunity
    assert opp.owner == sdr and opp.sdr_bdr is None and opp.stage == Stage.PRE


def test_lead_convert_1_joining_an_open_opportunity_notifies_its_owner(users, acme):
    sdr = users["sdr.amer1"]
    opp = OpportunityFactory(account=acme, owner=users["ae.amer1"], stage=Stage.DISCOVERY)
    opps_before = Opportunity.objects.count()
    result = convert_lead(
        lead=_qualified_lead(sdr),
        by=sdr,
        plan=_plan(account=acme, mode=OppMode.JOIN, join_opportunity=opp),
    )
    assert result.joined and Opportunity.objects.count() == opps_before
    assert OpportunityContactRole.objects.filter(opportunity=opp, contact=result.contact).exists()
    assert Notification.objects.filter(
        recipient=users["ae.amer1"], message__contains=result.contact.name
    ).exists()
    assert Lead.objects.get(converted_contact=result.contact).status == S.QUALIFIED


def test_lead_convert_1_without_opportunity_keeps_the_status(users, acme):
    sdr = users["sdr.amer1"]
    result = convert_lead(
        lead=_qualified_lead(sdr), by=sdr, plan=_plan(account=acme, mode=OppMode.NONE)
    )
    assert result.opportunity is None
    assert Lead.objects.get(converted_contact=result.contact).status == S.QUALIFYING


def test_lead_convert_1_pending_acceptance_needs_the_qualification_fields(users, acme):
    sdr = users["sdr.amer1"]
    lead = _qualified_lead(sdr)
    before = counts()
    with pytest.raises(ValidationError) as err:
        convert_lead(lead=lead, by=sdr, plan=_plan(account=acme, business_problem=""))
    assert "OPP-V10" in str(err.value)
    assert counts() == before
    lead.refresh_from_db()
    assert lead.converted_at is None and lead.status == S.QUALIFYING


def test_lead_convert_1_refused_for_someone_who_may_not_edit_the_lead(users, acme):
    lead = _qualified_lead(users["sdr.amer1"])
    before = counts()
    with pytest.raises(PermissionDenied):
        convert_lead(lead=lead, by=users["sdr.emea1"], plan=_plan(account=acme))
    assert counts() == before


def test_lead_convert_1_account_owned_by_sales_admin_cannot_own_an_opportunity(users):
    from gtm_portal.users import roles
    from gtm_portal.users.models import User

    queue = User.objects.queue(roles.Q_SALES_ADMIN)
    account = AccountFactory(name="Acme Rockets", domain="acme.example", owner=queue)
    lead = _qualified_lead(users["sdr.amer1"])
    with pytest.raises(ValidationError, match="no AE owner"):
        convert_lead(lead=lead, by=users["sdr.amer1"], plan=_plan(account=account))


def test_lead_convert_2_reseller_quote_is_one_opportunity_via_the_reseller(users, acme):
    bdr = users["bdr.amer1"]
    reseller = AccountFactory(
        name="Channel Partners", domain="channel.example", owner=users["ae.emea1"]
    )
    first = LeadFactory(
        owner=bdr, email="rep@channel.example", company="Channel Partners", status=S.ACCEPTED
    )
    Activity.objects.create(
        lead=first, kind="call", two_way=True, logged_by=bdr, occurred_at=timezone.now()
    )
    plan = _plan(account=reseller, end_user_account=acme, stage=Stage.PRE)
    result = convert_lead(lead=first, by=bdr, plan=plan)
    opp = result.opportunity
    assert opp.name == "Acme Rockets via Channel Partners"
    assert opp.account_id == acme.pk and opp.resale_partner_id == reseller.pk
    assert opp.owner == users["ae.amer1"]
    assert result.contact.account_id == reseller.pk
    assert OpportunityContactRole.objects.get(opportunity=opp, contact=result.contact).is_partner
    # A second person from the same reseller asking for the same end user: no second opportunity.
    second = LeadFactory(
        owner=bdr, email="rep2@channel.example", company="Channel Partners", status=S.ACCEPTED
    )
    again = convert_lead(lead=second, by=bdr, plan=plan)
    assert again.joined and again.opportunity.pk == opp.pk
    assert Opportunity.objects.filter(account=acme, resale_partner=reseller).count() == 1


def test_lead_convert_1_wizard_lands_on_the_opportunity(client, users, acme):
    sdr = users["sdr.amer1"]
    lead = _qualified_lead(sdr)
    client.force_login(sdr)
    page = client.get(f"/leads/{lead.pk}/convert/").content.decode()
    assert "Acme Rockets" in page and "matches" in page
    resp = client.post(
        f"/leads/{lead.pk}/convert/",
        {
            "account_choice": str(acme.pk),
            "mode": "sales",
            "stage": Stage.PENDING,
            "close_date": (timezone.localdate() + datetime.timedelta(30)).isoformat(),
            "right_person_confirmed": "on",
            "business_problem": "Slow releases",
        },
    )
    opp = Opportunity.objects.get(account=acme)
    assert resp.status_code == 302 and resp["Location"] == f"/opportunities/{opp.pk}/"


def test_lead_convert_1_wizard_shows_the_refusal_and_changes_nothing(client, users, acme):
    sdr = users["sdr.amer1"]
    lead = _qualified_lead(sdr)
    client.force_login(sdr)
    before = counts()
    resp = client.post(
        f"/leads/{lead.pk}/convert/",
        {"account_choice": "new", "new_account_name": "Acme Rockets", "mode": "none"},
    )
    assert resp.status_code == 200
    assert "already matches this person" in resp.content.decode()
    assert counts() == before


def test_lead_convert_1_other_users_get_403_on_the_wizard(client, users, acme):
    lead = _qualified_lead(users["sdr.amer1"])
    client.force_login(users["sdr.emea1"])
    assert client.get(f"/leads/{lead.pk}/convert/").status_code == 403


# CONTACT-CREATE -----------------------------------------------------------------------------


def test_contact_create_searches_first_and_refuses_unknown_source(client, users, acme):
    client.force_login(users["bdr.amer1"])
    page = client.get(
        "/contacts/new/",
        {"email": "road@acme.example", "last_name": "Runner", "company": "Acme Rockets"},
    ).content.decode()
    assert "Acme Rockets" in page and "Create contact" in page
    unknown = InitialSource.objects.get_or_create(name="Unknown", defaults={"bucket": "other"})[0]
    before = Contact.objects.count()
    resp = client.post(
        "/contacts/new/",
        {
            "email": "road@acme.example",
            "last_name": "Runner",
            "account": acme.pk,
            "initial_source": unknown.pk,
        },
    )
    assert "Unknown is not accepted" in resp.content.decode()
    assert Contact.objects.count() == before
    web = InitialSource.objects.get(name="Web Direct")
    resp = client.post(
        "/contacts/new/",
        {
            "email": "road@acme.example",
            "last_name": "Runner",
            "account": acme.pk,
            "initial_source": web.pk,
        },
    )
    contact = Contact.objects.get(email="road@acme.example")
    assert resp["Location"] == f"/contacts/{contact.pk}/"
    assert contact.owner == users["bdr.amer1"]  # CONTACT-OWNER: BDR Assigned of Acme


def test_contact_create_duplicate_email_needs_confirmation(client, users, acme):
    ContactFactory(account=acme, email="road@acme.example")
    client.force_login(users["bdr.amer1"])
    web = InitialSource.objects.get(name="Web Direct")
    data = {
        "email": "road@acme.example",
        "last_name": "Runner",
        "account": acme.pk,
        "initial_source": web.pk,
    }
    resp = client.post("/contacts/new/", data)
    assert "already matches" in resp.content.decode()
    assert Contact.objects.filter(email="road@acme.example").count() == 1
    client.post("/contacts/new/", {**data, "confirm_duplicate": "on"})
    assert Contact.objects.filter(email="road@acme.example").count() == 2


def test_contact_create_names_a_matching_lead_through_the_leads_hook(users, acme):
    """CONTACT-CREATE lives in accounts, which never imports leads: the lead a new contact
    would duplicate (LEAD-DUP-1, same e-mail) comes from the finder leads registers."""
    LeadFactory(first_name="Wile", last_name="Coyote", email="wile@acme.example")
    web = InitialSource.objects.get(name="Web Direct")
    data = {
        "email": "WILE@acme.example",
        "last_name": "Coyote",
        "account": acme,
        "initial_source": web,
    }
    with pytest.raises(ValidationError) as refused:
        contact_create(by=users["bdr.amer1"], data=data)
    assert "lead Wile Coyote" in str(refused.value)
    assert not Contact.objects.filter(email__iexact="wile@acme.example").exists()
    assert contact_create(by=users["bdr.amer1"], data=data, confirmed=True).pk


def test_contact_create_is_refused_to_read_only_users(client, users):
    client.force_login(users["exec"])
    assert client.get("/contacts/new/").status_code == 403


# Actions appear only for those allowed (the server refuses the others: see above) ------------


def test_lead_page_offers_convert_compliance_and_spam_only_to_those_allowed(client, users):
    lead = LeadFactory(owner=users["sdr.amer1"])
    client.force_login(users["sdr.amer1"])
    mine = client.get(f"/leads/{lead.pk}/").content.decode()
    assert f"/leads/{lead.pk}/convert/" in mine and "Check Do Not Call" in mine
    assert "Add to SPAM DELETION" in mine and "Find duplicates" in mine
    client.force_login(users["sdr.emea1"])
    theirs = client.get(f"/leads/{lead.pk}/").content.decode()
    assert f"/leads/{lead.pk}/convert/" not in theirs and "Check Do Not Call" not in theirs
    assert "Add to SPAM DELETION" in theirs  # LEAD-SPAM-1: anyone may flag spam
    client.force_login(users["exec"])
    read_only = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "Add to SPAM DELETION" not in read_only and "/convert/" not in read_only
    assert client.post(f"/leads/{lead.pk}/spam/", {"confirm": "on"}).status_code == 403
    assert not CampaignMember.objects.filter(lead=lead).exists()


def test_lead_merge_1_pending_transfer_requests_follow_the_survivor(users):
    """ACCT-CLAIM 2 through LEAD-MERGE-1: a request waiting on a merged lead can still be
    decided on the survivor; a requester already waiting there keeps that one request."""
    from accounts.claims import transfer_decide, transfer_request
    from accounts.models import TransferRequest

    owner = users["sdr.amer1"]
    keep, gone = LeadFactory(owner=owner), LeadFactory(owner=owner)
    on_gone = transfer_request(record=gone, by=users["sdr.amer2"], reason="my territory")
    twice_kept = transfer_request(record=keep, by=users["sdr.emea1"], reason="first ask")
    twice_gone = transfer_request(record=gone, by=users["sdr.emea1"], reason="second ask")
    merge_people(records=load_records([keep.pk, gone.pk]), survivor_pk=keep.pk, picks={}, by=owner)
    on_gone.refresh_from_db()
    twice_gone.refresh_from_db()
    twice_kept.refresh_from_db()
    assert on_gone.object_id == keep.pk and on_gone.state == "pending"
    assert twice_kept.state == "pending" and twice_kept.object_id == keep.pk
    assert twice_gone.state == "cancelled" and f"#{keep.pk}" in twice_gone.decision_reason
    assert (
        TransferRequest.objects.filter(object_id=gone.pk, content_type=on_gone.content_type).count()
        == 0
    )
    transfer_decide(request=on_gone, by=owner, approve=True)
    keep.refresh_from_db()
    assert keep.owner == users["sdr.amer2"]


def _defaults_as_posted(page) -> dict:
    """What the convert form posts when the rep changes nothing (its first choices)."""
    form = page.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value in (None, "", False):
            continue
        data[name] = "on" if value is True else str(value)
    return data


def test_lead_convert_1_the_defaults_pass_at_a_matching_account_with_an_ae(client, users, acme):
    """UX / LEAD-CONVERT-1: the first choices convert as they stand — at Acme (an AE owns it)
    a sales opportunity for the AE with the SDR credited, in 00-Pre Opportunity, while the
    page says what 0-Pending Acceptance still needs (OPP-V10)."""
    sdr = users["sdr.amer1"]
    lead = _qualified_lead(sdr)
    client.force_login(sdr)
    page = client.get(f"/leads/{lead.pk}/convert/")
    html = page.content.decode()
    assert "0-Pending Acceptance needs" in html and "none yet" not in html  # a two-way call
    assert 'id="mode-sales-note"' not in html
    resp = client.post(f"/leads/{lead.pk}/convert/", _defaults_as_posted(page))
    opp = Opportunity.objects.get(account=acme)
    assert resp.status_code == 302 and resp["Location"] == f"/opportunities/{opp.pk}/"
    assert opp.owner == users["ae.amer1"] and opp.sdr_bdr == sdr and opp.stage == Stage.PRE


def test_lead_convert_1_the_defaults_pass_for_a_new_account_and_say_why_not_sales(client, users):
    """A new account is Sales Admin's until an AE claims it, so the first choice is a warm
    conversation the rep owns — and the sales option says why before the submit."""
    sdr = users["sdr.amer1"]
    lead = LeadFactory(
        owner=sdr, email="ann@brandnew.example", company="Brand New Ltd", status=S.QUALIFYING
    )
    client.force_login(sdr)
    page = client.get(f"/leads/{lead.pk}/convert/")
    html = page.content.decode()
    assert 'id="mode-sales-note"' in html and "owned by Sales Admin" in html
    assert "none yet" in html  # no two-way activity with this person
    resp = client.post(f"/leads/{lead.pk}/convert/", _defaults_as_posted(page))
    assert resp.status_code == 302
    opp = Opportunity.objects.get(account__name="Brand New Ltd")
    assert opp.owner == sdr and opp.sdr_bdr is None and opp.stage == Stage.PRE
