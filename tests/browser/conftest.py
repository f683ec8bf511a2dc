"""Real headless Chromium (Debian's package) driven by Playwright for Python."""

import os
import shutil

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Chromium's own network chatter would only hit this machine's closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}; `make test` installs Debian's chromium package.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="de-DE")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(autouse=True)
def site_content(transactional_db):
    """The content the migrations bring, which transactional tests lose when tables are flushed."""
    from cookie_consent.cache import delete_cache
    from cookie_consent.models import Cookie, CookieGroup

    from consent.seed import consent_groups_create
    from events.models import NetflixTerms
    from events.seed import netflix_terms_create
    from faq.models import Entry
    from faq.services import faq_import_seed

    if not Entry.objects.exists():
        faq_import_seed()
    consent_groups_create(cookie_group_model=CookieGroup, cookie_model=Cookie)
    netflix_terms_create(terms_model=NetflixTerms)
    delete_cache()
