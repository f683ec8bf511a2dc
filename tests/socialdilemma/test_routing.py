import re
import subprocess
import sys

import pytest
from django.urls import reverse
from django.utils import translation

from tests.pages import PUBLIC_PAGES

pytestmark = pytest.mark.django_db


def url(name, language):
    with translation.override(language):
        return reverse(name)


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("en-US,en;q=0.9", "/en/"),
        ("de-DE,de;q=0.9,en;q=0.5", "/de/"),
        ("fr-FR,fr;q=0.9", "/de/"),
        ("", "/de/"),
        ("fr;q=0.9, en;q=0.8", "/en/"),
    ],
)
def test_root_redirects_by_accept_language(client, accept_language, expected):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept_language)
    assert response.status_code == 302
    assert response["Location"] == expected
    assert "Accept-Language" in response["Vary"]


@pytest.mark.parametrize("name", PUBLIC_PAGES)
@pytest.mark.parametrize(("language", "other"), [("de", "en"), ("en", "de")])
def test_page_answers_in_its_language_with_alternates_and_switch(client, name, language, other):
    path = url(name, language)
    assert path.startswith(f"/{language}/")
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    own, other_path = f"http://testserver{path}", f"http://testserver{url(name, other)}"
    assert f'<link rel="canonical" href="{own}">' in html
    assert f'<link rel="alternate" hreflang="{language}" href="{own}">' in html
    assert f'<link rel="alternate" hreflang="{other}" href="{other_path}">' in html
    # The switch leads to the same page in the other language.
    assert re.search(rf'<a href="{re.escape(other_path)}" hreflang="{other}" lang="{other}">', html)
    assert not response.cookies


def test_home_page_tells_the_film_in_brief_in_both_languages(client):
    german = client.get("/de/").content.decode()
    for fact in ("Das soziale Dilemma", "94 Minuten", "9. September 2020", "2018–2019", "Sundance"):
        assert fact in german
    english = client.get("/en/").content.decode()
    for fact in ("The Social Dilemma", "94 minutes", "9 September 2020", "2018–2019", "Sundance"):
        assert fact in english


@pytest.mark.parametrize(("language", "heading"), [("de", "Seite nicht gefunden"), ("en", "Page not found")])
def test_404_page_is_translated(client, language, heading):
    response = client.get(f"/{language}/does-not-exist/")
    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert heading in html
    assert 'name="robots" content="noindex"' in html


def test_unprefixed_unknown_path_is_404_in_the_visitors_language(client):
    response = client.get("/does-not-exist/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.parametrize(("language", "heading"), [("de", "Etwas ist schiefgelaufen"), ("en", "Something went wrong")])
def test_500_page_is_translated(client, language, heading, settings):
    from socialdilemma.views import server_error

    request = client.get(f"/{language}/").wsgi_request
    with translation.override(language):
        response = server_error(request)
    assert response.status_code == 500
    assert heading in response.content.decode()


def test_imprint_shows_configured_details_and_says_plainly_what_is_missing(client, settings):
    settings.IMPRINT = {
        "organisation": "Beispiel e. V.",
        "address_lines": ["Hauptstr. 1", "10115 Berlin"],
        "email": "",
    }
    html = client.get("/de/imprint/").content.decode()
    assert "Beispiel e. V." in html
    assert "Hauptstr. 1<br>10115 Berlin" in html
    assert "Noch nicht vom Betreiber angegeben." in html
    assert "lorem" not in html.lower()
    # What applies to some operators only is shown when set (and never as "not provided").
    assert "Vertreten durch" not in html and "Registereintrag" not in html and "Telefon" not in html
    settings.IMPRINT = {
        **settings.IMPRINT,
        "email": "kontakt@example.org",
        "represented_by": "Der Vorstand: Ada Muster, Ben Beispiel",
        "phone": "+49 (0)30 123 45-67",
        "phone_uri": "tel:+49301234567",
        "register": "Vereinsregister, Amtsgericht Berlin-Charlottenburg, VR 12345 B",
        "vat_id": "DE123456789",
        "responsible": "Ada Muster <Hauptstr. 1>",
    }
    html = client.get("/en/imprint/").content.decode()
    for shown in (
        "<dt>Represented by</dt>\n  <dd>Der Vorstand: Ada Muster, Ben Beispiel</dd>",
        '<a href="tel:+49301234567">+49 (0)30 123 45-67</a>',
        "<dt>Register entry</dt>\n  <dd>Vereinsregister, Amtsgericht Berlin-Charlottenburg, VR 12345 B</dd>",
        "<dd>DE123456789</dd>",
        "<dd>Ada Muster &lt;Hauptstr. 1&gt;</dd>",
    ):
        assert shown in html, shown
    assert "Not provided yet" not in html


def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_healthz_answers_503_without_a_stack_trace_when_the_database_is_down():
    # A real connection attempt to a port where no PostgreSQL listens, in a process of its own.
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client(HTTP_HOST='localhost').get('/healthz');"
        "print(r.status_code); print(r.content.decode())"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "socialdilemma.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/unreachable",
    }
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    status, body = result.stdout.split("\n", 1)
    assert status == "503", result.stderr
    assert body.strip() == "database unavailable"
    assert "Traceback" not in result.stdout


def test_admin_is_titled_for_the_site_in_both_languages(client, admin_user):
    client.force_login(admin_user)
    assert "Das soziale Dilemma – Verwaltung" in client.get("/admin/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "The Social Dilemma – administration" in client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_off_private_links(client, settings):
    settings.SITE_URL = "https://www.example.org"
    response = client.get("/robots.txt")
    text = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert "Sitemap: https://www.example.org/sitemap.xml" in text
    for private in ("/*/screenings/manage/", "/*/screenings/guest/", "/*/newsletter/unsubscribe/"):
        assert f"Disallow: {private}" in text
    assert "admin" not in text  # the admin's address is not advertised
    assert not response.cookies


def test_the_web_manifest_and_theme_colour(client):
    import json

    manifest = json.loads(client.get("/manifest.webmanifest").content)
    assert manifest["short_name"] == "Das soziale Dilemma" and manifest["theme_color"] == "#0d0e12"
    assert manifest["icons"][0]["type"] == "image/svg+xml"
    html = client.get("/de/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<meta name="theme-color" content="#0d0e12">' in html


def test_the_language_switch_keeps_the_tours_filters_and_page_but_not_a_search_word(client):
    html = client.get("/de/tour/?format=virtual&country=AT&page=1&utm_source=x").content.decode()
    assert '<a href="http://testserver/en/tour/?format=virtual&amp;country=AT&amp;page=1" hreflang="en"' in html
    # hreflang and canonical name the page itself.
    assert '<link rel="alternate" hreflang="en" href="http://testserver/en/tour/">' in html
    assert '<link rel="canonical" href="http://testserver/de/tour/">' in html
    # A search word belongs to one language; a hostile value is escaped like any other.
    html = client.get("/en/faq/?q=data").content.decode()
    assert '<a href="http://testserver/de/faq/" hreflang="de"' in html
    html = client.get('/de/tour/?country="><script>').content.decode()
    assert '<a href="http://testserver/en/tour/?country=%22%3E%3Cscript%3E" hreflang="en"' in html
