import re

import pytest
from cookie_consent.models import Cookie, CookieGroup, LogItem
from django.urls import reverse
from django.utils import translation

from consent.models import DailyCount
from tests.pages import PAGES_WITH_FORMS, PUBLIC_PAGES

pytestmark = pytest.mark.django_db

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"}


def public_paths():
    for language in ("de", "en"):
        with translation.override(language):
            yield from (reverse(name) for name in PUBLIC_PAGES)
            yield reverse("faq:index") + "?q=daten"
            yield reverse("faq:index") + "?q=%3Cb%3E"


def consent_cookie(response):
    return response.cookies["cookie_consent"].value


@pytest.mark.parametrize("path", list(public_paths()))
def test_fresh_visitor_receives_no_cookie_at_all(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert not response.cookies, response.cookies
    assert "Set-Cookie" not in str(response.headers)
    assert 'id="consent-banner"' in response.content.decode() or "/cookies/" in path


@pytest.mark.parametrize("name", sorted(PAGES_WITH_FORMS))
def test_pages_with_forms_carry_no_csrf_token(client, name):
    response = client.get(reverse(name))
    assert not response.cookies
    assert "csrfmiddlewaretoken" not in response.content.decode()


def test_pages_vary_on_the_consent_cookie_and_the_privacy_signal(client):
    vary = client.get("/de/faq/")["Vary"]
    assert "Cookie" in vary and "Sec-GPC" in vary


def test_banner_offers_accept_and_decline_with_equal_weight_and_the_settings_link(client):
    html = client.get("/de/").content.decode()
    banner = re.search(r'<section class="consent-banner".*?</section>', html, flags=re.S).group(0)
    buttons = re.findall(r'<button type="submit" class="([^"]+)">([^<]+)</button>', banner)
    assert buttons == [("button", "Alle akzeptieren"), ("button", "Alle ablehnen")]
    assert 'href="/de/cookies/"' in banner
    assert 'aria-labelledby="consent-banner-title"' in banner
    assert "csrfmiddlewaretoken" not in banner


def test_accept_all_records_every_optional_group_and_returns_to_the_page(client):
    response = client.post("/de/cookies/accept/", {"next": "/de/faq/"}, **SAME_ORIGIN)
    assert response.status_code == 302 and response["Location"] == "/de/faq/"
    assert set(response.cookies) == {"cookie_consent"}
    value = consent_cookie(response)
    assert "analytics=" in value and "trailer=20" in value
    assert 'id="consent-banner"' not in client.get("/de/faq/").content.decode()
    assert LogItem.objects.filter(action=1).count() == 2


def test_decline_all_leaves_only_the_consent_record(client):
    response = client.post("/en/cookies/decline/", {"next": "/en/"}, **SAME_ORIGIN)
    assert set(response.cookies) == {"cookie_consent"}
    assert consent_cookie(response) == "analytics=-1|trailer=-1"
    page = client.get("/en/")
    assert not page.cookies
    assert 'id="consent-banner"' not in page.content.decode()
    assert LogItem.objects.filter(action=-1).count() == 2


def test_consent_record_lives_at_most_13_months(client):
    response = client.post("/de/cookies/decline/", **SAME_ORIGIN)
    cookie = response.cookies["cookie_consent"]
    assert 0 < int(cookie["max-age"]) <= 396 * 24 * 60 * 60
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_open_redirects_are_refused(client):
    response = client.post("/de/cookies/decline/", {"next": "https://evil.example/"}, **SAME_ORIGIN)
    assert response["Location"] == "/de/"


def test_settings_page_shows_every_group_with_its_cookies_and_the_current_choice(client):
    html = client.get("/de/cookies/").content.decode()
    for name in ("Notwendig", "Statistik", "Trailer"):
        assert f">{name}</h2>" in html
    for cookie in ("cookie_consent", "csrftoken", "sessionid", "YSC", "VISITOR_INFO1_LIVE"):
        assert f"<code>{cookie}</code>" in html
    assert "noch nicht gewählt" in html
    english = client.get("/en/cookies/").content.decode()
    assert ">Necessary</h2>" in english and ">Analytics</h2>" in english
    assert "not chosen yet" in english


def test_per_group_choice_and_change_of_mind(client):
    response = client.post("/de/cookies/save/", {"analytics": "accept", "trailer": "decline"}, **SAME_ORIGIN)
    assert response.status_code == 302 and response["Location"] == "/de/cookies/?saved=1#saved"
    state = client.get("/de/cookies/?saved=1")
    html = state.content.decode()
    assert "Ihre Cookie-Einstellungen wurden gespeichert." in html
    assert re.search(r'name="analytics" value="accept"[^>]*checked', html)
    assert re.search(r'name="trailer" value="decline"[^>]*checked', html)
    # Withdrawal: the visitor changes their mind.
    client.post("/de/cookies/save/", {"analytics": "decline", "trailer": "decline"}, **SAME_ORIGIN)
    assert re.search(r'name="analytics" value="decline"[^>]*checked', client.get("/de/cookies/").content.decode())


def test_settings_form_without_a_choice_is_shown_again_with_a_message(client):
    response = client.post("/en/cookies/save/", {"analytics": "accept"}, **SAME_ORIGIN)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please choose whether to allow this category." in html
    assert re.search(r'name="analytics" value="accept"[^>]*checked', html)
    assert not response.cookies
    # Summarised at the top like every form's errors, leading to the group's first choice.
    assert "<title>Error:" in html and '<h2 id="error-summary-title">Please check your entries</h2>' in html
    assert '<a href="#id_trailer_0">Trailer: Please choose whether to allow this category.</a>' in html
    assert 'id="id_trailer_0"' in html


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_SEC_FETCH_SITE": "same-site", "HTTP_ORIGIN": "https://sub.testserver"},
        {"HTTP_ORIGIN": "null"},
    ],
)
@pytest.mark.parametrize("endpoint", ["accept", "decline", "save", "trailer"])
def test_cross_site_post_records_no_consent(client, headers, endpoint):
    response = client.post(f"/de/cookies/{endpoint}/", {"analytics": "accept", "trailer": "accept"}, **headers)
    assert response.status_code == 403
    assert "Anfrage abgelehnt" in response.content.decode()
    assert not response.cookies
    assert not LogItem.objects.exists()


