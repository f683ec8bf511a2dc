import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from faq.models import Category, Entry

pytestmark = pytest.mark.django_db


def test_faq_page_lists_every_published_entry_with_its_slug_as_anchor(client):
    html = client.get("/de/faq/").content.decode()
    for entry in Entry.objects.filter(published=True):
        assert f'id="{entry.slug_de}"' in html
        assert f'href="#{entry.slug_de}"' in html  # table of contents
    english = client.get("/en/faq/").content.decode()
    for entry in Entry.objects.filter(published=True):
        assert f'id="{entry.slug_en}"' in english


def test_faq_page_is_plain_html_sections_readable_without_javascript(client):
    html = client.get("/de/faq/").content.decode()
    assert "<details" not in html  # every answer is visible; #slug needs nothing to open
    assert html.count('<article class="faq-entry"') == Entry.objects.filter(published=True).count()


def test_entry_page_has_question_as_title_description_and_links(client):
    entry = Entry.objects.get(slug_de="wie-lang-ist-der-film")
    html = client.get(f"/de/faq/{entry.slug_de}/").content.decode()
    assert f"<title>{entry.question_de} · Das soziale Dilemma</title>" in html
    assert "<h1>" + entry.question_de + "</h1>" in html
    description = re.search(r'<meta name="description" content="([^"]*)">', html).group(1)
    assert "94 Minuten" in description
    assert f'href="/de/faq/#{entry.category.slug_de}"' in html
    other = f"http://testserver/en/faq/{entry.slug_en}/"
    assert f'<link rel="alternate" hreflang="en" href="{other}">' in html
    assert f'<a href="{other}" hreflang="en" lang="en">' in html


def test_other_languages_slug_redirects_to_the_entrys_own_address(client):
    entry = Entry.objects.get(slug_de="wie-lang-ist-der-film")
    response = client.get(f"/en/faq/{entry.slug_de}/")
    assert response.status_code == 301
    assert response["Location"] == f"/en/faq/{entry.slug_en}/"


def test_unknown_entry_is_404(client):
    assert client.get("/de/faq/gibt-es-nicht/").status_code == 404


def test_unpublished_entry_is_hidden_from_visitors_and_previewed_for_staff(client, make_entry, admin_client):
    entry = make_entry(published=False)
    assert client.get(f"/de/faq/{entry.slug_de}/").status_code == 404
    assert entry.slug_de not in client.get("/de/faq/").content.decode()
    response = admin_client.get(f"/de/faq/{entry.slug_de}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Vorschau für das Team" in html
    assert '<meta name="robots" content="noindex">' in html


def test_entry_without_english_falls_back_to_german_with_a_note(client, make_entry):
    entry = make_entry(question_de="Nur auf Deutsch?", answer_de="Nur deutscher Text.", question_en="", answer_en="")
    html = client.get(f"/en/faq/{entry.slug_en}/").content.decode()
    assert "Nur auf Deutsch?" in html
    assert "This answer is not yet available in English" in html
    assert '<div class="answer" lang="de"><p>Nur deutscher Text.</p></div>' in html
    assert "This answer is not yet available in English" in client.get("/en/faq/").content.decode()


def test_entry_without_english_question_also_has_the_note(client, make_entry):
    entry = make_entry(question_de="Nur die Frage auf Deutsch?", question_en="")
    html = client.get(f"/en/faq/{entry.slug_en}/").content.decode()
    assert "Nur die Frage auf Deutsch?" in html
    assert "This answer is not yet available in English" in html


def test_category_without_published_entries_is_not_shown(client, make_entry):
    entry = make_entry(published=False)
    assert f'id="{entry.category.slug_de}"' not in client.get("/de/faq/").content.decode()


def _add_entries(count):
    category = Category.objects.create(title_de="Viele", title_en="Many", slug_de="viele", slug_en="many", position=99)
    Entry.objects.bulk_create(
        Entry(
            category=category,
            question=f"Frage {n}?",
            question_de=f"Frage {n}?",
            question_en=f"Question {n}?",
            slug=f"frage-{n}",
            slug_de=f"frage-{n}",
            slug_en=f"question-{n}",
            answer=f"Antwort *{n}*.",
            answer_de=f"Antwort *{n}*.",
            answer_en=f"Answer *{n}*.",
            position=n,
        )
        for n in range(count)
    )


@pytest.mark.parametrize("path", ["/de/faq/", "/en/faq/", "/de/faq/?q=daten", "/en/faq/?q=event"])
def test_faq_pages_use_a_constant_number_of_queries(client, path, settings):
    settings.PAGE_CACHE_SECONDS = 0  # count the queries of rendering, not of the page cache

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        # Savepoints (of transactions inside the test's own) are nothing to count in production.
        return len([query for query in captured if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))])

    _add_entries(40 - Entry.objects.count())
    assert Entry.objects.count() == 40
    queries()  # warm the caches that any page uses (cookie groups)
    with_40 = queries()
    _add_entries_more = 500 - Entry.objects.count()
    category = Category.objects.get(slug_de="viele")
    Entry.objects.bulk_create(
        Entry(
            category=category,
            question=f"Mehr {n}?",
            question_de=f"Mehr {n}?",
            question_en=f"More {n}?",
            slug=f"mehr-{n}",
            slug_de=f"mehr-{n}",
            slug_en=f"more-{n}",
            answer="Text.",
            answer_de="Text.",
            answer_en="Text.",
            position=1000 + n,
        )
        for n in range(_add_entries_more)
    )
    assert Entry.objects.count() == 500
    # The page: categories and entries; a search: its stop words, stems and typos, and the search itself.
    assert queries() == with_40 <= (4 if "?q=" in path else 2)


def test_sitemap_lists_every_page_and_entry_in_both_languages_with_alternates(client):
    xml = client.get("/sitemap.xml").content.decode()
    for entry in Entry.objects.filter(published=True):
        assert f"<loc>http://testserver/de/faq/{entry.slug_de}/</loc>" in xml
        assert f"<loc>http://testserver/en/faq/{entry.slug_en}/</loc>" in xml
    assert '<xhtml:link rel="alternate" hreflang="en" href="http://testserver/en/faq/"/>' in xml
    assert "<loc>http://testserver/de/privacy/</loc>" in xml
    assert 'hreflang="x-default"' in xml
