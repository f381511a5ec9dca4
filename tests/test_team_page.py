"""UX team page (#22): a manager's reps — every level below (Q-SEC reports_of) — each with
the lead views they work, one click to cover (VIEW-1 `?as=`) and each view's count; refused
for everyone else, and a rep outside the manager's line stays refused for the counts too."""

from gtm_portal.users.models import User


def test_a_manager_sees_their_reps_views_and_covers_in_one_click(client, users):
    client.force_login(users["sdr.mgr"])
    page = client.get("/leads/team/")
    html = page.content.decode()
    assert page.status_code == 200 and "My team" in html
    reps = User.objects.filter(manager=users["sdr.mgr"], is_active=True)
    assert reps.exists()
    for rep in reps:
        assert rep.label in html
    assert '/leads/views/S1/?as=sdr.emea1"' in html
    counts = client.get("/leads/team/counts/", {"as": "sdr.emea1"}).content.decode()
    assert '/leads/views/S1/?as=sdr.emea1"' in counts and "badge" in counts
    assert client.get("/leads/views/S1/", {"as": "sdr.emea1"}).status_code == 200
    assert 'href="/leads/team/"' in client.get("/").content.decode()  # in the side menu


def test_the_team_page_is_refused_to_reps_and_outside_the_line(client, users):
    client.force_login(users["sdr.emea1"])
    assert client.get("/leads/team/").status_code == 403
    assert client.get("/leads/team/counts/", {"as": "sdr.amer1"}).status_code == 403
    assert 'href="/leads/team/"' not in client.get("/").content.decode()
    client.force_login(users["bdr.mgr"])  # a manager, but not above the SDRs
    assert client.get("/leads/team/counts/", {"as": "sdr.emea1"}).status_code == 403


def test_the_team_page_reads_a_fixed_number_of_queries(
    client, users, django_assert_max_num_queries
):
    client.force_login(users["sdr.mgr"])
    client.get("/leads/team/")
    with django_assert_max_num_queries(8):
        assert client.get("/leads/team/").status_code == 200
