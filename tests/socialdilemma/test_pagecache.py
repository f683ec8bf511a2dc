"""Consent-aware page caching: cheap repeated pages, never stale after a staff edit, never personal."""

import gzip

import pytest
from cookie_consent.models import CookieGroup
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from events.models import NetflixTerms
from faq.models import Entry

pytestmark = pytest.mark.django_db

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}


def get(client, path, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **headers)
    return response, len(queries)


def body(response):
    if response.get("Content-Encoding") == "gzip":
        return gzip.decompress(response.content).decode()
    return response.content.decode()


@pytest.mark.parametrize(
    "path", ["/de/", "/en/faq/", "/de/faq/?q=daten", "/de/screenings/", "/en/tour/", "/de/cookies/"]
)
def test_a_repeated_public_page_comes_from_memory_without_queries(client, path):
    first, _ = get(client, path)
    second, queries = get(client, path)
    assert queries == 0
    assert body(first) == body(second)
    assert not second.cookies
    for header in ("Cookie", "Sec-GPC", "Accept-Encoding"):
        assert header in second["Vary"]


def test_compressed_for_clients_that_accept_gzip(client):
    get(client, "/de/faq/")
    response, queries = get(client, "/de/faq/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert queries == 0 and response["Content-Encoding"] == "gzip"
    assert len(response.content) < len(client.get("/de/faq/").content) / 3
    assert "Häufig gestellte Fragen" in body(response)


def test_each_consent_state_has_its_own_variant(client):
    fresh, _ = get(client, "/de/")
    assert 'id="consent-banner"' in body(fresh)
    client.post("/de/cookies/save/", {"analytics": "decline", "trailer": "accept"}, **SAME_ORIGIN)
    chosen, _ = get(client, "/de/")
    assert 'id="consent-banner"' not in body(chosen)
    assert "Trailer abspielen (lädt" not in body(chosen)
    gpc, _ = get(client.__class__(), "/de/", HTTP_SEC_GPC="1")
    assert "Global Privacy Control" in body(gpc)


def test_visitors_who_accepted_analytics_are_counted_not_cached(client):
    from consent.models import DailyCount

    client.post("/de/cookies/accept/", **SAME_ORIGIN)
    for _ in range(3):
        _response, queries = get(client, "/de/faq/")
        assert queries > 0
    assert DailyCount.objects.get(path="/de/faq/").count == 3


@pytest.mark.parametrize("path", ["/de/screenings/register/", "/en/screenings/link/", "/de/cookies/"])
def test_pages_with_forms_are_cached_whole(client, path):
    get(client, path)
    response, queries = get(client.__class__(), path)
    assert queries == 0 and not response.cookies and "csrfmiddlewaretoken" not in body(response)


def test_a_visitor_with_an_old_csrf_cookie_is_served_from_the_cache(client):
    get(client, "/de/faq/")
    client.cookies["csrftoken"] = "left over from before"
    response, queries = get(client, "/de/faq/")
    assert queries == 0 and not response.cookies


def test_staff_with_a_session_bypass_the_cache(admin_client, client):
    get(client, "/de/faq/")
    _response, queries = get(admin_client, "/de/faq/")
    assert queries > 0


# The tests run inside a transaction that never commits: committed() runs what a commit would.
def test_a_staff_edit_shows_on_the_very_next_request(client, committed):
    get(client, "/de/faq/")
    entry = Entry.objects.get(slug_de="wie-lang-ist-der-film")
    entry.question_de = "Wie lang dauert der Film genau?"
    with committed():
        entry.save()
    assert "Wie lang dauert der Film genau?" in body(get(client, "/de/faq/")[0])
    assert "Wie lang dauert der Film genau?" in body(get(client, "/de/faq/")[0])


def test_an_edit_in_a_transaction_replaces_the_version_once_it_commits(committed):
    from socialdilemma.pagecache import content_version

    before = content_version()
    with committed() as callbacks, transaction.atomic():
        for entry in Entry.objects.all()[:3]:
            entry.save()
        # A page rendered now still shows the old entries: it must not get the new version.
        assert content_version() == before
    assert len(callbacks) == 1  # one replacement for the whole transaction
    assert content_version() != before


def test_unpublishing_through_the_admin_list_is_fresh(client, admin_client, committed):
    entry = Entry.objects.get(slug_de="wie-lang-ist-der-film")
    get(client, "/de/faq/")
    with committed():
        admin_client.post("/admin/faq/entry/", {"action": "unpublish", "_selected_action": [entry.pk]})
    assert 'id="wie-lang-ist-der-film"' not in body(get(client, "/de/faq/")[0])


def test_cookie_group_and_terms_edits_are_fresh(client, committed):
    get(client, "/en/cookies/")
    group = CookieGroup.objects.get(varname="analytics")
    group.name_en = "Statistics"
    with committed():
        group.save()
    assert ">Statistics</h2>" in body(get(client, "/en/cookies/")[0])
    get(client, "/en/screenings/")
    terms = NetflixTerms.objects.get()
    terms.title_en = "Netflix's screening terms, revised wording"
    with committed():
        terms.save()
    assert "revised wording" in body(get(client, "/en/screenings/")[0])


def test_screening_approval_is_fresh_on_the_tour(client, make_screening, committed):
    screening, _ = make_screening(title="Frisch freigegeben")
    assert "Frisch freigegeben" not in body(get(client, "/de/tour/")[0])
    from events.models import Screening
    from events.services import screening_review

    with committed():
        screening_review(screenings=Screening.objects.filter(pk=screening.pk), approve=True)
    assert "Frisch freigegeben" in body(get(client, "/de/tour/")[0])


def test_cache_keys_hold_nothing_personal_and_long_queries_are_not_cached(client):
    get(client, "/de/faq/?q=" + "x" * 400)
    _response, queries = get(client, "/de/faq/?q=" + "x" * 400)
    assert queries > 0


def test_public_pages_are_public_for_caches_in_front_with_an_etag_and_a_304(client, committed, settings):
    first = client.get("/de/faq/")
    seconds = settings.PAGE_CACHE_SECONDS
    assert first["Cache-Control"] == f"public, max-age={seconds}, s-maxage={seconds}"
    etag = first["ETag"]
    assert etag.startswith('W/"')
    # The same ETag from the page cache; a conditional request is answered without a body.
    assert client.get("/de/faq/")["ETag"] == etag
    for condition in (etag, etag.removeprefix("W/"), f'"other", {etag}', "*"):
        not_modified, queries = get(client, "/de/faq/", HTTP_IF_NONE_MATCH=condition)
        assert not_modified.status_code == 304 and not not_modified.content and queries == 0, condition
        assert not_modified["ETag"] == etag and "Cookie" in not_modified["Vary"] and not not_modified.cookies
    assert client.get("/de/faq/", HTTP_IF_NONE_MATCH='W/"other"').status_code == 200
    # Another variant (the privacy signal) and another page have other ETags; a staff edit changes them all.
    assert client.get("/de/faq/", HTTP_SEC_GPC="1")["ETag"] != etag
    assert client.get("/en/faq/")["ETag"] != etag
    entry = Entry.objects.get(slug_de="wie-lang-ist-der-film")
    entry.question_de = "Wie lang dauert der Film genau?"
    with committed():
        entry.save()
    fresh = client.get("/de/faq/", HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200 and fresh["ETag"] != etag


def test_pages_of_visitors_with_a_cookie_and_private_pages_stay_private(client, make_screening, admin_client):
    client.post("/de/cookies/decline/", **SAME_ORIGIN)
    for _ in range(2):  # rendered, then from the page cache
        consenting = client.get("/de/faq/")
        assert consenting["Cache-Control"] == "private, max-age=0" and "ETag" not in consenting
    _screening, token = make_screening()
    host_page = client.get(f"/de/screenings/manage/{token}/")
    assert "private" in host_page["Cache-Control"] and "no-store" in host_page["Cache-Control"]
    assert "ETag" not in host_page
    assert "public" not in admin_client.get("/admin/").get("Cache-Control", "")
    assert "Cache-Control" not in client.__class__().get("/de/gibt-es-nicht/")


def test_unknown_query_parameters_cannot_fill_the_cache(client):
    from socialdilemma.pagecache import local_pages

    get(client, "/de/faq/")
    cached = len(local_pages.entries)
    # Tracking tags: the one cached page, whatever their values.
    for n in range(50):
        response, queries = get(client, f"/de/faq/?utm_campaign=c{n}&utm_source=s&fbclid=x{n}")
        assert response.status_code == 200 and queries == 0
    # Parameters no page reads: rendered, not cached.
    for n in range(50):
        assert get(client, f"/de/faq/?x{n}=1")[0].status_code == 200
    assert len(local_pages.entries) == cached
    # The parameters a page reads are part of the key, in any order.
    get(client, "/de/tour/?format=virtual&page=1")
    assert get(client, "/de/tour/?page=1&format=virtual&utm_medium=mail")[1] == 0


def test_the_page_cache_is_bounded_by_bytes(client, settings):
    from socialdilemma.pagecache import local_pages

    settings.PAGE_CACHE_MAX_BYTES = 200_000
    sizes = []
    for n in range(60):
        get(client, f"/de/faq/?q=film&page={n}")  # searches with results: one without is never cached
        sizes.append(local_pages.bytes)
        assert local_pages.bytes <= settings.PAGE_CACHE_MAX_BYTES
    assert sum(entry[2] for entry in local_pages.entries.values()) == local_pages.bytes
    assert 1 < len(local_pages.entries) < 60
    # The most recent pages are the ones kept.
    assert get(client, "/de/faq/?q=film&page=59")[1] == 0
    assert get(client, "/de/faq/?q=film&page=0")[1] > 0


def test_an_action_edit_shows_on_the_take_action_page_at_once(client, committed):
    from faq.models import Action

    get(client, "/en/take-action/")
    action = Action.objects.get(title_en="Use your voice")
    action.title_en = "Raise your voice"
    with committed():
        action.save()
    assert "Raise your voice" in body(get(client, "/en/take-action/")[0])
