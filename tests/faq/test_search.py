import pytest
from django.db import connection
from django.db.models import F

from faq import services
from faq.models import Entry

pytestmark = pytest.mark.django_db


def result_slugs(query, language):
    return [result.entry.slug_de for result in services.faq_search(query=query, language=language)]


def test_german_search_stems_and_finds_partial_words(client):
    # "Cookie" finds the answers about "Cookies"; "Daten" finds "Datenschutz".
    cookie_hits = services.faq_search(query="Cookie", language="de")
    assert cookie_hits and all("Cookie" in (r.entry.answer_de + r.entry.question_de) for r in cookie_hits)
    assert any("Cookies" in r.entry.answer_de for r in cookie_hits)
    data_hits = services.faq_search(query="Daten", language="de")
    assert any("Datenschutz" in r.entry.answer_de for r in data_hits)
    assert any("<mark>Datenschutz</mark>" in r.excerpt for r in data_hits)


def test_english_search_stems(client):
    hits = services.faq_search(query="cookie", language="en")
    assert hits and any("cookies" in r.entry.answer_en.lower() for r in hits)
    # "screenings" and "screening" meet at the same stem
    assert set(result_slugs("screenings", "en")) == set(result_slugs("screening", "en"))


def test_english_search_finds_partial_words():
    hits = services.faq_search(query="priv", language="en")
    assert any("privacy" in r.entry.answer_en.lower() for r in hits)
    assert any("<mark>privacy</mark>" in r.excerpt.lower() for r in hits)


def test_german_no_hits_says_so_and_offers_the_categories(client):
    html = client.get("/de/faq/", {"q": "xylophonzzz"}).content.decode()
    assert "Keine Antworten zu „xylophonzzz“" in html
    assert 'href="/de/faq/#ueber-den-film"' in html


def test_search_uses_the_languages_own_words():
    assert result_slugs("Veranstaltung", "de")
    assert not result_slugs("Veranstaltung", "en")
    assert result_slugs("event", "en")


def test_question_matches_rank_above_answer_matches(make_entry):
    in_answer = make_entry(answer_de="Hier geht es auch um Zebrastreifen.")
    in_question = make_entry(question_de="Was hat es mit Zebrastreifen auf sich?", answer_de="Nichts weiter.")
    assert result_slugs("Zebrastreifen", "de") == [in_question.slug_de, in_answer.slug_de]


def test_unpublished_entries_are_never_found(make_entry):
    make_entry(question_de="Geheimnisvolle Frage?", published=False)
    assert result_slugs("Geheimnisvolle", "de") == []


def test_search_page_shows_ranked_results_with_highlighted_excerpts(client):
    html = client.get("/de/faq/", {"q": "Daten"}).content.decode()
    assert 'id="results-heading"' in html and "Antworten zu „Daten“" in html
    assert "<mark>" in html
    assert 'value="Daten"' in html


def test_no_hits_says_so_clearly_and_offers_the_categories(client):
    html = client.get("/en/faq/", {"q": "xylophonzzz"}).content.decode()
    assert "No answers for “xylophonzzz”" in html
    assert 'href="/en/faq/#about-the-film"' in html
    assert 'href="/en/faq/#hosting-an-event"' in html


@pytest.mark.parametrize(
    "query",
    [
        "<script>alert(1)</script>",
        "\"'; DROP TABLE faq_entry; --",
        "a & b | !c :* (d",
        "Daten\x00schutz",
        "x" * 5000,
        "' OR 1=1 --",
        "ümläütß 🙂 \u202e",
        "   ",
    ],
)
@pytest.mark.parametrize("language", ["de", "en"])
def test_hostile_queries_are_answered_without_error_and_escaped(client, query, language):
    response = client.get(f"/{language}/faq/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert Entry.objects.count() > 0


def test_too_long_and_nul_queries_get_a_translated_message(client):
    assert "Bitte geben Sie höchstens 200 Zeichen ein" in client.get("/de/faq/", {"q": "x" * 201}).content.decode()
    assert "Please enter at most 200 characters" in client.get("/en/faq/", {"q": "x" * 201}).content.decode()
    assert "Nullzeichen sind nicht erlaubt" in client.get("/de/faq/", {"q": "a\x00b"}).content.decode()


def test_excerpt_escapes_markup_from_answers(make_entry):
    # The excerpt is made from the answer's text as the page shows it: the sanitizer drops the script,
    # and what remains is escaped again.
    make_entry(answer_de="Ein <script>alert('x')</script> Zebrastreifen & mehr, `<b>fett</b>` und 3 < 4.")
    (result,) = services.faq_search(query="Zebrastreifen", language="de")
    assert "<script" not in result.excerpt and "alert" not in result.excerpt
    assert result.excerpt == ("Ein <mark>Zebrastreifen</mark> &amp; mehr, &lt;b&gt;fett&lt;/b&gt; und 3 &lt; 4.")


@pytest.mark.parametrize("language", ["de", "en"])
def test_search_is_backed_by_the_languages_gin_index(language):
    # The search's own condition: the stored document @@ a tsquery of stems.
    condition = services._Operator(
        F(f"search_document_{language}"), services._TsQuery("( 'dat':* ) | ( 'daten' )"), operator="@@"
    )
    queryset = Entry.objects.filter(condition)
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            plan = queryset.explain()
        finally:
            cursor.execute("SET enable_seqscan = on")
    assert f"faq_entry_search_{language}" in plan
