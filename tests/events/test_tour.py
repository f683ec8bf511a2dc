import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import override
from icalendar import Calendar

from events import services
from events.models import Screening

pytestmark = pytest.mark.django_db


def make_screenings_off_the_tour(client, make_screening, field, values):
    """One screening for each reason to stay off the tour, told apart by `field`: not approved, not opted
    in, unconfirmed, cancelled by its host, over."""
    not_approved, not_opted_in, unconfirmed, cancelled, over = values
    make_screening(approve=False, **{field: not_approved})
    make_screening(approve=True, publish_on_tour=False, **{field: not_opted_in})
    make_screening(approve=True, confirm=False, **{field: unconfirmed})
    _screening, token = make_screening(approve=True, **{field: cancelled})
    client.post(f"/de/screenings/manage/{token}/cancel/")
    past, _ = make_screening(approve=True, **{field: over})
    Screening.objects.filter(pk=past.pk).update(starts_at=timezone.now() - timedelta(hours=3))


def test_the_tour_shows_only_approved_opted_in_confirmed_upcoming_screenings(client, make_screening):
    make_screening(approve=True, title="Sichtbar")
    hidden_titles = ("Nicht freigegeben", "Nicht gewünscht", "Nicht bestätigt", "Abgesagt", "Vorbei")
    make_screenings_off_the_tour(client, make_screening, "title", hidden_titles)
    html = client.get("/de/tour/").content.decode()
    assert "Sichtbar" in html
    for hidden in hidden_titles:
        assert hidden not in html, hidden


def test_the_tour_never_shows_an_email_address_or_the_online_link(client, make_screening):
    make_screening(
        approve=True,
        format="virtual",
        city="",
        country="",
        online_url="https://meet.example.org/geheim",
        email="private@example.org",
    )
    html = client.get("/en/tour/").content.decode()
    assert "private@example.org" not in html and "meet.example.org" not in html
    assert "Online" in html


def test_everything_a_host_typed_is_escaped_on_the_tour(client, make_screening):
    make_screening(
        approve=True,
        title='<script>alert("t")</script>',
        organisation="<img src=x onerror=alert(1)>",
        city="<b>Köln</b>",
    )
    html = client.get("/de/tour/").content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>Köln</b>" not in html
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;" in html


def test_local_date_and_time_with_time_zone(client, make_screening):
    start = datetime(2030, 5, 17, 19, 30, tzinfo=ZoneInfo("America/New_York"))
    make_screening(approve=True, starts_at=start, timezone="America/New_York", city="New York", country="US")
    german = client.get("/de/tour/").content.decode()
    assert "17. Mai 2030, 19:30 Uhr</time> (Vereinigte Staaten von Amerika – New York)" in german
    assert "New York, Vereinigte Staaten von Amerika" in german
    english = client.get("/en/tour/").content.decode()
    assert "17 May 2030, 19:30</time> (United States of America – New York)" in english
    assert 'datetime="2030-05-17T19:30:00-04:00"' in english


def test_soonest_first_with_filters_and_pages(client, make_screening):
    now = timezone.now()
    for n in range(25):
        make_screening(
            approve=True,
            title=f"Abend {n:02d}",
            starts_at=now + timedelta(days=n + 1),
            format="virtual" if n % 2 else "in_person",
            city="" if n % 2 else "Wien",
            country="" if n % 2 else "AT",
        )
    html = client.get("/de/tour/").content.decode()
    titles = re.findall(r"<h2><a [^>]+>(Abend \d\d)</a></h2>", html)
    assert titles == [f"Abend {n:02d}" for n in range(20)]
    assert "Seite 1 von 2" in html
    page_two = client.get("/de/tour/?page=2").content.decode()
    assert re.findall(r"<h2><a [^>]+>(Abend \d\d)</a></h2>", page_two) == [f"Abend {n:02d}" for n in range(20, 25)]
    virtual = client.get("/de/tour/?format=virtual").content.decode()
    assert all(int(t[-2:]) % 2 for t in re.findall(r"<h2><a [^>]+>(Abend \d\d)</a></h2>", virtual))
    austria = client.get("/de/tour/?country=AT").content.decode()
    assert all(int(t[-2:]) % 2 == 0 for t in re.findall(r"<h2><a [^>]+>(Abend \d\d)</a></h2>", austria))
    assert '<option value="AT" selected>Österreich</option>' in austria
    assert client.get("/de/tour/?country=XX&format=nonsense&page=abc").status_code == 200


