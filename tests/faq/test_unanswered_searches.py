"""Issue #17: the team sees which searches found nothing, counted per day without anything about who searched."""

import logging
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from faq import services
from faq.models import UnansweredSearch
from faq.tasks import remove_old_unanswered_searches

pytestmark = pytest.mark.django_db


def counts():
    return {(row.query, row.language): row.count for row in UnansweredSearch.objects.all()}


def record(query, language="de", today=None, visitors=("198.51.100.1", "198.51.100.2")):
    """The query searched by these visitors; whether the last search was counted."""
    return [
        services.faq_unanswered_search_record(query=query, language=language, client=visitor, today=today)
        for visitor in visitors
    ][-1]


def test_a_search_without_results_is_counted_once_per_visitor_and_never_cached(client):
    for visitor in ("198.51.100.1", "198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.3"):
        response = client.get("/de/faq/", {"q": "Xylophon  ZZZ!"}, REMOTE_ADDR=visitor)
        assert "Keine Antworten zu „Xylophon  ZZZ!“" in response.content.decode()
        # Not stored by the page cache or a proxy: each search reaches the view and is counted.
        assert response["Cache-Control"] == "private, max-age=0"
    client.get("/en/faq/", {"q": "xylophon zzz"}, REMOTE_ADDR="198.51.100.1")
    # Three visitors in German; one alone in English is not kept at all.
    assert counts() == {("xylophon zzz", "de"): 3}


def test_what_one_visitor_types_alone_is_never_stored():
    assert not record("max mustermann adresse", visitors=["198.51.100.7"] * 5)
    assert counts() == {}
    assert record("max mustermann adresse", visitors=["198.51.100.8"])  # a second visitor: kept
    assert counts() == {("max mustermann adresse", "de"): 2}
    row = UnansweredSearch.objects.get(language="de")
    assert row.date == timezone.localdate()
    # Nothing about the searcher: these are all the columns there are.
    assert {field.name for field in UnansweredSearch._meta.get_fields()} == {"id", "query", "language", "date", "count"}


def test_a_search_with_results_is_not_counted_and_still_cached(client):
    assert client.get("/de/faq/", {"q": "Daten"}).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/de/faq/", {"q": "Daten"})
    assert "<mark>Daten</mark>" in response.content.decode()
    assert not [query for query in captured if "faq_entry" in query["sql"]]  # from the page cache
    assert "public" in response["Cache-Control"]
    assert counts() == {}


def test_a_typo_that_the_search_now_finds_is_not_counted(client):
    assert "<mark>Algorithmen</mark>" in client.get("/de/faq/", {"q": "algoritmen"}).content.decode()
    assert counts() == {}


def test_head_requests_staff_empty_and_refused_queries_are_not_counted(client, admin_client):
    client.head("/de/faq/", {"q": "xylophonzzz"})
    admin_client.get("/de/faq/", {"q": "xylophonzzz"})
    client.get("/de/faq/", {"q": "   "})
    client.get("/de/faq/", {"q": "?!"})
    client.get("/de/faq/", {"q": "x" * 201})
    assert counts() == {}


@pytest.mark.parametrize(
    "query",
    ["max@example.org", "Rückruf 01701234567", "0170 1234567", "0171 234 56 78", "de89 3704 0044 0532 0130 00"],
)
def test_what_could_name_a_person_is_not_kept(client, query):
    for visitor in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        client.get("/de/faq/", {"q": query}, REMOTE_ADDR=visitor)
    assert counts() == {}


def test_the_words_are_normalised_and_bounded():
    assert record("  Wo  ist   der TRAILER?? ")
    long_query = " ".join(["abcdefghijklmnopqrstuvwxyz" * 7] * 10)
    assert record(long_query, language="en")
    assert counts()[("wo ist der trailer", "de")] == 2
    assert max(len(row.query) for row in UnansweredSearch.objects.all()) == 200


def test_counting_is_one_statement_that_adds_when_the_row_exists():
    today = timezone.localdate()
    # As when two requests both found no row and both insert: the second adds instead of failing.
    services._unanswered_search_count(text="gleichzeitig", language="de", date=today, visitors=2)
    services._unanswered_search_count(text="gleichzeitig", language="de", date=today, visitors=2)
    assert counts() == {("gleichzeitig", "de"): 3}


