"""Real Chromium through Playwright's sync API, against pytest-django's live server."""
from collections.abc import Iterator

import pytest
from django.urls import reverse
from playwright.sync_api import Page, sync_playwright

from tests.conftest import make_user

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
PASSWORD = "pass-for-tests-1"


@pytest.fixture(scope="session")
def browser():
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def page(browser, live_server) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def browser_reviewer(transactional_db):
    return make_user("rita", "Reviewer")


def log_in(page: Page, username: str) -> None:
    """Through the login page, as a person would."""
    page.goto(reverse("login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: reverse("login") not in url)


# Select the characters [start, end) of the element matching `selector`, counted in UTF-16 units as the DOM does.
SELECT_RANGE = """([selector, start, end]) => {
  const container = document.querySelector(selector);
  const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let seen = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const length = node.data.length;
    if (seen <= start && start <= seen + length) range.setStart(node, start - seen);
    if (seen <= end && end <= seen + length) { range.setEnd(node, end - seen); break; }
    seen += length;
  }
  const selection = document.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}"""


def select_text(page: Page, selector: str, start: int, end: int) -> None:
    page.evaluate(SELECT_RANGE, [selector, start, end])
