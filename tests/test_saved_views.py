"""VIEW-4 saved views: save filters and sort under a name, reopen, share with the team."""

import pytest

from gtm_portal.core.models import SavedView

from .factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_save_a_filtered_view_and_open_it(client, users):
    me = users["sdr.emea1"]
    LeadFactory(last_name="big", owner=me, status="MQL", person_score=180)
    LeadFactory(last_name="small", owner=me, status="MQL", person_score=110)
    client.force_login(me)
    r = client.post(
        "/leads/views/S1/save/",
        {"name": "Top MQLs", "next": "/leads/views/S1/?score_min=150&sort=-score&after=9"},
    )
    view = SavedView.objects.get(owner=me)
    assert r.status_code == 302 and r["Location"] == view.url
    assert "after" not in view.params and "score_min=150" in view.params
    page = client.get(r["Location"])
    assert [x.last_name for x in page.context["page"].rows] == ["big"]
    menu = client.get("/leads/views/counts/").content.decode()
    assert "Top MQLs" in menu


def test_names_are_unique_per_user_and_required(client, users):
    client.force_login(users["sdr.emea1"])
    client.post("/leads/views/S1/save/", {"name": "Mine"})
    r = client.post("/leads/views/S1/save/", {"name": "Mine"}, follow=True)
    assert "already have a view" in r.content.decode()
    r = client.post("/leads/views/S1/save/", {"name": " "}, follow=True)
    assert "give the view a name" in r.content.decode()
    assert SavedView.objects.count() == 1


def test_managers_share_with_their_team_only(client, users):
    client.force_login(users["sdr.emea1"])
    r = client.post("/leads/views/S1/save/", {"name": "Try share", "share": "on"}, follow=True)
    assert "only managers share" in r.content.decode() and not SavedView.objects.exists()
    client.force_login(users["sdr.mgr"])
    client.post("/leads/views/S1/save/", {"name": "Team hot list", "share": "on"})
    client.force_login(users["sdr.emea2"])
    assert "Team hot list" in client.get("/leads/views/counts/").content.decode()
    client.force_login(users["bdr.amer1"])
    assert "Team hot list" not in client.get("/leads/views/counts/").content.decode()


def test_only_the_owner_deletes(client, users):
    client.force_login(users["sdr.mgr"])
    client.post("/leads/views/S1/save/", {"name": "Keep", "share": "on"})
    view = SavedView.objects.get()
    client.force_login(users["sdr.emea1"])
    assert client.post(f"/views/saved/{view.pk}/delete/").status_code == 404
    client.force_login(users["sdr.mgr"])
    client.post(f"/views/saved/{view.pk}/delete/")
    assert not SavedView.objects.exists()
