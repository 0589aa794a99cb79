"""Browser tests: Playwright drives the system Chromium against a live server.

Without /usr/bin/chromium (or CHROMIUM_PATH) they are skipped with a notice; in CI (CI set) they
are required, so a missing browser fails the run instead.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
MISSING = (
    f"Chromium ontbreekt op {CHROMIUM}: installeer het met "
    "'sudo apt-get install -y chromium' om de browsertests te draaien."
)

# Playwright's sync API runs an event loop in the test's thread; the ORM calls
# in these tests are still plain synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.hookimpl(trylast=True)  # after pytest-django has put the tests in its order
def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if "tests/browser/" in str(item.fspath)]
    # Browser tests last: between its calls Playwright leaves its event loop
    # marked as running in the test thread, and an async view (the health
    # endpoint) called through the test client after it then cannot run.
    items[:] = [item for item in items if item not in browser_items] + browser_items
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    if not browser_items or CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(MISSING)
    for item in browser_items:
        item.add_marker(pytest.mark.skip(reason=MISSING))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The common laptop: from 1360 px the menu is one row, narrower it folds
    # behind the menu button (app.css).
    return {
        **browser_context_args,
        "locale": "nl-NL",
        "timezone_id": "Europe/Amsterdam",
        "viewport": {"width": 1366, "height": 768},
    }


@pytest.fixture
def log_in(page, live_server):
    """Fill in the login form as a person would."""

    def log_in(email: str, password: str):
        page.goto(f"{live_server.url}/inloggen/")
        page.get_by_label("E-mailadres").fill(email)
        page.get_by_label("Wachtwoord").fill(password)
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_load_state()

    return log_in
