"""A page for every screening on the tour: what it shows, what it never shows, and when it is gone."""

import json
import re
from datetime import datetime, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import segno
from django.utils import timezone

from events import services
from events.models import Screening

pytestmark = pytest.mark.django_db

HOSTILE = '</script><script>alert("x")</script><!--'


def structured_data(html):
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    return json.loads(block)


def meta(html, key):
    match = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)
    return unescape(match.group(1)) if match else None


@pytest.fixture
def in_person(make_screening):
    start = datetime(2031, 3, 1, 19, 30, tzinfo=ZoneInfo("Europe/Vienna"))
    screening, _token = make_screening(
        approve=True,
        title="Filmabend im Hof",
        description="Wir zeigen den Film.\n\nDanach sprechen wir <b>darüber</b>.",
        accessibility_notes="Stufenloser Zugang.\nUntertitel auf Deutsch.",
        organisation="Medienwerkstatt Wien",
        starts_at=start,
        timezone="Europe/Vienna",
        city="Wien",
        country="AT",
        email="geheim@example.org",
    )
    return screening


@pytest.fixture
def virtual(make_screening):
    screening, _token = make_screening(
        approve=True,
        title="Online-Abend",
        format="virtual",
        city="",
        country="",
        online_url="https://meet.example.org/private-room-42",
        language="en",
        organisation="",
    )
    return screening


def test_the_page_shows_what_a_visitor_needs_and_the_tour_links_to_it(client, in_person):
    url = f"/de/tour/{in_person.pk}-filmabend-im-hof/"
    assert in_person.get_absolute_url() == url
    assert f'<a href="{url}">Filmabend im Hof</a>' in client.get("/de/tour/").content.decode()
    response = client.get(url)
    assert response.status_code == 200 and not response.cookies
    html = " ".join(response.content.decode().split())
    assert '<h1 id="screening-title">Filmabend im Hof</h1>' in html
    assert "<p>Wir zeigen den Film.</p> <p>Danach sprechen wir &lt;b&gt;darüber&lt;/b&gt;.</p>" in html
    assert "1. März 2031, 19:30 Uhr</time> (Österreich – Wien)" in html
    assert "Wien, Österreich" in html and "Medienwerkstatt Wien" in html and "Vor Ort" in html
    assert "Stufenloser Zugang.<br>Untertitel auf Deutsch." in html
    assert "<dt>Sprache</dt> <dd>Deutsch</dd>" in html
    assert "geheim@example.org" not in html and "Host" not in html.split("<main")[1].split("</main>")[0]


def test_the_online_link_is_never_on_the_public_page(client, virtual):
    html = client.get(virtual.get_absolute_url().replace("/de/", "/en/")).content.decode()
    assert "meet.example.org" not in html and "private-room-42" not in html
    data = structured_data(html)
    assert data["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert data["location"] == {
        "@type": "VirtualLocation",
        "url": f"http://testserver/en/tour/{virtual.pk}-online-abend/",
    }
    assert "organizer" not in data


def test_structured_data_and_previews(client, in_person):
    html = client.get(in_person.get_absolute_url()).content.decode()
    data = structured_data(html)
    assert data["@type"] == "Event" and data["name"] == "Filmabend im Hof"
    assert data["startDate"] == "2031-03-01T19:30:00+01:00" and data["endDate"] == "2031-03-01T21:30:00+01:00"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["location"]["@type"] == "Place"
    assert data["location"]["address"] == {"@type": "PostalAddress", "addressLocality": "Wien", "addressCountry": "AT"}
    assert data["organizer"] == {"@type": "Organization", "name": "Medienwerkstatt Wien"}
    page_url = f"http://testserver/de/tour/{in_person.pk}-filmabend-im-hof/"
    assert meta(html, "og:url") == page_url and meta(html, "og:title") == "Filmabend im Hof"
    assert meta(html, "og:description").startswith(
        "Vorführung von „Das soziale Dilemma“ in Wien, Österreich, am 1. März"
    )
    assert meta(html, "twitter:card") == "summary_large_image"
    assert meta(html, "og:image").startswith("http://testserver/static/img/og-de")
    assert f'<link rel="canonical" href="{page_url}">' in html
    assert (
        f'<link rel="alternate" hreflang="en" href="http://testserver/en/tour/{in_person.pk}-filmabend-im-hof/">'
        in html
    )


def test_no_text_a_host_types_can_leave_the_structured_data(client, make_screening):
    screening, _token = make_screening(
        approve=True, title=HOSTILE, description=HOSTILE, organisation=HOSTILE, city=HOSTILE
    )
    html = client.get(screening.get_absolute_url()).content.decode()
    assert html.count("<script") == html.count("</script>")
    assert '<script>alert("x")' not in html and "<!--" not in html
    data = structured_data(html)
    assert data["name"] == data["description"] == data["organizer"]["name"] == HOSTILE
    assert meta(html, "og:title") == HOSTILE


