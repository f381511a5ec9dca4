"""IMPORT-2 in headless Chromium: Marketing Ops uploads a 1,000-row file with three bad rows,
reads the preview, commits skipping the invalid rows, sees the bar reach 100% and downloads
the error report."""

import csv
import io

import pytest

from leads.models import Lead

from .test_browser import login

pytestmark = pytest.mark.browser


def _file(tmp_path) -> str:
    lines = ["first_name,last_name,email,company,initial_source"]
    for i in range(1000):
        if i in (10, 500):
            lines.append(f"Bad{i},,bad{i}@browser.example,Firm,Conference")  # no last name
        elif i == 900:
            lines.append("Worse,Row,not-an-email,Firm,Conference")
        else:
            lines.append(f"Bea{i},Browser{i},bea{i}@browser.example,Firm {i % 7},Conference")
    path = tmp_path / "conference-list.csv"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_mops_uploads_previews_commits_and_downloads_the_errors(
    transactional_db, demo, page, live_server, screenshot, tmp_path
):
    login(page, live_server, "mops")
    page.goto(f"{live_server.url}/imports/")
    page.get_by_label("File", exact=True).set_input_files(_file(tmp_path))
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url("**/imports/*/")
    assert page.locator('[data-total="rows"]').inner_text() == "1,000"
    assert page.locator('[data-total="create"]').inner_text() == "997"
    assert page.locator('[data-total="errors"]').inner_text() == "3"
    screenshot("import-preview")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("import-preview-phone")
    page.set_viewport_size({"width": 1440, "height": 900})
    assert Lead.objects.filter(email__endswith="@browser.example").count() == 0
    page.get_by_label("Skip invalid rows").check()
    page.get_by_role("button", name="Commit").click()
    bar = page.get_by_role("progressbar", name="Import progress")
    bar.wait_for()
    page.wait_for_function(
        "document.querySelector('[role=progressbar]').getAttribute('aria-valuenow') === '100'",
        timeout=60_000,
    )
    screenshot("import-done")
    with page.expect_download() as download:
        page.get_by_role("link", name="Error report (errors.csv)").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["row", "column", "value", "reason"]
    assert sorted({r[0] for r in rows[1:]}) == ["12", "502", "902"]
    assert Lead.objects.filter(email__endswith="@browser.example").count() == 997
