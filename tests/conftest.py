import os
import shutil

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def refdata(db):
    """SPEC §2 defaults, as `load_reference_data` seeds them."""
    from leads.services.reference import load_reference_data

    load_reference_data()


@pytest.fixture
def demo(refdata):
    """The named demo data set of CONTRACT 4."""
    from gtm_portal.devtools.demo.named import seed_named

    seed_named()


@pytest.fixture
def users(demo):
    from gtm_portal.users.models import User

    return {u.username: u for u in User.objects.people()}


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


CSP_VIOLATIONS: list[str] = []


def _note_csp_violation(message) -> None:
    if "Content Security Policy" in message.text:
        CSP_VIOLATIONS.append(f"{message.location.get('url', '')}: {message.text}")


class _WatchedBrowser:
    """The session's browser; every context it opens reports Content-Security-Policy
    violations from its console, which fail the test (Q-SEC)."""

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.on("console", _note_csp_violation)
        return context

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture
def browser(chromium):
    CSP_VIOLATIONS.clear()
    yield _WatchedBrowser(chromium)
    assert not CSP_VIOLATIONS, "Content-Security-Policy violations:\n" + "\n".join(CSP_VIOLATIONS)


@pytest.fixture(scope="session")
def chromium():
    """Headless Debian Chromium through Playwright; skipped without a browser unless
    REQUIRE_BROWSER=1 (CONTRACT 1)."""
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not path:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("REQUIRE_BROWSER=1 but no Chromium at /usr/bin/chromium")
        pytest.skip("no Chromium found (install Debian's chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "test-artifacts")


@pytest.fixture
def screenshot(page):
    def take(name: str):
        os.makedirs(ARTIFACTS, exist_ok=True)
        page.screenshot(path=os.path.join(ARTIFACTS, f"{name}.png"), full_page=True)

    return take


@pytest.fixture(autouse=True)
def fresh_cache():
    """Reference lists are cached for a minute in the app; each test starts clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
