"""Issue #17: the search finds parts of compound words and words with typos (pg_trgm), below full-text hits.

The queries run against the real seeded FAQ on PostgreSQL.
"""

import pytest
from django.db import connection, transaction
from django.db.models import F, Value

from faq import services
from faq.models import Entry

pytestmark = pytest.mark.django_db


def slugs(query, language):
    return [result.entry.slug_de for result in services.faq_search(query=query, language=language)]


def excerpt_of(query, language, slug_de):
    (excerpt,) = [r.excerpt for r in services.faq_search(query=query, language=language) if r.entry.slug_de == slug_de]
    return excerpt


# Entries of the seed that name algorithms as a word of their own (full-text hits in both languages).
ALGORITHM_ENTRIES = {
    "algorithmus-und-ki",
    "sind-algorithmen-objektiv",
    "warum-spielszenen",
    "gezielte-werbung-was-ist-neu",
    "welche-plattformen-nutzen",
}


def test_a_word_inside_a_german_compound_is_found_after_the_full_text_hits():
    # "Empfehlungsalgorithmen" (the answer about Netflix) is no full-text hit for "algorithmen".
    found = slugs("algorithmen", "de")
    assert set(found) == ALGORITHM_ENTRIES | {"warum-auf-netflix"}
    assert found[-1] == "warum-auf-netflix"
    assert "<mark>Empfehlungsalgorithmen</mark>" in excerpt_of("algorithmen", "de", "warum-auf-netflix")


def test_a_german_typo_is_found():
    found = slugs("algoritmen", "de")
    assert set(found) == ALGORITHM_ENTRIES
    assert "<mark>Algorithmen</mark>" in excerpt_of("algoritmen", "de", "algorithmus-und-ki")


@pytest.mark.parametrize(
    "query",
    ["überwachungskapitalismus", "Überwachungskapitalismus", "überwachungskapitalismsu", "ueberwachungskapitalismus"],
)
def test_surveillance_capitalism_is_found_in_german_also_with_a_typo(query):
    # Only the answer about surveillance capitalism: the Hong Kong answer, which names
    # "Anti-Überwachungs-Demonstranten" and "Überwachungstechnologie", was found too while a long word
    # counted as a typo of any shorter word it begins with ("Überwachungs").
    assert slugs(query, "de") == ["ueberwachungskapitalismus"]
    assert "<mark>Überwachungskapitalismus</mark> ist ein Begriff" in excerpt_of(
        query, "de", "ueberwachungskapitalismus"
    )
    assert set(slugs("überwachung", "de")) >= {"ueberwachungskapitalismus", "hongkong-clip"}


def test_english_algorithms_with_and_without_a_typo():
    exact = slugs("algorithms", "en")
    assert set(exact) == ALGORITHM_ENTRIES | {"warum-auf-netflix"}  # "recommendation algorithms" is a word
    assert set(slugs("algoritms", "en")) == set(exact)
    assert "<mark>algorithms</mark>" in excerpt_of("algoritms", "en", "warum-auf-netflix")


@pytest.mark.parametrize("query", ["surveillance capitalism", "survelliance capitalism", "Surveillance Capitalsim"])
def test_english_surveillance_capitalism_with_and_without_typos(query):
    assert slugs(query, "en") == ["ueberwachungskapitalismus"]


def test_a_misspelt_single_word_finds_every_entry_with_the_word():
    assert set(slugs("survelliance", "en")) == {
        "ueberwachungskapitalismus",
        "hongkong-clip",
        "gezielte-werbung-was-ist-neu",
    }
    assert "<mark>Surveillance</mark> capitalism is a term" in excerpt_of(
        "survelliance", "en", "ueberwachungskapitalismus"
    )


@pytest.mark.parametrize("query", ["xylophonzzz", "qwertzuiop", "kindergarten", "television", "blorf"])
@pytest.mark.parametrize("language", ["de", "en"])
def test_nonsense_and_unrelated_words_still_find_nothing(query, language):
    assert slugs(query, language) == []


def test_stop_words_do_not_keep_a_typo_from_being_found():
    # "the" and "die" are stop words: full-text search ignores them, and so does the trigram part.
    assert slugs("the algoritms", "en") == slugs("algoritms", "en")
    assert slugs("die algorithmen", "de") == slugs("algorithmen", "de")
    assert "<mark>die</mark>" not in excerpt_of("die algorithmen", "de", "warum-spielszenen")


def test_every_word_of_the_query_must_be_found_or_the_results_say_they_have_only_some():
    # Every word, where any entry has them all.
    assert set(slugs("survelliance capitalism", "en")) == {"ueberwachungskapitalismus"}
    assert all(not result.partial for result in services.faq_search(query="survelliance capitalism", language="en"))
    # Otherwise the entries with some of them, marked as such (formerly: no result at all).
    partial = services.faq_search(query="survelliance xylophonzzz", language="en")
    assert {result.entry.slug_de for result in partial} == set(slugs("survelliance", "en"))
    assert partial and all(result.partial for result in partial)
    assert all(result.partial for result in services.faq_search(query="algorithmen xylophonzzz", language="de"))


def test_full_text_hits_rank_above_trigram_only_hits(make_entry):
    typo = make_entry(answer_de="Ein Zebrastraifen hier.")  # a typo in the text: trigram only
    compound = make_entry(answer_de="Hier ein Fußgängerzebrastreifen.")  # a compound: trigram only
    word = make_entry(answer_de="Nur ein Wort: Zebrastreifen.", position=5000)  # full text, placed last
    assert slugs("zebrastreifen", "de") == [word.slug_de, compound.slug_de, typo.slug_de]
    # The typo in the query finds them all, but only by similarity now: the closest first.
    assert slugs("zebrastreifn", "de")[0] in (word.slug_de, compound.slug_de)


def test_short_words_are_not_matched_as_parts_of_other_words(make_entry):
    # "wombx" has a word similarity of 0.67 to "Womb" ("event" to "even"), as "daten" has to
    # "Kundendaten": for words this short that would match too much, so they are found as words,
    # beginnings and contained parts only.
    entry = make_entry(answer_de="Ein Quokka namens Womb, mit Kundendaten.")
    assert slugs("wombx", "de") == []
    assert slugs("daten", "de")[-1] == entry.slug_de  # contained, after the full-text hits of the seed
    assert slugs("quokka", "de") == [entry.slug_de]


def trigram_plan(field, term):
    queryset = Entry.objects.filter(services._Operator(F(field), Value(f"%{term}%"), operator="ILIKE")).order_by()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        return queryset.explain()


@pytest.mark.parametrize("field", ["question_de", "answer_de", "question_en", "answer_en"])
def test_the_trigram_conditions_are_backed_by_the_trigram_indexes(field):
    # On the search columns (the text a reader sees), no longer on the Markdown. (Typos and similar parts
    # of words are looked up among the FAQ's words, then searched for in the full-text index: the
    # trigram operators %> and %>> on whole answers are gone.)
    assert f"faq_entry_trgm_{field}" in trigram_plan(f"search_{field}", "algoritmen")


def test_the_search_page_shows_trigram_hits(client):
    html = client.get("/de/faq/", {"q": "algoritmen"}).content.decode()
    assert "5 Antworten zu „algoritmen“" in html
    assert "<mark>Algorithmen</mark>" in html
