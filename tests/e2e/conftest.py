"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's
live_server. Every test here is marked `e2e`; without Chromium they skip (or fail under
REQUIRE_SERVICES=1)."""

import os
from pathlib import Path

import pytest

from tests.conftest import service_missing

# Playwright's sync API runs an event loop in the main thread; without this Django's ORM
# refuses to run in the test ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

E2E_DIR = Path(__file__).resolve().parent
REPO_DIR = E2E_DIR.parents[1]
SCREENSHOT_DIR = REPO_DIR / "test-artifacts" / "screenshots"  # git-ignored
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    executable = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not Path(executable).exists():
        service_missing("needs Chromium: apt-get install chromium fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG under test-artifacts/screenshots/ and return its path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / name
    # A full-page shot resizes the viewport for a moment; with a field still focused,
    # Chromium then scrolls the page on the next mousedown and the click lands elsewhere.
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.screenshot(path=str(path), full_page=True)
    return path
