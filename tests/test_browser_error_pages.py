"""403 / 404 / 500 / 503 inside the portal frame (#22, UX): in Chromium at both widths each says
what happened and where to go, keeps a side menu that opens at phone width, and scrolls
nothing sideways. The 503 (a database fault) is the fixed frame that reads nothing."""

import pytest
from django.db import OperationalError

from gtm_portal.core import views as core_views
from tests.factories import LeadFactory
from tests.test_browser import login
from tests.test_browser_lists import _shot
from tests.test_browser_screens import WIDTHS

pytestmark = pytest.mark.browser


def _busy(*args, **kwargs):
    raise OperationalError("server closed the connection unexpectedly")


@pytest.mark.parametrize("width", WIDTHS)
def test_error_pages_are_inside_the_frame(
    transactional_db, demo, browser, live_server, users, monkeypatch, width
):
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h})
    page = context.new_page()
    login(page, live_server, "sdr.emea1")
    other = LeadFactory(owner=users["sdr.amer1"], status="MQL")
    cases = {
        "404": ("/leads/999999/", 404, "Nothing here"),
        "403": (f"/leads/{other.pk}/edit/", 403, "You may not do this"),
    }
    for name, (url, status, heading) in cases.items():
        response = page.goto(live_server.url + url)
        assert response.status == status, name
        assert page.get_by_role("heading", name=heading).is_visible(), name
        assert page.get_by_role("link", name="Go to your home page").is_visible(), name
        _shot(page, f"error-{name}-{width}")

    monkeypatch.setattr(core_views, "home_for_user", lambda *a, **k: 1 / 0)
    response = page.goto(live_server.url + "/")
    assert response.status == 500
    assert page.get_by_role("heading", name="Something went wrong").is_visible()
    assert page.locator("#side-menu a", has_text="Leads S1").count() == 1  # the user's own menu
    assert "{#" not in page.inner_text("body")
    _shot(page, f"error-500-{width}")

    monkeypatch.setattr(core_views, "home_for_user", _busy)
    response = page.goto(live_server.url + "/")
    assert response.status == 503 and response.headers["retry-after"] == "5"
    assert page.get_by_role("heading", name="Busy — please retry").is_visible()
    assert "{#" not in page.inner_text("body")  # no template comment leaks onto the page
    _shot(page, f"error-503-{width}")
    if width == "390":
        page.get_by_role("button", name="Open the menu").click()
        leads = page.locator("#side-menu").get_by_role("link", name="Leads", exact=True)
        leads.wait_for(state="visible")
        page.locator("#side-menu.show").wait_for()
        page.evaluate("Promise.all(document.getAnimations().map(a => a.finished))")
        _shot(page, "error-503-390-menu")
        leads.click()
        page.wait_for_url(f"{live_server.url}/leads/")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    context.close()