def test_add_to_calendar_links_carry_the_event_in_utc(client, in_person):
    html = unescape(client.get(in_person.get_absolute_url()).content.decode())
    google = re.search(r'href="(https://calendar\.google\.com/calendar/render\?[^"]+)"', html).group(1)
    query = parse_qs(urlsplit(google).query)
    assert query["action"] == ["TEMPLATE"] and query["text"] == ["Filmabend im Hof"]
    assert query["dates"] == ["20310301T183000Z/20310301T203000Z"] and query["ctz"] == ["Europe/Vienna"]
    assert query["location"] == ["Wien, Österreich"]
    outlook = re.search(r'href="(https://outlook\.live\.com/calendar/0/deeplink/compose\?[^"]+)"', html).group(1)
    query = parse_qs(urlsplit(outlook).query)
    assert query["rru"] == ["addevent"] and query["subject"] == ["Filmabend im Hof"]
    assert query["startdt"] == ["2031-03-01T18:30:00Z"] and query["enddt"] == ["2031-03-01T20:30:00Z"]
    ics = client.get(in_person.get_ics_url()).content.decode()
    assert f"URL:http://testserver/de/tour/{in_person.pk}-filmabend-im-hof/" in ics.replace("\r\n ", "")


def test_the_qr_code_encodes_the_pages_address(client, in_person):
    html = client.get(in_person.get_absolute_url()).content.decode()
    drawn = re.search(r'<svg role="img" viewBox="[^"]+" class="qr-code">.*?</svg>', html, re.S).group(0)
    expected = segno.make(f"http://testserver/de/tour/{in_person.pk}-filmabend-im-hof/", error="m")
    assert re.search(r' d="([^"]+)"', drawn).group(1) == re.search(r' d="([^"]+)"', expected.svg_inline()).group(1)


def test_a_wrong_or_outdated_slug_leads_to_the_pages_address(client, in_person):
    response = client.get(f"/en/tour/{in_person.pk}-old-title/")
    assert response.status_code == 301 and response["Location"] == f"/en/tour/{in_person.pk}-filmabend-im-hof/"


def test_a_cancelled_or_past_screening_is_gone_and_leads_to_the_tour(client, in_person, make_screening):
    services.screening_cancel(screening=in_person)
    response = client.get(in_person.get_absolute_url())
    assert response.status_code == 410
    html = response.content.decode()
    assert "Diese Vorführung ist nicht mehr auf der Tour" in html and "Sie wurde abgesagt." in html
    assert 'href="/de/tour/"' in html and "Filmabend im Hof" not in html.split("<main")[1]
    past, _token = make_screening(approve=True, title="Vorbei")
    Screening.objects.filter(pk=past.pk).update(starts_at=timezone.now() - timedelta(hours=3))
    assert client.get(past.get_absolute_url()).status_code == 410
    services.screenings_remove_personal_data(days=0)
    assert client.get(f"/de/tour/{past.pk}-screening/").status_code == 410


@pytest.mark.parametrize(
    "fields",
    [
        {"approve": False},  # awaiting review
        {"approve": True, "publish_on_tour": False},  # the host did not ask for the tour
        {"approve": True, "confirm": False},  # the address is not confirmed
    ],
)
def test_a_screening_never_on_the_tour_has_no_page(client, make_screening, fields):
    screening, _token = make_screening(title="Privat", **fields)
    assert client.get(f"/de/tour/{screening.pk}-privat/").status_code == 404


def test_a_rejected_screening_has_no_page(client, make_screening):
    screening, _token = make_screening(title="Abgelehnt")
    services.screening_review(screenings=Screening.objects.filter(pk=screening.pk), approve=False)
    assert client.get(f"/de/tour/{screening.pk}-abgelehnt/").status_code == 404
    assert client.get("/de/tour/999999-nichts/").status_code == 404


def test_the_sitemap_lists_the_pages_of_screenings_on_the_tour(client, in_person, virtual, make_screening):
    hidden, _token = make_screening(title="Versteckt")
    sitemap = client.get("/sitemap.xml").content.decode()
    for language in ("de", "en"):
        assert f"http://testserver/{language}/tour/{in_person.pk}-filmabend-im-hof/" in sitemap
        assert f"http://testserver/{language}/tour/{virtual.pk}-online-abend/" in sitemap
    assert f"/tour/{hidden.pk}-" not in sitemap and "meet.example.org" not in sitemap


def test_hosts_note_accessibility_and_a_change_is_reviewed_again(client, make_screening):
    screening, token = make_screening(approve=True, title="Mit Zugang")
    html = client.get(f"/de/screenings/manage/{token}/").content.decode()
    assert 'name="accessibility_notes"' in html
    review_again = services.screening_update(
        screening=screening, data={"accessibility_notes": "Rollstuhlgerecht, Induktionsschleife."}
    )
    screening.refresh_from_db()
    assert review_again and screening.accessibility_notes == "Rollstuhlgerecht, Induktionsschleife."
    # A public field changed: staff look again, while the page stays (its links are printed and shared).
    assert screening.shown_on_tour and screening.tour_changed_at is not None


def test_the_address_without_the_titles_words_leads_to_the_page(client, in_person):
    response = client.get(f"/de/tour/{in_person.pk}/")
    assert response.status_code == 301 and response["Location"] == in_person.get_absolute_url()
    assert client.get("/de/tour/999999/").status_code == 404


def test_the_printed_flyer_carries_the_pages_short_address(client, in_person, settings):
    html = " ".join(client.get(in_person.get_absolute_url()).content.decode().split())
    assert f'<span class="print-only">Oder eingeben: {settings.SITE_URL}/de/tour/{in_person.pk}/</span>' in html
