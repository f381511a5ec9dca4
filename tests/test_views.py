"""VIEW-1 lead views: which records appear and which do not, manager cover, filters, sort,
keyset pages, CSV (Q-SAFE), constant queries at page sizes 10 and 200."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from accounts.models import Account
from gtm_portal.activity.models import Activity, Enrollment, Sequence, Task

from .factories import LeadFactory

pytestmark = pytest.mark.django_db


def rows(client, code, **params):
    r = client.get(f"/leads/views/{code}/", params)
    assert r.status_code == 200, r.status_code
    return {lead.last_name for lead in r.context["page"].rows}


def enroll(lead, touch="high", state="active"):
    seq = Sequence.objects.get_or_create(name=f"seq {touch}", defaults={"touch": touch})[0]
    Enrollment.objects.create(lead=lead, sequence=seq, state=state, started_at=timezone.now())


def test_s1_shows_my_mqls_hot_and_web_chat_leads_oldest_sla_first(client, users):
    me, other = users["sdr.emea1"], users["sdr.emea2"]
    now = timezone.now()
    LeadFactory(last_name="late", owner=me, status="MQL", sla_due=now + datetime.timedelta(hours=3))
    LeadFactory(
        last_name="early", owner=me, status="MQL", sla_due=now - datetime.timedelta(hours=1)
    )
    LeadFactory(last_name="hot", owner=me, status="Accepted", is_hot=True)
    LeadFactory(last_name="chat", owner=me, status="Inquiry", lead_source="Drift")
    LeadFactory(last_name="accepted", owner=me, status="Accepted")
    LeadFactory(last_name="theirs", owner=other, status="MQL")
    LeadFactory(last_name="test", owner=me, status="MQL", title="Test")
    LeadFactory(last_name="closed hot", owner=me, status="Disqualified", is_hot=True)
    client.force_login(me)
    r = client.get("/leads/views/S1/")
    names = [lead.last_name for lead in r.context["page"].rows]
    assert names[:2] == ["early", "late"]
    assert set(names) == {"early", "late", "hot", "chat"}


def test_s2_and_b4_high_touch_sequence_with_phone(client, users):
    me = users["sdr.emea1"]
    a = LeadFactory(last_name="phone high", owner=me, phone="+49 1", status="Accepted")
    b = LeadFactory(last_name="no phone", owner=me, status="Accepted")
    c = LeadFactory(last_name="low touch", owner=me, phone="+49 2", status="Accepted")
    d = LeadFactory(last_name="finished", owner=me, mobile="+49 3", status="Accepted")
    enroll(a)
    enroll(b)
    enroll(c, touch="low")
    enroll(d, state="finished")
    client.force_login(me)
    assert rows(client, "S2") == {"phone high"} == rows(client, "B4")


def test_s3_my_qualifying_leads_with_flags(client, users):
    me = users["sdr.emea1"]
    quiet = LeadFactory(last_name="quiet", owner=me, status="Qualifying")
    busy = LeadFactory(last_name="busy", owner=me, status="Qualifying")
    Activity.objects.create(
        kind="call", lead=busy, logged_by=me, is_sales=True, occurred_at=timezone.now()
    )
    Task.objects.create(subject="follow up", lead=busy, owner=me, due_date=timezone.localdate())
    LeadFactory(last_name="accepted", owner=me, status="Accepted")
    client.force_login(me)
    r = client.get("/leads/views/S3/")
    by_name = {lead.last_name: lead for lead in r.context["page"].rows}
    assert set(by_name) == {"quiet", "busy"}
    assert not by_name["quiet"].recent_activity and not by_name["quiet"].open_task
    assert by_name["busy"].recent_activity and by_name["busy"].open_task
    assert "no activity 14 d" in r.content.decode()
    assert quiet.pk


def test_b2_leads_at_my_actively_working_accounts_any_owner(client, users):
    globex = Account.objects.get(name="Globex Corporation")  # AW, BDR bdr.amer1
    initech = Account.objects.get(name="Initech")  # Restricted
    now = timezone.now()
    LeadFactory(
        last_name="older",
        matched_account=globex,
        owner=users["sdr.amer1"],
        status="Inquiry",
        last_interesting_moment_at=now - datetime.timedelta(days=2),
    )
    LeadFactory(
        last_name="newer", matched_account=globex, status="MQL", last_interesting_moment_at=now
    )
    LeadFactory(last_name="restricted", matched_account=initech, status="MQL")
    LeadFactory(last_name="closed", matched_account=globex, status="Disqualified")
    client.force_login(users["bdr.amer1"])
    r = client.get("/leads/views/B2/")
    assert [lead.last_name for lead in r.context["page"].rows] == ["newer", "older"]


def test_b3_my_open_leads_not_yet_in_a_sequence_and_b5_qualifying(client, users):
    me = users["bdr.amer1"]
    LeadFactory(last_name="fresh", owner=me, status="Inquiry")
    enrolled = LeadFactory(last_name="enrolled", owner=me, status="Accepted")
    enroll(enrolled)
    LeadFactory(last_name="done", owner=me, status="Qualified")
    LeadFactory(last_name="qual", owner=me, status="Qualifying")
    client.force_login(me)
    assert rows(client, "B3") == {"fresh", "qual"}
    assert rows(client, "B5") == {"qual"}
    assert rows(client, "B1") == set()


def test_manager_cover_allowed_for_the_team_and_403_for_others(client, users):
    LeadFactory(last_name="emea mql", owner=users["sdr.emea1"], status="MQL")
    client.force_login(users["sdr.mgr"])
    assert rows(client, "S1", **{"as": "sdr.emea1"}) == {"emea mql"}
    assert client.get("/leads/views/S1/", {"as": "bdr.amer1"}).status_code == 403
    client.force_login(users["sdr.emea2"])
    assert client.get("/leads/views/S1/", {"as": "sdr.emea1"}).status_code == 403
    assert client.get("/leads/views/S1/", {"as": "nobody"}).status_code == 404
    assert client.get("/leads/views/Z9/").status_code == 404


def test_filters_sort_and_bad_filter_input(client, users):
    me = users["sdr.emea1"]
    for i, score in enumerate((120, 150, 180)):
        LeadFactory(last_name=f"m{i}", owner=me, status="MQL", person_score=score)
    client.force_login(me)
    assert rows(client, "S1", score_min=140) == {"m1", "m2"}
    r = client.get("/leads/views/S1/", {"sort": "-score"})
    assert [lead.last_name for lead in r.context["page"].rows] == ["m2", "m1", "m0"]
    r = client.get("/leads/views/S1/", {"score_min": "lots"})
    assert r.status_code == 200 and list(r.context["page"].rows) == []
    assert "Check the filters" in r.content.decode()


def test_keyset_pages_walk_a_sorted_view_once(client, users):
    me = users["sdr.emea1"]
    now = timezone.now()
    made = set()
    for i in range(23):
        lead = LeadFactory(
            last_name=f"p{i}",
            owner=me,
            status="MQL",
            sla_due=None if i % 5 == 0 else now + datetime.timedelta(minutes=i % 7),
        )
        made.add(lead.pk)
    client.force_login(me)
    seen, after = [], None
    while True:
        params = {"size": 10, **({"after": after} if after else {})}
        page = client.get("/leads/views/S1/", params).context["page"]
        seen += [r.pk for r in page.rows]
        after = page.next_after
        if not after:
            break
    assert len(seen) == 23 and set(seen) == made


def test_csv_export_is_streamed_and_formula_safe(client, users):
    LeadFactory(last_name='=HYPERLINK("x")', company="+cmd", owner=users["sdr.emea1"], status="MQL")
    client.force_login(users["sdr.mgr"])
    r = client.get("/leads/views/S1/", {"format": "csv", "as": "sdr.emea1"})
    assert "csv" in r["Content-Type"] and r.streaming
    data = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))
    assert data[0][:3] == ["id", "first name", "last name"]
    assert data[1][2] == '\'=HYPERLINK("x")' and data[1][4] == "'+cmd"


@pytest.mark.parametrize("code", ["S1", "S2", "S3", "B1", "B2", "B3", "B4", "B5"])
def test_every_view_keeps_constant_queries_at_sizes_10_and_200(
    client, users, code, django_assert_max_num_queries
):
    me = users["bdr.amer1"]
    globex = Account.objects.get(name="Globex Corporation")
    for i in range(30):
        lead = LeadFactory(
            owner=me,
            status=("MQL", "Qualifying", "Accepted")[i % 3],
            matched_account=globex,
            phone="+1 5",
        )
        if i % 3 == 2:
            enroll(lead)
    client.force_login(me)
    client.get(f"/leads/views/{code}/")
    counts = []
    for size in (10, 200):
        with django_assert_max_num_queries(8) as q:
            assert client.get(f"/leads/views/{code}/", {"size": size}).status_code == 200
        counts.append(len(q.captured_queries))
    assert counts[0] == counts[1]


def test_high_touch_badge(client, users):
    LeadFactory(
        last_name="ht",
        owner=users["sdr.emea1"],
        status="MQL",
        phone="+49",
        company="Firma",
        title="Developer",
    )
    LeadFactory(
        last_name="lt",
        owner=users["sdr.emea1"],
        status="MQL",
        phone="",
        company="",
        email="x@gmail.com",
        title="Developer",
    )
    client.force_login(users["sdr.emea1"])
    page = {r.last_name: r.high_touch for r in client.get("/leads/views/S1/").context["page"].rows}
    assert page == {"ht": True, "lt": False}


def test_b2_take_ownership_moves_adoptable_rows_and_refuses_owned_ones(client, users):
    from gtm_portal.core.history import history_for
    from gtm_portal.users.models import User

    globex = Account.objects.get(name="Globex Corporation")
    queue = User.objects.queue("Inquiry Queue")
    free = LeadFactory(last_name="free", matched_account=globex, owner=queue, status="Inquiry")
    taken = LeadFactory(
        last_name="taken", matched_account=globex, owner=users["sdr.amer2"], status="MQL"
    )
    me = users["bdr.amer1"]
    client.force_login(me)
    r = client.post(
        "/leads/views/B2/mass/", {"action": "take", "ids": [free.pk, taken.pk]}, follow=True
    )
    body = r.content.decode()
    assert "1 done, 1 refused" in body and "already claimed by sdr.amer2" in body
    free.refresh_from_db()
    taken.refresh_from_db()
    assert free.owner == me and taken.owner == users["sdr.amer2"] and taken.version == 1
    assert [h.field for h in history_for(free)] == ["owner"]
    assert "free" in rows(client, "B3")  # they move to B3


def test_mass_status_goes_through_the_workflow_with_per_row_results(client, users):
    me = users["sdr.emea1"]
    a = LeadFactory(last_name="a", owner=me, status="MQL")
    b = LeadFactory(last_name="b", owner=me, status="MQL", email="", phone="")
    client.force_login(me)
    r = client.post(
        "/leads/views/S1/mass/",
        {"action": "status", "to": "Recycle", "ids": [a.pk, b.pk]},
        follow=True,
    )
    assert "2 done" in r.content.decode()
    r = client.post(
        "/leads/views/S1/mass/", {"action": "status", "to": "Accepted", "ids": [a.pk]}, follow=True
    )
    assert "1 done" in r.content.decode()
    from leads.models import Lead

    assert Lead.objects.get(pk=a.pk).status == "Accepted"


def test_mass_enroll_refuses_opted_out_rows_and_leaves_them_unchanged(client, users):
    from gtm_portal.activity.models import Sequence
    from leads.models import Lead

    seq = Sequence.objects.get(name="AMER Enterprise Outbound (high touch)")
    me = users["sdr.emea1"]
    ok = LeadFactory(last_name="ok", owner=me, status="MQL")
    out = LeadFactory(last_name="out", owner=me, status="MQL", email_opt_out=True)
    client.force_login(me)
    r = client.post(
        "/leads/views/S1/mass/",
        {"action": "enroll", "sequence": seq.pk, "ids": [ok.pk, out.pk]},
        follow=True,
    )
    assert "1 done, 1 refused" in r.content.decode() and "opted out" in r.content.decode()
    assert Lead.objects.get(pk=out.pk).status == "MQL"
    assert not Enrollment.objects.filter(lead=out).exists()


def test_mass_change_owner_is_refused_for_non_marketing_ops(client, users):
    from leads.models import Lead

    lead = LeadFactory(owner=users["sdr.emea1"], status="MQL")
    client.force_login(users["sdr.emea1"])
    r = client.post(
        "/leads/views/S1/mass/",
        {"action": "owner", "owner": "sdr.emea2", "ids": [lead.pk]},
        follow=True,
    )
    assert "0 done, 1 refused" in r.content.decode()
    assert Lead.objects.get(pk=lead.pk).owner == users["sdr.emea1"]
    r = client.post("/leads/views/S1/mass/", {"action": "explode", "ids": [lead.pk]}, follow=True)
    assert "VIEW-5" in r.content.decode()


def test_side_menu_counts_come_from_the_views(client, users):
    me = users["sdr.emea1"]
    for _ in range(3):
        LeadFactory(owner=me, status="MQL")
    LeadFactory(owner=me, status="Qualifying")
    client.force_login(me)
    r = client.get("/leads/views/counts/")
    assert r.context["counts"] == [("S1", "3"), ("S2", "0"), ("S3", "1")]
    assert 'hx-get="/leads/views/counts/"' in client.get("/").content.decode()


@pytest.mark.parametrize("sort", ["", "-score", "name", "-sla"])
def test_previous_pages_walk_back_through_the_same_pages(client, users, sort):
    """UX lists: "Previous" (`?before=`) gives back exactly the page shown before, in the same
    order — through ties and empty values (SLA due blank on every fifth lead) — and the pager
    says where the page is ("11–20 of 23")."""
    me = users["sdr.emea1"]
    now = timezone.now()
    for i in range(23):
        LeadFactory(
            last_name=f"q{i % 4}",
            owner=me,
            status="MQL",
            person_score=100 + i % 3,
            sla_due=None if i % 5 == 0 else now + datetime.timedelta(minutes=i % 7),
        )
    client.force_login(me)
    pages, params = [], {"size": 10, **({"sort": sort} if sort else {})}
    while True:
        r = client.get("/leads/views/S1/", params)
        page = r.context["page"]
        pages.append(([row.pk for row in page.rows], page.range_label, page))
        if not page.next_after:
            break
        params = {**params, "after": page.next_after, "start": page.next_start}
        params.pop("before", None)
    assert [label for _, label, _ in pages] == ["1–10 of 23", "11–20 of 23", "21–23 of 23"]
    assert sorted(pk for ids, _, _ in pages for pk in ids) == sorted(
        set(pk for ids, _, _ in pages for pk in ids)
    )
    assert pages[0][2].prev_before is None
    for index in (2, 1):
        shown = pages[index][2]
        back = {"size": 10, "before": shown.prev_before, "start": shown.prev_start}
        if sort:
            back["sort"] = sort
        r = client.get("/leads/views/S1/", back)
        previous = r.context["page"]
        assert [row.pk for row in previous.rows] == pages[index - 1][0]
        assert previous.range_label == pages[index - 1][1]
        assert (previous.prev_before is None) == (index == 1)
        assert "Previous" in r.text if index == 2 else "Previous" not in r.text


def test_odd_pager_parameters_are_no_error(client, users):
    client.force_login(users["sdr.emea1"])
    for params in ({"before": "x"}, {"before": "-1"}, {"start": "0"}, {"before": "9" * 30}):
        assert client.get("/leads/views/S1/", params).status_code == 200


def test_view_5_all_matching_acts_on_every_row_the_filters_match_and_no_other(client, users):
    from gtm_portal.core.mass import MAX_ROWS
    from leads.models import Lead

    me = users["sdr.emea1"]
    high = [LeadFactory(owner=me, status="MQL", person_score=90) for _ in range(3)]
    low = LeadFactory(owner=me, status="MQL", person_score=10)
    theirs = LeadFactory(owner=users["sdr.emea2"], status="MQL", person_score=95)
    client.force_login(me)
    r = client.get("/leads/views/S1/", {"score_min": 50, "size": 10})
    assert "data-select-matching" not in r.content.decode()  # everything is on the page
    r = client.post(
        "/leads/views/S1/mass/?score_min=50",
        {"action": "status", "to": "Recycle", "scope": "all"},
        follow=True,
    )
    assert "3 done" in r.content.decode()
    assert {lead.status for lead in Lead.objects.filter(pk__in=[h.pk for h in high])} == {"Recycle"}
    assert Lead.objects.get(pk=low.pk).status == "MQL"  # filtered out
    assert Lead.objects.get(pk=theirs.pk).status == "MQL"  # not in my view
    # an invalid filter matches nothing: nothing changes
    r = client.post(
        "/leads/views/S1/mass/?score_min=abc",
        {"action": "status", "to": "Recycle", "scope": "all"},
        follow=True,
    )
    assert "select at least one row" in r.content.decode()
    assert Lead.objects.get(pk=low.pk).status == "MQL"
    # more rows than one mass action takes: refused as a whole
    LeadFactory.create_batch(MAX_ROWS, owner=me, status="MQL", person_score=1)  # + low
    r = client.post(
        "/leads/views/S1/mass/", {"action": "status", "to": "Recycle", "scope": "all"}, follow=True
    )
    assert f"more than {MAX_ROWS} rows match" in r.content.decode()
    assert Lead.objects.filter(owner=me, status="MQL").count() == MAX_ROWS + 1


def test_view_5_the_bulk_bar_offers_all_matching_when_more_rows_than_the_page(client, users):
    me = users["sdr.emea1"]
    LeadFactory.create_batch(12, owner=me, status="MQL")
    client.force_login(me)
    html = client.get("/leads/views/S1/", {"size": 10}).content.decode()
    assert "Select all 12 matching rows" in html
    assert 'action="/leads/views/S1/mass/?size=10"' in html  # the filters go with the POST


def test_view_4_the_column_chooser_hides_columns_and_a_saved_view_keeps_the_choice(client, users):
    from gtm_portal.core.models import SavedView

    me = users["sdr.emea1"]
    LeadFactory(owner=me, status="MQL", title="VP Platform", company="Initech")
    client.force_login(me)
    full = client.get("/leads/views/S1/").content.decode()
    head = full[full.index("<thead") : full.index("</thead>")]
    assert "Title" in head and "Owner" in head
    url = "/leads/views/S1/?status=MQL&cols=&cols=company&cols=status"
    page = client.get(url).content.decode()
    head = page[page.index("<thead") : page.index("</thead>")]
    assert "Company" in head and "Status" in head and "Name" in head and "Actions" in head
    assert "Title" not in head and "Owner" not in head and "SLA due" not in head
    assert "VP Platform" not in page and "Initech" in page
    # the chooser carries the other parameters along, and shows what is ticked
    assert '<input type="hidden" name="status" value="MQL">' in page
    assert 'value="company" id="col-company" checked' in page
    assert 'value="title" id="col-title">' in page
    client.post("/leads/views/S1/save/", {"name": "Lean S1", "next": url})
    saved = SavedView.objects.get(owner=me, name="Lean S1")
    assert "cols=company" in saved.params and "cols=status" in saved.params
    again = client.get(saved.url).content.decode()
    assert "VP Platform" not in again and "Initech" in again
    # an unknown column name shows only the fixed columns, never a 500
    odd = client.get("/leads/views/S1/?cols=%3Cscript%3E")
    assert odd.status_code == 200 and "Initech" not in odd.content.decode()


def test_view_4_contact_and_account_views_choose_their_columns_too(client, users):
    client.force_login(users["bdr.emea1"])
    for url, name, hidden, kept in [
        ("/contacts/views/B1/?cols=account", "Name", "Title", "Account"),
        ("/accounts/views/B1/?cols=segment", "Account", "Domain", "Segment"),
    ]:
        page = client.get(url).content.decode()
        head = page[page.index("<thead") : page.index("</thead>")]
        assert kept in head and name in head and hidden not in head, url
        assert "Show these columns" in page


def test_view_5_all_matching_under_cover_is_for_the_reps_manager_only(client, users):
    from leads.models import Lead

    theirs = LeadFactory(owner=users["sdr.emea2"], status="MQL")
    client.force_login(users["sdr.emea1"])  # not their manager (VIEW-1 cover)
    r = client.post(
        "/leads/views/S1/mass/?as=sdr.emea2",
        {"action": "status", "to": "Recycle", "scope": "all"},
    )
    assert r.status_code == 403
    assert Lead.objects.get(pk=theirs.pk).status == "MQL"
    client.force_login(users["sdr.mgr"])
    r = client.post(
        "/leads/views/S1/mass/?as=sdr.emea2",
        {"action": "status", "to": "Recycle", "scope": "all"},
        follow=True,
    )
    assert "done" in r.content.decode()
    assert Lead.objects.get(pk=theirs.pk).status == "Recycle"
