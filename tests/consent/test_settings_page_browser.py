"""The cookie settings page's layout and the banner's size in real Chromium (tests/browser has the consent
journeys).

Playwright's sync API refuses to start in a thread whose event loop runs already (tests/browser's session
browser, when the whole suite runs in one session), and its objects belong to the thread that made them: each
test drives its own Chromium in a thread of its own."""

import os
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import sync_playwright

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"]


@pytest.fixture
def in_chromium(live_server, site_content):
    """in_chromium(check, width): check(page) on a page of the live server in a viewport `width` × 844."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}; `make test` installs Debian's chromium package.")

    def run(check, width):
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 844})
                return check(context.new_page())
            finally:
                browser.close()

    def in_own_thread(check, width):
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(run, check, width).result()

    return in_own_thread


@pytest.mark.parametrize("width", [390, 320, 1280])
@pytest.mark.parametrize("language", ["de", "en"])
def test_each_cookie_tables_caption_is_as_wide_as_its_table(in_chromium, width, language):
    """On phones the table is shown as blocks (one card per cookie); its caption must follow, or it is
    squeezed into a column as narrow as its longest word."""

    def check(page):
        page.goto(f"/{language}/cookies/")
        tables = page.locator(".cookie-table")
        boxes = [
            (tables.nth(i).locator("caption").bounding_box(), tables.nth(i).locator("tbody").bounding_box())
            for i in range(tables.count())
        ]
        return boxes

    boxes = in_chromium(check, width)
    assert len(boxes) == 2  # the necessary and the trailer's cookies
    for caption, body in boxes:
        assert caption["width"] >= body["width"] - 1, (caption, body)
        assert caption["height"] < 60, caption  # one or two lines, not a word per line


@pytest.mark.parametrize("language", ["de", "en"])
def test_with_an_analytics_script_the_longer_banner_still_fits_a_third_of_a_phone(in_chromium, settings, language):
    """The banner names the script's provider when there is one (ANALYTICS_SCRIPT_URL): it still takes at
    most a third of a 390 × 844 screen, the page's heading in view below it."""
    settings.ANALYTICS_SCRIPT_URL = "https://analytics.example-provider.org/js/script.js"

    def check(page):
        page.goto(f"/{language}/privacy/")
        banner = page.locator("#consent-banner")
        heading = page.get_by_role("heading", level=1).first
        return banner.inner_text(), banner.bounding_box(), heading.bounding_box()

    said, banner, heading = in_chromium(check, 390)
    assert "https://analytics.example-provider.org" in said
    assert banner["height"] <= 844 / 3, banner
    assert heading["y"] + heading["height"] <= 844, heading
