"""Q-SEC headers: a strict Content-Security-Policy (no inline script; HTMX, Bootstrap and
Chart.js from static/) and a Permissions-Policy on every answer — pages, the API, the admin,
errors — and the browser suite fails on any CSP violation (tests/conftest.py)."""

import pathlib
import re

import pytest
from django.conf import settings

from tests.conftest import CSP_VIOLATIONS

PAGES = [
    "/",
    "/leads/views/S1/",
    "/accounts/",
    "/opportunities/",
    "/reports/",
    "/reports/funnel/",
    "/admin/",
    "/api/v1/schema/",
    "/no-such-page/",
]


@pytest.mark.parametrize("url", PAGES)
def test_q_sec_every_answer_carries_the_csp_and_permissions_policy(client, users, url):
    client.force_login(users["mops"])
    r = client.get(url)
    csp = r["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    )
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "camera=()" in r["Permissions-Policy"] and "geolocation=()" in r["Permissions-Policy"]
    assert r["Referrer-Policy"] == "same-origin" and r["X-Content-Type-Options"] == "nosniff"


def test_q_sec_the_login_page_before_anyone_signs_in_has_them_too(client, db):
    r = client.get("/login/")
    assert r["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY


def test_q_sec_no_template_carries_an_inline_script_or_handler():
    """The policy forbids them; this keeps a new template from bringing one back."""
    root = pathlib.Path(settings.BASE_DIR) / "templates"
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")|\son[a-z]+=", re.I
    )
    found = [
        f"{path.relative_to(root)}: {m.group(0)}"
        for path in root.rglob("*.html")
        for m in inline.finditer(path.read_text())
    ]
    assert found == []


@pytest.mark.browser
def test_q_sec_the_browser_refuses_an_inline_handler_and_the_suite_hears_it(
    live_server, users, page
):
    """The CSP watcher is real: a handler injected into a served page is blocked by the
    browser (the click changes nothing) and its console report reaches CSP_VIOLATIONS."""
    page.goto(live_server.url + "/login/")
    page.evaluate(
        """() => {
            const b = document.createElement('button');
            b.id = 'evil';
            b.setAttribute('onclick', "document.title = 'ran'");
            document.body.appendChild(b);
        }"""
    )
    page.click("#evil")
    page.wait_for_timeout(200)
    assert page.title() != "ran"
    assert any("Content Security Policy" in v for v in CSP_VIOLATIONS)
    CSP_VIOLATIONS.clear()
