"""Queries and memory that do not grow with the data (the benchmark measures the times)."""

import tracemalloc
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Screening
from events.services import screenings_csv_rows

pytestmark = pytest.mark.django_db


def add_screenings(terms, count, start=0):
    now = timezone.now()
    Screening.objects.bulk_create(
        [
            Screening(
                host_name="Host",
                email=f"h{n}@example.org",
                title=f"Screening {n}",
                format="virtual",
                starts_at=now + timedelta(minutes=10 + n),
                timezone="Europe/Berlin",
                expected_attendees=5,
                language="de",
                publish_on_tour=True,
                terms=terms,
                terms_accepted_at=now,
                terms_text="x",
                status="confirmed",
                tour_status="approved",
                country=("DE", "AT", "FR")[n % 3],
            )
            for n in range(start, start + count)
        ],
        batch_size=5000,
    )


def queries(client, path):
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", ["/de/tour/", "/en/tour/?format=virtual&country=DE&page=3", "/de/tour/feed.ics"])
def test_the_tour_uses_the_same_queries_with_100_and_10000_screenings(client, terms, settings, path):
    settings.PAGE_CACHE_SECONDS = 0
    add_screenings(terms, 100)
    with_100 = queries(client, path)
    add_screenings(terms, 9_900, start=100)
    assert Screening.objects.count() == 10_000
    assert queries(client, path) == with_100 <= 3


def test_the_tour_query_uses_its_index(terms):
    add_screenings(terms, 200)
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            plan = Screening.objects.on_tour().order_by("starts_at", "id")[:20].explain()
        finally:
            cursor.execute("SET enable_seqscan = on")
    assert "events_screening_tour" in plan


def test_the_admin_list_uses_the_same_queries_at_two_sizes(admin_client, terms):
    add_screenings(terms, 30)
    few = queries(admin_client, "/admin/events/screening/")
    add_screenings(terms, 3_000, start=30)
    assert queries(admin_client, "/admin/events/screening/") == few
    assert queries(admin_client, "/admin/events/screening/?q=Screening&format__exact=virtual") <= few + 1


def test_the_csv_export_streams_with_flat_memory(terms):
    def peak(count):
        Screening.objects.all().delete()
        add_screenings(terms, count)
        tracemalloc.start()
        rows = sum(1 for _line in screenings_csv_rows(Screening.objects.all()))
        result = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert rows == count + 1
        return result

    small, large = peak(2_000), peak(20_000)
    assert large < small * 2, (small, large)
