"""Consent journeys in real Chromium, with and without JavaScript."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from consent.models import DailyCount

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def context_factory(browser, live_server):
    contexts = []

    def make(**options):
        context = browser.new_context(base_url=live_server.url, **options)
        # Never let the browser reach a third party: YouTube requests are answered locally with an empty page.
        context.route("https://www.youtube-nocookie.com/**", lambda route: route.fulfill(status=200, body=""))
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def cookie_names(context):
    return sorted(cookie["name"] for cookie in context.cookies())


def test_fresh_visit_sets_no_cookie_and_requests_nothing_from_a_third_party(context_factory, live_server):
    context = context_factory()
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    for path in ("/de/", "/de/faq/", "/de/faq/?q=daten", "/de/cookies/", "/en/"):
        page.goto(path)
    assert cookie_names(context) == []
    assert requests and all(url.startswith(live_server.url) for url in requests), requests


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no javascript"])
def test_no_public_page_sets_a_cookie_before_a_choice_not_even_after_a_sent_form(
    context_factory, make_screening, javascript
):
    from django.urls import reverse
    from django.utils import translation

    from tests.pages import PUBLIC_PAGES

    _screening, token = make_screening(approve=True)
    _unconfirmed, unconfirmed_token = make_screening(confirm=False, email="other@example.org")
    context = context_factory(java_script_enabled=javascript)
    page = context.new_page()
    paths = [f"/de/screenings/manage/{token}/", f"/de/screenings/manage/{unconfirmed_token}/", "/de/gibt-es-nicht/"]
    for language in ("de", "en"):
        with translation.override(language):
            paths += [reverse(name) for name in PUBLIC_PAGES]
    for path in paths:
        page.goto(path)
        assert cookie_names(context) == [], path
    # A form refused by the server (an address the browser lets through, the site does not), then one
    # accepted: the site answers, and still no cookie.
    page.goto("/de/screenings/link/")
    page.get_by_label("E-Mail-Adresse").fill("jemand@beispiel")
    page.get_by_role("button", name="Link senden").click()
    assert "gültige E-Mail-Adresse" in page.content()
    page.get_by_label("E-Mail-Adresse").fill("jemand@example.org")
    page.get_by_role("button", name="Link senden").click()
    page.wait_for_url("**/de/screenings/link/?sent=1")
    assert cookie_names(context) == []


def test_accept_all_with_javascript_hides_the_banner_without_reload_and_counts_views(context_factory):
    context = context_factory()
    page = context.new_page()
    page.goto("/de/faq/")
    page.evaluate("window.__notReloaded = true")
    banner = page.get_by_role("region", name="Cookies und Datenschutz")
    banner.get_by_role("button", name="Alle akzeptieren").click()
    page.wait_for_selector("#consent-banner", state="detached")
    assert page.evaluate("window.__notReloaded") is True
    assert page.locator("#consent-status").inner_text() == "Ihre Cookie-Auswahl wurde gespeichert."
    assert cookie_names(context) == ["cookie_consent"]
    assert not DailyCount.objects.exists()
    page.goto("/de/")
    assert page.locator("#consent-banner").count() == 0
    assert DailyCount.objects.get(path="/de/").count == 1


def test_accepting_in_the_banner_with_javascript_updates_the_trailers_button(context_factory):
    page = context_factory().new_page()
    page.goto("/en/")
    assert page.get_by_role("button", name="Play trailer (loads the video from YouTube, which sets cookies)").count()
    assert page.locator(".trailer__note").count() == 1
    page.get_by_role("region", name="Cookies and privacy").get_by_role("button", name="Accept all").click()
    page.wait_for_selector("#consent-banner", state="detached")
    assert page.get_by_role("button", name="Play trailer", exact=True).count() == 1
    assert page.locator(".trailer__note").count() == 0 and page.locator("iframe").count() == 0
    # Declining changes nothing: the button still says what pressing it means.
    page = context_factory().new_page()
    page.goto("/en/")
    page.get_by_role("region", name="Cookies and privacy").get_by_role("button", name="Decline all").click()
    page.wait_for_selector("#consent-banner", state="detached")
    assert page.locator(".trailer__note").count() == 1


def test_decline_all_without_javascript_leaves_only_the_consent_record(context_factory):
    context = context_factory(java_script_enabled=False)
    page = context.new_page()
    page.goto("/en/faq/")
    page.get_by_role("region", name="Cookies and privacy").get_by_role("button", name="Decline all").click()
    page.wait_for_url("**/en/faq/")
    assert page.locator("#consent-banner").count() == 0
    assert cookie_names(context) == ["cookie_consent"]
    page.goto("/en/")
    assert not DailyCount.objects.exists()
    assert page.locator("iframe").count() == 0


def test_per_group_choice_on_the_settings_page_without_javascript(context_factory):
    context = context_factory(java_script_enabled=False)
    page = context.new_page()
    page.goto("/de/cookies/")
    page.get_by_role("group", name="Ihre Auswahl für „Statistik“").get_by_label("Erlauben", exact=True).check()
    page.get_by_role("group", name="Ihre Auswahl für „Trailer“").get_by_label("Nicht erlauben").check()
    page.get_by_role("button", name="Meine Auswahl speichern").click()
    page.wait_for_url("**/de/cookies/?saved=1#saved")
    assert page.get_by_role("status").filter(has_text="gespeichert").count() == 1
    page.goto("/de/")
    assert DailyCount.objects.filter(path="/de/").exists()
    assert "lädt das Video von YouTube" in page.locator(".trailer__play").inner_text()
    # Withdraw analytics: counting stops.
    page.goto("/de/cookies/")
    page.get_by_role("group", name="Ihre Auswahl für „Statistik“").get_by_label("Nicht erlauben").check()
    page.get_by_role("button", name="Meine Auswahl speichern").click()
    page.wait_for_url("**/de/cookies/?saved=1#saved")
    before = DailyCount.objects.get(path="/de/").count
    page.goto("/de/")
    assert DailyCount.objects.get(path="/de/").count == before


def test_trailer_button_with_javascript_records_consent_and_shows_the_embed(context_factory):
    context = context_factory()
    page = context.new_page()
    page.goto("/en/")
    assert page.locator("iframe").count() == 0
    page.get_by_role("button", name="Play trailer (loads the video from YouTube, which sets cookies)").click()
    iframe = page.locator(".trailer__frame iframe")
    iframe.wait_for()
    assert iframe.get_attribute("src").startswith("https://www.youtube-nocookie.com/embed/")
    assert "trailer=20" in next(c["value"] for c in context.cookies() if c["name"] == "cookie_consent")
    # The banner still asks about analytics, which the button did not decide.
    assert page.locator("#consent-banner").count() == 1


def test_trailer_button_without_javascript(context_factory):
    context = context_factory(java_script_enabled=False)
    page = context.new_page()
    page.goto("/de/")
    page.get_by_role("button", name="Trailer abspielen (lädt das Video von YouTube, das Cookies setzt)").click()
    page.wait_for_url("**/de/?trailer=play#trailer")
    assert page.locator(".trailer__frame iframe").get_attribute("src").startswith("https://www.youtube-nocookie.com/")


def test_banner_is_usable_with_the_keyboard_alone(context_factory):
    context = context_factory()
    page = context.new_page()
    page.goto("/de/")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Alle ablehnen":
            break
    else:
        pytest.fail("the banner's buttons are not reachable with Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("#consent-banner", state="detached")
    assert cookie_names(context) == ["cookie_consent"]


def test_global_privacy_control_in_the_browser(context_factory):
    context = context_factory(extra_http_headers={"Sec-GPC": "1"})
    page = context.new_page()
    page.goto("/en/")
    assert "Global Privacy Control" in page.locator("#consent-banner").inner_text()
    page.goto("/en/faq/")
    assert not DailyCount.objects.exists()


@pytest.mark.parametrize("path", ["/de/", "/en/", "/de/cookies/", "/en/cookies/"])
def test_banner_and_settings_page_have_no_serious_accessibility_violation(context_factory, path):
    page = context_factory().new_page()
    page.goto(path)
    results = Axe().run(page)
    serious = [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious


def test_accept_all_without_javascript(context_factory):
    context = context_factory(java_script_enabled=False)
    page = context.new_page()
    page.goto("/de/faq/")
    page.get_by_role("region", name="Cookies und Datenschutz").get_by_role("button", name="Alle akzeptieren").click()
    page.wait_for_url("**/de/faq/")
    assert page.locator("#consent-banner").count() == 0
    assert cookie_names(context) == ["cookie_consent"]
    assert DailyCount.objects.get(path="/de/faq/").count == 1


def test_decline_all_with_javascript(context_factory):
    context = context_factory()
    page = context.new_page()
    page.goto("/en/")
    page.get_by_role("region", name="Cookies and privacy").get_by_role("button", name="Decline all").click()
    page.wait_for_selector("#consent-banner", state="detached")
    assert cookie_names(context) == ["cookie_consent"]
    page.goto("/en/faq/")
    assert not DailyCount.objects.exists()


def test_withdrawing_consent_removes_the_groups_cookies_in_the_browser(context_factory, live_server):
    from cookie_consent.models import Cookie, CookieGroup

    Cookie.objects.create(cookiegroup=CookieGroup.objects.get(varname="analytics"), name="_pk_id", description="tag")
    context = context_factory()
    page = context.new_page()
    page.goto("/de/cookies/")
    page.get_by_role("group", name="Ihre Auswahl für „Statistik“").get_by_label("Erlauben", exact=True).check()
    page.get_by_role("group", name="Ihre Auswahl für „Trailer“").get_by_label("Nicht erlauben").check()
    page.get_by_role("button", name="Meine Auswahl speichern").click()
    page.wait_for_url("**saved=1#saved")
    # A third-party analytics tag would now set its first-party cookie.
    context.add_cookies([{"name": "_pk_id", "value": "abc", "url": live_server.url}])
    assert "_pk_id" in cookie_names(context)
    page.get_by_role("group", name="Ihre Auswahl für „Statistik“").get_by_label("Nicht erlauben").check()
    page.get_by_role("button", name="Meine Auswahl speichern").click()
    page.wait_for_url("**saved=1#saved")
    assert cookie_names(context) == ["cookie_consent"]


def test_settings_page_is_usable_with_the_keyboard_alone(context_factory):
    context = context_factory()
    page = context.new_page()
    page.goto("/en/cookies/")
    reached = []
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.name || document.activeElement.textContent"))
        if reached[-1] == "analytics":
            break
    else:
        pytest.fail(f"the choices are not reachable with Tab: {reached}")
    page.keyboard.press("Space")  # the first radio: allow
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "trailer":
            break
    page.keyboard.press("ArrowDown")  # radios move with the arrow keys: do not allow
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Save my choice":
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**saved=1#saved")
    value = next(c["value"] for c in context.cookies() if c["name"] == "cookie_consent")
    assert "analytics=" in value and "analytics=-1" not in value and "trailer=-1" in value


def test_gpc_banner_has_no_serious_accessibility_violation(context_factory):
    page = context_factory(extra_http_headers={"Sec-GPC": "1"}).new_page()
    page.goto("/de/")
    results = Axe().run(page)
    assert not [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
