"""403 and 404 inside the portal frame (#22, UX): they say what happened and where to go, keep
the side menu, and leave a pending message for the next real page."""

from django.contrib.messages import get_messages

from tests.factories import LeadFactory


def test_404_is_framed_and_says_where_to_go(client, users):
    client.force_login(users["sdr.emea1"])
    r = client.get("/leads/999999/")
    html = r.content.decode()
    assert r.status_code == 404
    assert "Nothing here" in html and 'aria-label="Main menu"' in html
    assert "Go to your home page" in html and "/leads/999999/" in html


def test_403_is_framed_and_gives_the_reason(client, users):
    lead = LeadFactory(owner=users["sdr.emea1"], status="MQL")
    client.force_login(users["exec"])
    r = client.post(f"/leads/{lead.pk}/edit/", {"title": "x"})
    html = r.content.decode()
    assert r.status_code == 403
    assert "You may not do this" in html and 'aria-label="Main menu"' in html
    assert "Nothing was changed" in html


def test_an_error_page_leaves_the_pending_message_for_the_next_page(client, users):
    client.force_login(users["mops"])
    client.post("/jobs/bps_daily/run/")
    assert client.get("/leads/999999/").status_code == 404
    assert any("queued" in str(m) for m in get_messages(client.get("/jobs/").wsgi_request))
