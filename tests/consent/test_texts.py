"""What the consent texts say must be true in every configuration: with and without a third-party analytics
script (ANALYTICS_SCRIPT_URL), and the same on every page that speaks of cookies."""

import re

import pytest
from cookie_consent.models import CookieGroup

from consent.seed import GROUPS

pytestmark = pytest.mark.django_db

SCRIPT = "https://stats.example.org/js/script.js"
ORIGIN = "https://stats.example.org"
# What the texts said before, untrue with the script (or with any configuration, for the analytics cookies).
NEVER_SHARE = {"de": "Wir geben nie Daten weiter", "en": "We never share or sell data"}
ANALYTICS_COOKIES = {
    "de": [
        "Wir verwenden Cookies nur für grundlegende Website-Statistik",
        "Wir verwenden Cookies nur, um zu verstehen",
    ],
    "en": ["We use cookies only for basic site analytics", "We use cookies only to understand"],
}
NO_COOKIES_IN_CATEGORY = {"de": "Diese Kategorie setzt keine Cookies.", "en": "This category places no cookies."}


def text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def banner(client, language, **headers):
    html = client.get(f"/{language}/", **headers).content.decode()
    return text(re.search(r'<section class="consent-banner".*?</section>', html, flags=re.S).group(0))


def group_section(html, varname):
    start = f'<section class="cookie-group" aria-labelledby="group-{varname}">'
    return text(re.search(re.escape(start) + ".*?</section>", html, flags=re.S).group(0))


def lede(html):
    return text(re.search(r'<p class="lede">.*?</p>', html, flags=re.S).group(0))


@pytest.mark.parametrize("language", ["de", "en"])
def test_with_an_analytics_script_the_banner_names_it_and_promises_no_more_than_is_true(client, settings, language):
    settings.ANALYTICS_SCRIPT_URL = SCRIPT
    said = banner(client, language)
    assert ORIGIN in said
    assert NEVER_SHARE[language] not in said
    if language == "en":
        assert "receive your IP address and may set cookies" in said
        assert "We never sell data." in said


@pytest.mark.parametrize("language", ["de", "en"])
def test_with_an_analytics_script_the_settings_page_describes_it(client, settings, language):
    settings.ANALYTICS_SCRIPT_URL = SCRIPT
    html = client.get(f"/{language}/cookies/").content.decode()
    analytics = group_section(html, "analytics")
    assert ORIGIN in analytics
    assert NO_COOKIES_IN_CATEGORY[language] not in analytics
    assert ORIGIN in lede(html) and NEVER_SHARE[language] not in lede(html)
    # The trailer's category is as it was.
    assert "youtube.com" in group_section(html, "trailer")
    if language == "en":
        assert "In addition, an analytics script is loaded from https://stats.example.org: its provider" in analytics
        assert "the provider of the analytics script may set its own" in analytics


@pytest.mark.parametrize("language", ["de", "en"])
def test_without_an_analytics_script_no_text_speaks_of_one(client, settings, language):
    settings.ANALYTICS_SCRIPT_URL = ""
    html = client.get(f"/{language}/cookies/").content.decode()
    for said in (banner(client, language), text(html)):
        assert "stats.example.org" not in said and "script" not in said.lower()
    assert NO_COOKIES_IN_CATEGORY[language] in group_section(html, "analytics")
    if language == "en":
        assert NEVER_SHARE["en"] in banner(client, language)


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_privacy_signals_banner_stays_true_with_a_script(client, settings, language):
    settings.ANALYTICS_SCRIPT_URL = SCRIPT
    said = banner(client, language, HTTP_SEC_GPC="1")
    assert "Global Privacy Control" in said


@pytest.mark.parametrize("script", ["", SCRIPT], ids=["without script", "with script"])
@pytest.mark.parametrize("language", ["de", "en"])
def test_no_page_says_that_our_own_analytics_use_cookies(client, settings, language, script):
    """Analytics count page views without cookies (consent.models.DailyCount); the only cookie of our own is
    the record of the choice; the trailer's are YouTube's (and the script's, its provider's)."""
    settings.ANALYTICS_SCRIPT_URL = script
    pages = {path: text(client.get(f"/{language}{path}").content.decode()) for path in ("/privacy/", "/cookies/")}
    for path, said in pages.items():
        for claim in ANALYTICS_COOKIES[language]:
            assert claim not in said, (path, claim)
        assert ORIGIN in said if script else ORIGIN not in said
    if language == "en":
        for path, said in pages.items():
            assert "This website sets a single cookie of its own for you" in said, path
        assert "Our analytics count page views without cookies." in pages["/cookies/"] or script
        assert "Our own analytics count page views without cookies." in pages["/cookies/"] or not script


def test_the_seeded_analytics_description_speaks_only_of_our_own_count():
    """The description is created once and then belongs to staff: it may not depend on a setting, so it
    describes our own count only; the settings page adds the script where there is one."""
    analytics = next(group for group in GROUPS if group["varname"] == "analytics")
    assert "This count places no cookies" in analytics["description_en"]
    assert "Diese Zählung setzt keine Cookies" in analytics["description_de"]
    for text_ in (analytics["description_de"], analytics["description_en"]):
        assert "ohne Cookies, ohne IP-Adresse" not in text_ and "without cookies, without your IP" not in text_
    assert CookieGroup.objects.get(varname="analytics").description_en == analytics["description_en"]


def test_the_old_analytics_description_is_updated_unless_staff_edited_it():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("consent.migrations.0004_analytics_description_scoped")
    before = migration.ANALYTICS_BEFORE
    groups = CookieGroup.objects.filter(varname="analytics")
    groups.update(description=before["description_de"], description_de=before["description_de"], description_en="Ours.")
    migration.update_description(apps, None)
    group = groups.get()
    assert group.description_de.startswith("Wir zählen") and "Diese Zählung" in group.description_de
    assert group.description == group.description_de
    assert group.description_en == "Ours."
    groups.update(description_en=before["description_en"])
    migration.update_description(apps, None)
    assert "This count places no cookies" in groups.get().description_en
