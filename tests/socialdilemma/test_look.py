"""One visual system and social previews on every page (issue #18)."""

import re
import struct
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from tests.pages import PUBLIC_PAGES, first_visit_requests

pytestmark = pytest.mark.django_db

STATIC = Path(__file__).resolve().parents[2] / "static"


def meta(html, name):
    match = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)">', html)
    return match and match.group(1)


def png_size(path):
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", header[16:24])


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_public_page_has_a_social_preview_in_its_language(client, language):
    other = {"de": "en_GB", "en": "de_DE"}[language]
    for name in PUBLIC_PAGES:
        with translation.override(language):
            path = reverse(name)
        html = client.get(path).content.decode()
        title = re.search(r"<title>(?:[^<]*: )?([^<]*) · ", html).group(1)
        assert meta(html, "og:title") == title or name == "home", path
        assert meta(html, "og:description") == meta(html, "description") != "", path
        assert meta(html, "og:url") == f"http://testserver{path}", path
        assert re.fullmatch(rf"http://testserver/static/img/og-{language}(\.[0-9a-f]+)?\.png", meta(html, "og:image"))
        assert meta(html, "og:locale") == {"de": "de_DE", "en": "en_GB"}[language]
        assert meta(html, "og:locale:alternate") == other
        assert meta(html, "twitter:card") == "summary_large_image"
        assert '<link rel="apple-touch-icon" href="/static/img/apple-touch-icon' in html
        assert 'href="https://www.netflix.com/title/81254224">' in html  # "watch on Netflix" in every footer


def test_the_images_have_the_sizes_previews_and_home_screens_expect():
    for language in ("de", "en"):
        assert png_size(STATIC / "img" / f"og-{language}.png") == (1200, 630)
    assert png_size(STATIC / "img" / "apple-touch-icon.png") == (180, 180)
    assert png_size(STATIC / "img" / "icon-512.png") == (512, 512)


def test_the_social_image_source_renders_the_sites_own_texts_in_each_language():
    from scripts.draw_social_images import og_image_svg

    german, english = og_image_svg("de"), og_image_svg("en")
    assert "Das soziale" in german and "Dilemma" in german and "Vorführung veranstalten" in german
    assert "The Social" in english and "Host a screening" in english
    assert not re.search(r'x="\d+,\d', german)  # numbers are not localised ("278,5" would be two)


def test_a_title_with_quotes_and_ampersands_is_escaped_once_in_every_place(client, make_screening):
    screening, _token = make_screening(approve=True, title='Kino & "Gespräch" <live>')
    html = client.get(screening.get_absolute_url()).content.decode()
    escaped = "Kino &amp; &quot;Gespräch&quot; &lt;live&gt;"
    assert f"<title>{escaped} · Das soziale Dilemma</title>" in html
    assert meta(html, "og:title") == escaped


def test_the_home_page_leads_to_netflix_and_to_hosting_first(client, settings):
    html = client.get("/de/").content.decode()
    start = html.index('<section class="hero"')
    hero = html[start : html.index("</section>", start)]
    assert f'href="{settings.NETFLIX_TITLE_URL}"' in hero and "Auf Netflix ansehen" in hero
    assert 'href="/de/screenings/"' in hero and "Vorführung veranstalten" in hero
    assert meta(html, "og:title") == "Das soziale Dilemma"
    assert 'class="hero__art"' in hero and 'aria-hidden="true"' in hero  # decorative, drawn inline: no request


def test_the_home_page_shows_the_next_screenings_on_the_tour(client, make_screening, settings):
    settings.PAGE_CACHE_SECONDS = 0
    assert "Zurzeit stehen keine Vorführungen auf der Tour" in client.get("/de/").content.decode()
    screenings = [make_screening(approve=True, title=f"Abend {n}", email=f"h{n}@example.org")[0] for n in range(4)]
    html = client.get("/de/").content.decode()
    shown = re.findall(r'<h3><a href="(/de/tour/[^"]+)">', html)
    assert len(shown) == 3 and all(path in [s.get_absolute_url() for s in screenings] for path in shown)
    assert 'href="/de/tour/"' in html


def test_the_stylesheet_defines_the_design_tokens_and_loads_nothing_from_elsewhere():
    css = (STATIC / "css" / "site.css").read_text()
    for token in ("--color-ink", "--color-accent", "--color-night", "--step-0", "--step-4", "--space-3", "--font-sans"):
        assert f"{token}:" in css, token
    assert "@import" not in css and "url(http" not in css and "@font-face" not in css


@pytest.mark.parametrize("path", ["/de/", "/en/", "/de/faq/", "/de/screenings/register/"])
def test_a_first_visit_stays_within_60_kb_compressed_with_one_render_blocking_request(client, path):
    import gzip

    from django.contrib.staticfiles import finders

    client.get(path)  # the page cache compresses what it keeps
    response = client.get(path, HTTP_ACCEPT_ENCODING="gzip")
    assert response.get("Content-Encoding") == "gzip"
    assets, blocking = first_visit_requests(client.get(path).content.decode())
    sizes = {"HTML": len(response.content)}
    for asset in assets:
        assert asset.startswith("/static/"), asset  # nothing from elsewhere
        sizes[asset] = len(gzip.compress(Path(finders.find(asset.removeprefix("/static/"))).read_bytes(), 9))
    assert sum(sizes.values()) <= 60_000, sizes
    assert blocking == 1


def test_private_pages_give_chat_previews_nothing(client, make_screening):
    _screening, token = make_screening(approve=True, title="Geheimer Abend")
    html = client.get(f"/de/screenings/manage/{token}/").content.decode()
    assert "og:" not in html and "twitter:" not in html and token not in html.split("</head>")[0]


def test_a_shared_search_previews_as_the_faq_not_as_the_words_typed(client):
    html = client.get("/de/faq/", {"q": "Konto gesperrt rufen Sie 0900 an"}).content.decode()
    assert meta(html, "og:title") == "Häufig gestellte Fragen"


def test_a_screening_under_way_is_no_longer_among_the_next_screenings(client, make_screening, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.PAGE_CACHE_SECONDS = 0
    running, _token = make_screening(approve=True, title="Läuft schon")
    type(running).objects.filter(pk=running.pk).update(starts_at=timezone.now() - timedelta(minutes=30))
    make_screening(approve=True, title="Kommt noch", email="later@example.org")
    html = client.get("/de/").content.decode()
    assert "Kommt noch" in html and "Läuft schon" not in html