def test_origin_header_alone_from_our_own_site_is_accepted(client):
    response = client.post("/de/cookies/accept/", HTTP_ORIGIN="http://testserver")
    assert response.status_code == 302


def test_a_request_without_browser_headers_records_only_its_own_consent(client):
    """Neither Sec-Fetch-Site nor Origin: not a browser (curl), so no visitor was tricked into it."""
    response = client.post("/de/cookies/accept/")
    assert response.status_code == 302 and "cookie_consent" in response.cookies


def test_consent_endpoints_refuse_get(client):
    assert client.get("/de/cookies/accept/").status_code == 405


def test_global_privacy_control_counts_as_declined_until_an_explicit_choice(client):
    html = client.get("/de/", HTTP_SEC_GPC="1").content.decode()
    assert "Global Privacy Control" in html and "Ablehnung beibehalten" in html
    assert not DailyCount.objects.exists()
    settings_page = client.get("/de/cookies/", HTTP_SEC_GPC="1").content.decode()
    assert "Signal Global Privacy Control Ihres Browsers" in settings_page
    # An explicit choice on the settings page overrides the signal.
    client.post("/de/cookies/save/", {"analytics": "accept", "trailer": "decline"}, HTTP_SEC_GPC="1", **SAME_ORIGIN)
    client.get("/de/faq/", HTTP_SEC_GPC="1")
    assert DailyCount.objects.get(path="/de/faq/").count == 1
    assert "Global Privacy Control" not in client.get("/de/faq/", HTTP_SEC_GPC="1").content.decode()


def test_a_group_whose_cookies_changed_asks_again(client):
    client.post("/de/cookies/accept/", **SAME_ORIGIN)
    assert 'id="consent-banner"' not in client.get("/de/").content.decode()
    group = CookieGroup.objects.get(varname="trailer")
    Cookie.objects.create(cookiegroup=group, name="NEW_ONE", domain=".youtube.com", description="new")
    html = client.get("/de/").content.decode()
    assert 'id="consent-banner"' in html  # the trailer group's version changed
    assert "lädt das Video von YouTube" in html  # and the trailer is no longer allowed