def test_a_day_keeps_at_most_the_configured_number_of_different_queries(settings):
    settings.FAQ_UNANSWERED_SEARCH_MAX_PER_DAY = 2
    assert record("eins")
    assert record("zwei")
    assert not record("drei")
    assert record("eins", visitors=["198.51.100.3"])  # known ones still count
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert record("drei", today=tomorrow)
    assert counts() == {("eins", "de"): 3, ("zwei", "de"): 2, ("drei", "de"): 2}


def test_the_search_words_appear_in_no_log_line(client, caplog):
    caplog.set_level(logging.DEBUG)
    client.get("/de/faq/", {"q": "Geheimwortxyz"}, REMOTE_ADDR="198.51.100.1")
    client.get("/de/faq/", {"q": "Geheimwortxyz"}, REMOTE_ADDR="198.51.100.2")
    assert counts() == {("geheimwortxyz", "de"): 2}
    assert not [record for record in caplog.records if "eheimwortxyz" in record.getMessage()]


def make_rows(*days_ago, today):
    for days in days_ago:
        UnansweredSearch.objects.create(query=f"vor {days} tagen", language="de", date=today - timedelta(days=days))


def test_counts_older_than_the_retention_are_removed(settings):
    today = date(2026, 6, 1)
    make_rows(0, 1, 90, 91, 400, today=today)
    assert services.faq_unanswered_searches_remove_old(today=today) == 2
    assert sorted(UnansweredSearch.objects.values_list("query", flat=True)) == [
        "vor 0 tagen",
        "vor 1 tagen",
        "vor 90 tagen",
    ]
    settings.FAQ_UNANSWERED_SEARCH_DAYS = 1
    assert services.faq_unanswered_searches_remove_old(today=today) == 1


def test_the_periodic_task_removes_them():
    make_rows(0, 100, today=timezone.localdate())
    remove_old_unanswered_searches.enqueue()  # the tests' task backend runs it at once
    assert list(UnansweredSearch.objects.values_list("query", flat=True)) == ["vor 0 tagen"]


def test_the_scheduler_runs_the_task_once_a_day(settings):
    from socialdilemma.taskqueue.services import schedule_tick

    # The entry of settings.PERIODIC_TASKS for this task.
    settings.PERIODIC_TASKS = {
        "faq.remove-old-unanswered-searches": ("faq.tasks.remove_old_unanswered_searches", 24 * 60 * 60)
    }
    make_rows(0, 100, today=timezone.localdate())
    assert schedule_tick() == ["faq.remove-old-unanswered-searches"]
    assert list(UnansweredSearch.objects.values_list("query", flat=True)) == ["vor 0 tagen"]
    assert schedule_tick() == []


def test_the_admin_lists_them_read_only_most_frequent_first(admin_client):
    today = timezone.localdate()
    UnansweredSearch.objects.create(query="selten", language="de", date=today, count=2)
    UnansweredSearch.objects.create(query="oft gesucht", language="en", date=today, count=7)
    response = admin_client.get("/admin/faq/unansweredsearch/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("oft gesucht") < html.index("selten")
    for column in ("column-query", "column-language", "column-date", "column-count"):
        assert column in html
    assert "/admin/faq/unansweredsearch/add/" not in html
    found = admin_client.get("/admin/faq/unansweredsearch/", {"q": "oft"}).content.decode()
    assert "oft gesucht" in found and "selten" not in found
    row = UnansweredSearch.objects.get(query="selten")
    detail = admin_client.get(f"/admin/faq/unansweredsearch/{row.pk}/change/").content.decode()
    assert 'name="query"' not in detail  # shown, not editable
    assert admin_client.post(f"/admin/faq/unansweredsearch/{row.pk}/change/", {"query": "x"}).status_code == 403


def test_a_forwarded_for_header_makes_no_second_visitor_unless_the_proxy_is_trusted(client, settings):
    """Without a trusted proxy, X-Forwarded-For is whatever the client writes: one client could pose as
    many visitors and plant words in the staff's list."""
    for forwarded in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        client.get("/de/faq/", {"q": "kaufen billig zzz"}, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=forwarded)
    assert counts() == {}
    settings.RATELIMIT_TRUST_FORWARDED_FOR = True
    for forwarded in ("203.0.113.1", "203.0.113.2"):
        client.get("/de/faq/", {"q": "xylophon qqq"}, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert counts() == {("xylophon qqq", "de"): 2}
