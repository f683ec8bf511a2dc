"""CONSENT_RATE_LIMIT keeps one client from inflating the consent statistics and the play counts. It limits
only that: a visitor over it (a school, an office, a mobile network behind one address) still gets what
they asked for."""

import re

import pytest
from cookie_consent.models import CookieGroup, LogItem
from django.test import Client

from consent.models import DailyCount

pytestmark = pytest.mark.django_db

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"}
FETCH = {"HTTP_X_CONSENT_FETCH": "1"}
SAVE_ANALYTICS_ONLY = {"analytics": "accept", "trailer": "decline"}


def choices(response):
    """The consent cookie a response sets, as {group: value}."""
    value = response.cookies["cookie_consent"].value
    return dict(pair.split("=") for pair in value.split("|"))


def use_up_the_limit(settings, rate="2/h"):
    """Other visitors behind the same address make as many logged choices as the limit allows."""
    settings.CONSENT_RATE_LIMIT = rate
    for _ in range(int(rate.split("/")[0])):
        assert Client().post("/de/cookies/decline/", **SAME_ORIGIN).status_code == 302
    return LogItem.objects.count()


@pytest.mark.parametrize("script", [False, True], ids=["no javascript", "javascript"])
@pytest.mark.parametrize(
    ("endpoint", "data", "expected"),
    [
        ("accept", {"next": "/de/faq/"}, {"analytics": True, "trailer": True}),
        ("decline", {"next": "/de/faq/"}, {"analytics": False, "trailer": False}),
        ("save", {"analytics": "accept", "trailer": "decline"}, {"analytics": True, "trailer": False}),
    ],
)
def test_over_the_limit_a_choice_still_takes_effect_only_unlogged(client, settings, script, endpoint, data, expected):
    logged = use_up_the_limit(settings)
    response = client.post(f"/de/cookies/{endpoint}/", data, **SAME_ORIGIN, **(FETCH if script else {}))
    if endpoint == "save":  # the settings page's form is always sent without the script
        assert response.status_code == 302 and response["Location"] == "/de/cookies/?saved=1#saved"
    elif script:
        assert response.status_code == 204
    else:
        assert response.status_code == 302 and response["Location"] == "/de/faq/"
    chosen = choices(response)
    assert {group: value != "-1" for group, value in chosen.items()} == expected
    assert LogItem.objects.count() == logged  # the statistics stay as they were
    assert 'id="consent-banner"' not in client.get("/de/faq/").content.decode()  # the choice holds
    assert DailyCount.objects.filter(path="/de/faq/").exists() is expected["analytics"]


@pytest.mark.parametrize("script", [False, True], ids=["no javascript", "javascript"])
def test_over_the_limit_the_trailer_still_plays_but_is_not_counted(client, settings, script):
    client.post("/en/cookies/save/", SAVE_ANALYTICS_ONLY, **SAME_ORIGIN)
    logged = use_up_the_limit(settings)
    plays_before = DailyCount.objects.filter(kind="trailer_play").count()
    response = client.post("/en/cookies/trailer/", **SAME_ORIGIN, **(FETCH if script else {}))
    if script:
        assert response.status_code == 204
    else:
        assert response["Location"] == "/en/?trailer=play#trailer"
        page = client.get("/en/?trailer=play").content.decode()
        assert '<iframe src="https://www.youtube-nocookie.com/embed/' in page
    assert choices(response)["trailer"] != "-1"
    assert DailyCount.objects.filter(kind="trailer_play").count() == plays_before
    assert LogItem.objects.count() == logged


def test_under_the_limit_choices_are_logged_and_plays_counted(client, settings):
    settings.CONSENT_RATE_LIMIT = "3/h"
    client.post("/en/cookies/save/", SAVE_ANALYTICS_ONLY, **SAME_ORIGIN)
    client.post("/en/cookies/trailer/", **SAME_ORIGIN)
    assert LogItem.objects.count() == 3  # analytics, trailer declined, then trailer accepted
    assert DailyCount.objects.get(kind="trailer_play").count == 1
    client.post("/en/cookies/trailer/", **SAME_ORIGIN)  # the limit's third request
    assert DailyCount.objects.get(kind="trailer_play").count == 2
    client.post("/en/cookies/trailer/", **SAME_ORIGIN)  # over it
    assert DailyCount.objects.get(kind="trailer_play").count == 2