def test_page_views_are_counted_only_with_consent_and_store_nothing_personal(client):
    client.get("/de/faq/")
    client.post("/de/cookies/decline/", **SAME_ORIGIN)
    client.get("/de/faq/")
    assert not DailyCount.objects.exists()
    client.post("/de/cookies/accept/", **SAME_ORIGIN)
    client.get("/de/faq/?q=private+search+words", HTTP_USER_AGENT="Secret/1.0", REMOTE_ADDR="203.0.113.7")
    client.get("/en/faq/")
    client.get("/de/does-not-exist/")
    client.get("/admin/login/")
    rows = list(DailyCount.objects.values_list("kind", "path", "language", "count"))
    assert sorted(rows) == [("page_view", "/de/faq/", "de", 1), ("page_view", "/en/faq/", "en", 1)]
    fields = {field.name for field in DailyCount._meta.get_fields()}
    assert fields == {"id", "day", "kind", "path", "language", "count"}
    stored = " ".join(str(value) for row in DailyCount.objects.values() for value in row.values())
    assert "203.0.113.7" not in stored and "Secret" not in stored and "private" not in stored


def test_one_client_counts_at_most_a_readers_number_of_page_views(client, settings):
    """Anyone can send the consent cookie; a script that does cannot make the page views what it likes."""
    settings.ANALYTICS_PAGE_VIEW_RATE_LIMIT = "3/h"
    client.cookies.load({settings.COOKIE_CONSENT_NAME: "analytics=9999|trailer=-1"})
    for _n in range(6):
        assert client.get("/de/privacy/", REMOTE_ADDR="203.0.113.8").status_code == 200
    client.get("/de/privacy/", REMOTE_ADDR="203.0.113.9")  # another reader
    assert DailyCount.objects.get(path="/de/privacy/").count == 4