def test_empty_tour_says_so(client):
    assert "There are no upcoming screenings on the tour right now." in client.get("/en/tour/").content.decode()


def test_tour_queries_do_not_grow_with_the_number_of_screenings(client, make_screening, settings):
    settings.PAGE_CACHE_SECONDS = 0  # count the queries of rendering, not of the page cache

    def count():
        with CaptureQueriesContext(connection) as captured:
            client.get("/de/tour/")
        return len(captured)

    make_screening(approve=True)
    client.get("/de/tour/")
    few = count()
    for n in range(30):
        make_screening(approve=True, title=f"S{n}", country="FR" if n % 2 else "DE")
    assert count() == few


def test_the_ics_feed_parses_and_carries_the_events_time_zone(client, make_screening):
    start = datetime(2030, 5, 17, 19, 30, tzinfo=ZoneInfo("America/New_York"))
    screening, _ = make_screening(
        approve=True,
        starts_at=start,
        timezone="America/New_York",
        title="NYC night",
        city="New York",
        country="US",
        email="secret@example.org",
    )
    make_screening(approve=False, title="Not approved")
    response = client.get("/en/tour/feed.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "NYC night"
    assert event.decoded("DTSTART") == start
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=2)
    assert "New York" in str(event["LOCATION"])
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    assert b"secret@example.org" not in response.content
    single = Calendar.from_ical(client.get(screening.get_ics_url()).content)
    assert len(single.walk("VEVENT")) == 1


def test_ics_of_a_screening_not_on_the_tour_is_404(client, make_screening):
    screening, _ = make_screening(approve=False)
    assert client.get(screening.get_ics_url()).status_code == 404


def test_the_country_filter_lists_exactly_the_countries_with_a_screening_on_the_tour(client, make_screening):
    make_screening(approve=True, country="FR")
    make_screening(approve=True, country="FR", title="Second French")
    make_screening(approve=True, country="AT")
    make_screening(approve=True, country="SE")
    make_screening(approve=True, country="", city="", format="virtual")
    make_screenings_off_the_tour(client, make_screening, "country", ("IT", "PL", "ES", "BE", "NL"))
    # A country whose only screening is over, between two that are listed: the walk must step past it.
    over, _ = make_screening(approve=True, country="CH")
    Screening.objects.filter(pk=over.pk).update(starts_at=timezone.now() - timedelta(days=30))
    make_screening(approve=True, country="CH", publish_on_tour=False)

    expected = set(Screening.objects.on_tour().exclude(country="").values_list("country", flat=True))
    assert expected == {"FR", "AT", "SE"}
    with override("de"):
        # Alphabetical as in a German list: Österreich among the O.
        assert services.tour_countries() == [("FR", "Frankreich"), ("AT", "Österreich"), ("SE", "Schweden")]
    html = client.get("/en/tour/").content.decode()
    assert re.findall(r'<option value="([A-Z]{2})"', html) == ["AT", "FR", "SE"]


def test_the_country_list_reads_the_tour_country_index_not_the_table(make_screening):
    for country in ("DE", "AT", "FR"):
        make_screening(approve=True, country=country)
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            with CaptureQueriesContext(connection) as captured:
                services.tour_countries()
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + captured.captured_queries[0]["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("SET enable_seqscan = on")
    # Every probe (first country, next country, an upcoming screening in it) is an index-only lookup.
    assert plan.count("Index Only Scan using events_screening_tour_country") == 3, plan
    assert "Seq Scan" not in plan and "Sort" not in plan, plan


def test_a_chosen_country_without_screenings_stays_chosen_in_the_filter(client):
    html = client.get("/de/tour/?country=AT").content.decode()
    assert '<option value="AT" selected>Österreich</option>' in html
    assert "Keine bevorstehenden Vorführungen passen zu Ihrer Auswahl" in html


def test_a_calendar_event_keeps_its_uid_however_the_feed_is_reached_and_ends_its_sentences_once(
    client, make_screening, settings
):
    settings.SITE_URL = "https://www.example.org"
    screening, _ = make_screening(approve=True, organisation="Verein „Digital & Frei“ e.V.")
    (event,) = Calendar.from_ical(client.get("/de/tour/feed.ics").content).walk("VEVENT")
    assert str(event["UID"]) == f"screening-{screening.pk}@www.example.org"
    assert str(event["DESCRIPTION"]).endswith("Veranstaltet von Verein „Digital & Frei“ e.V.")