def test_only_requests_that_log_or_count_use_up_the_limit(client, settings):
    """A visitor who allowed the trailer but not analytics may play it again and again: nothing is logged
    or counted, so other visitors behind the same address are not held back by it."""
    settings.CONSENT_RATE_LIMIT = "1/h"
    version = CookieGroup.objects.get(varname="trailer").get_version()
    client.cookies["cookie_consent"] = f"analytics=-1|trailer={version}"
    for _ in range(5):
        assert client.post("/de/cookies/trailer/", **SAME_ORIGIN, **FETCH).status_code == 204
    assert not LogItem.objects.exists()
    Client().post("/de/cookies/accept/", **SAME_ORIGIN)
    assert LogItem.objects.count() == 2


def test_no_consent_endpoint_refuses_a_client_over_the_limit(client, settings):
    use_up_the_limit(settings, "1/h")
    for endpoint, data in [
        ("accept", {}),
        ("decline", {}),
        ("save", SAVE_ANALYTICS_ONLY),
        ("trailer", {}),
    ]:
        for headers in ({}, FETCH):
            response = Client().post(f"/de/cookies/{endpoint}/", data, **SAME_ORIGIN, **headers)
            assert response.status_code in (204, 302), (endpoint, headers, response.status_code)
            assert "cookie_consent" in response.cookies


# Every page a consent form answers with (not a redirect, not 204) must have language versions that exist:
# the language switch otherwise swaps the prefix of the form's own address, which only takes POST.
ANSWERS = [
    ("save", {}),
    ("save", {"analytics": "accept"}),
    ("save", {"analytics": "maybe", "trailer": "accept"}),
    ("accept", {"next": "https://evil.example/"}),
    ("decline", {}),
    ("trailer", {}),
]


def language_version_links(html):
    """The hreflang alternates in the head and the language switch's links."""
    head = re.findall(r'<link rel="alternate" hreflang="(\w+)" href="([^"]+)"', html)
    switch = re.findall(r'<a href="([^"]+)" hreflang="(\w+)" lang="\w+">', html)
    return {(code, url) for code, url in head} | {(code, url) for url, code in switch}


@pytest.mark.parametrize("over_the_limit", [False, True], ids=["under the limit", "over the limit"])
@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize(("endpoint", "data"), ANSWERS)
def test_every_page_a_consent_form_answers_with_links_existing_language_versions(
    client, settings, language, endpoint, data, over_the_limit
):
    if over_the_limit:
        use_up_the_limit(settings, "1/h")
    response = client.post(f"/{language}/cookies/{endpoint}/", data, **SAME_ORIGIN)
    if response.status_code in (204, 301, 302):
        return
    html = response.content.decode()
    links = language_version_links(html)
    assert {code for code, _url in links} == {"de", "en"}
    for code, url in links:
        assert url == f"http://testserver/{code}/cookies/", (code, url)
        assert Client().get(url).status_code == 200
    assert '<link rel="canonical" href="http://testserver/' + language + '/cookies/">' in html


@pytest.mark.parametrize(("language", "other"), [("de", "en"), ("en", "de")])
def test_switching_language_on_the_settings_forms_error_page_shows_the_settings_page(client, language, other):
    """Without JavaScript: save with nothing chosen (400), then press the other language in the header."""
    response = client.post(f"/{language}/cookies/save/", {}, **SAME_ORIGIN)
    assert response.status_code == 400
    html = response.content.decode()
    switch = re.search(rf'<a href="([^"]+)" hreflang="{other}"', html).group(1)
    assert switch == f"http://testserver/{other}/cookies/"
    page = client.get(switch)
    assert page.status_code == 200 and 'action="/' + other + '/cookies/save/"' in page.content.decode()
