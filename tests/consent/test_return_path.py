"""Where the consent forms send a visitor back to. The page cache keeps one copy of a page for all addresses
that differ only in parameters it ignores (utm_…, fbclid): nothing of those may be in the page."""

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from consent.services import return_path
from tests.pages import PUBLIC_PAGES

pytestmark = pytest.mark.django_db

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"}
TRACKING = "utm_campaign=secret-id-123&utm_source=newsletter-4711&fbclid=ABC-click-987&gclid=G-555"
SECRETS = ["secret-id-123", "newsletter-4711", "ABC-click-987", "G-555", "utm_", "fbclid", "gclid"]


def public_paths():
    for language in ("de", "en"):
        with translation.override(language):
            yield from (reverse(name) for name in PUBLIC_PAGES)
            yield reverse("faq:index") + "?q=daten"


def next_fields(html):
    return re.findall(r'<input type="hidden" name="next" value="([^"]*)">', html)


@pytest.mark.parametrize("path", list(public_paths()))
def test_no_page_carries_the_tracking_tags_of_its_address(client, path):
    """The first visitor's link (a campaign's, a click's identifier) must not reach later visitors through
    the cached page, nor travel back with their consent choice."""
    tagged = client.get(path + ("&" if "?" in path else "?") + TRACKING)
    assert tagged.status_code == 200
    for html in (tagged.content.decode(), client.get(path).content.decode()):
        for secret in SECRETS:
            assert secret not in html, secret


def test_the_repro_of_the_review(client):
    client.get("/en/code-of-conduct/?utm_campaign=secret-id-123&fbclid=ABC")
    html = client.get("/en/code-of-conduct/").content.decode()
    assert next_fields(html) == ["/en/code-of-conduct/", "/en/code-of-conduct/"]
    assert "utm" not in html and "fbclid=ABC" not in html


def test_the_banner_returns_to_the_page_with_the_parameters_pages_read(client, settings):
    html = client.get("/de/faq/?utm_source=x&q=daten&fbclid=y").content.decode()
    assert next_fields(html) == ["/de/faq/?q=daten", "/de/faq/?q=daten"]
    response = client.post("/de/cookies/accept/", {"next": next_fields(html)[0]}, **SAME_ORIGIN)
    assert response["Location"] == "/de/faq/?q=daten"


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("/de/", "/de/"),
        ("/de/?utm_medium=social", "/de/"),
        ("/de/screenings/tour/?country=DE&utm_x=1&page=2", "/de/screenings/tour/?country=DE&page=2"),
        ("/de/faq/?q=%C3%BCber+uns&fbclid=1", "/de/faq/?q=%C3%BCber+uns"),
        ("/de/faq/?q=", "/de/faq/?q="),
        ("/de/faq/?unknown=1", "/de/faq/"),
        ("/de/f%C3%BCr/", "/de/f%C3%BCr/"),
    ],
)
def test_return_path_keeps_only_the_parameters_in_the_page_caches_key(settings, address, expected):
    assert "q" in settings.PAGE_CACHE_QUERY_PARAMETERS and "utm_medium" not in settings.PAGE_CACHE_QUERY_PARAMETERS
    assert return_path(RequestFactory().get(address)) == expected


def test_a_parameter_added_to_the_page_caches_key_is_kept(settings):
    settings.PAGE_CACHE_QUERY_PARAMETERS = [*settings.PAGE_CACHE_QUERY_PARAMETERS, "section"]
    assert return_path(RequestFactory().get("/de/faq/?section=2&utm_source=x")) == "/de/faq/?section=2"