def test_consent_log_holds_nothing_about_the_visitor(client):
    client.post("/de/cookies/accept/", REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Secret/1.0", **SAME_ORIGIN)
    assert {field.name for field in LogItem._meta.get_fields()} == {
        "id",
        "action",
        "cookiegroup",
        "version",
        "created",
    }


def test_withdrawing_consent_removes_the_groups_first_party_cookies(client):
    group = CookieGroup.objects.get(varname="analytics")
    Cookie.objects.create(cookiegroup=group, name="_pk_id", domain="", description="third-party analytics tag")
    client.post("/de/cookies/accept/", **SAME_ORIGIN)
    client.cookies["_pk_id"] = "abc"
    response = client.post("/de/cookies/save/", {"analytics": "decline", "trailer": "accept"}, **SAME_ORIGIN)
    assert response.cookies["_pk_id"].value == ""
    assert response.cookies["_pk_id"]["max-age"] == 0
    # and on any later page, should the cookie come back
    client.cookies["_pk_id"] = "abc"
    assert client.get("/de/").cookies["_pk_id"]["max-age"] == 0


def test_third_party_analytics_tag_only_with_consent(client, settings):
    settings.ANALYTICS_SCRIPT_URL = "https://stats.example.org/script.js"
    # The consent texts name the script's origin (tests/consent/test_texts.py); only consent loads it.
    assert '<script src="https://stats.example.org' not in client.get("/de/").content.decode()
    client.post("/de/cookies/save/", {"analytics": "decline", "trailer": "accept"}, **SAME_ORIGIN)
    assert '<script src="https://stats.example.org' not in client.get("/de/").content.decode()
    client.post("/de/cookies/save/", {"analytics": "accept", "trailer": "decline"}, **SAME_ORIGIN)
    assert '<script src="https://stats.example.org/script.js" defer></script>' in client.get("/de/").content.decode()


@pytest.mark.parametrize("path", ["/de/", "/en/", "/de/faq/", "/de/cookies/"])
def test_nothing_third_party_is_loaded_on_a_page_before_consent(client, path):
    """Links to other sites are fine (nothing loads until clicked); nothing may be loaded from them."""
    html = client.get(path).content.decode()
    loaded = re.findall(
        r'<(?:script|img|iframe|link|source|video|audio|embed|object)\b[^>]*?(?:src|href)="([^"]+)"', html
    )
    assert loaded
    for url in loaded:
        assert not url.startswith(("http://", "https://", "//")) or url.startswith("http://testserver/"), url
    assert "<iframe" not in html


def test_trailer_without_javascript_records_consent_counts_a_play_and_shows_the_embed(client):
    html = client.get("/en/").content.decode()
    assert "Play trailer (loads the video from YouTube, which sets cookies)" in html
    assert 'src="/static/img/trailer-poster.svg"' in html
    client.post("/en/cookies/save/", {"analytics": "accept", "trailer": "decline"}, **SAME_ORIGIN)
    response = client.post("/en/cookies/trailer/", **SAME_ORIGIN)
    assert response["Location"] == "/en/?trailer=play#trailer"
    assert "trailer=20" in consent_cookie(response)
    page = client.get("/en/?trailer=play").content.decode()
    assert '<iframe src="https://www.youtube-nocookie.com/embed/' in page
    assert DailyCount.objects.get(kind="trailer_play").count == 1
    # Once allowed, the button no longer warns, and the embed still waits for a press.
    home = client.get("/en/").content.decode()
    assert '<span class="trailer__label" data-consented-label="Play trailer">Play trailer</span>' in home
    assert "<iframe" not in home


def test_trailer_play_is_not_counted_without_analytics_consent(client):
    client.post("/de/cookies/trailer/", **SAME_ORIGIN)
    assert not DailyCount.objects.exists()


def test_staff_see_consent_rates_and_the_daily_chart(admin_client, client):
    client.post("/de/cookies/accept/", **SAME_ORIGIN)
    client.post("/de/cookies/decline/", **SAME_ORIGIN)
    client.get("/de/")
    html = admin_client.get("/admin/cookie_consent/logitem/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Zustimmungsraten pro Kategorie und Version" in html
    assert re.search(r"<td>analytics</td><td>[^<]*</td><td>1</td><td>1</td><td>50 %</td>", html)
    chart = admin_client.get("/admin/consent/dailycount/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "<svg" in chart and "Seitenaufrufe pro Tag" in chart
    assert chart.count("<rect") == 30


def test_staff_edit_cookie_groups_in_both_languages(admin_client):
    group = CookieGroup.objects.get(varname="analytics")
    html = admin_client.get(f"/admin/cookie_consent/cookiegroup/{group.pk}/change/").content.decode()
    for field in ("name_de", "name_en", "description_de", "description_en"):
        assert f'name="{field}"' in html


def test_a_hosts_private_page_is_never_counted(client, make_screening):
    _screening, token = make_screening()
    client.post("/de/cookies/accept/", **SAME_ORIGIN)
    assert client.get(f"/de/screenings/manage/{token}/").status_code == 200
    assert not DailyCount.objects.filter(path__contains="manage").exists()
    assert token not in " ".join(DailyCount.objects.values_list("path", flat=True))


def test_cookie_descriptions_from_before_cookie_free_forms_are_updated_unless_staff_edited_them():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("consent.migrations.0003_forms_without_csrf_cookie")
    old_group, old_cookie = migration.GROUP_BEFORE, migration.CSRF_COOKIE_BEFORE
    CookieGroup.objects.filter(varname="necessary").update(
        description=old_group["description_de"],
        description_de=old_group["description_de"],
        description_en="Staff wrote this.",
    )
    Cookie.objects.filter(name="csrftoken").update(
        description=old_cookie["description_de"],
        description_de=old_cookie["description_de"],
        description_en=old_cookie["description_en"],
    )
    migration.update_descriptions(apps, None)
    group = CookieGroup.objects.get(varname="necessary")
    assert "angemeldet zu halten" in group.description_de and group.description == group.description_de
    assert group.description_en == "Staff wrote this."
    cookie = Cookie.objects.get(name="csrftoken")
    assert "Besucherinnen und Besucher erhalten es nicht" in cookie.description_de == cookie.description
    assert cookie.description_en.startswith("Protects our team's sign-in")
