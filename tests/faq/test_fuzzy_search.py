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


@pytest.mark.parametrize("query", ["überwachungskapitalismus", "Überwachungskapitalismus", "überwachungskapitalismsu"])
def test_surveillance_capitalism_is_found_in_german_also_with_a_typo(query):
    found = slugs(query, "de")
    assert found[0] == "ueberwachungskapitalismus"
    # The Hong Kong answer names "Anti-Überwachungs-Demonstranten" and "Überwachungstechnologie".
    assert set(found) == {"ueberwachungskapitalismus", "hongkong-clip"}
    assert "<mark>Überwachungskapitalismus</mark> ist ein Begriff" in excerpt_of(
        query, "de", "ueberwachungskapitalismus"
    )


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


def test_every_word_of_the_query_must_be_found():
    assert slugs("survelliance xylophonzzz", "en") == []
    assert slugs("algorithmen xylophonzzz", "de") == []


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


def trigram_plan(field, operator, term):
    with transaction.atomic():
        services._postgres_search_prepare([term], field.rsplit("_", 1)[1])
        operand = Value(f"%{term}%" if operator == "ILIKE" else term)
        queryset = Entry.objects.filter(services._TrigramOperator(F(field), operand, operator=operator)).order_by()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        return queryset.explain()


@pytest.mark.parametrize("operator", ["ILIKE", "%%>", "%%>>"])
@pytest.mark.parametrize("field", ["question_de", "answer_de", "question_en", "answer_en"])
def test_the_trigram_conditions_are_backed_by_the_trigram_indexes(field, operator):
    assert f"faq_entry_trgm_{field}" in trigram_plan(field, operator, "algoritmen")


@pytest.mark.django_db(transaction=True)
def test_the_trigram_thresholds_last_only_for_the_search_transaction():
    # A transactional test: outside the tests' own transaction, as in production.
    with transaction.atomic():
        services._postgres_search_prepare(["algoritmen"], "de")
        with connection.cursor() as cursor:
            cursor.execute("SHOW pg_trgm.strict_word_similarity_threshold")
            assert cursor.fetchone()[0] == str(services.LONG_TYPO_SIMILARITY)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('pg_trgm.strict_word_similarity_threshold', true)")
        assert cursor.fetchone()[0] in (None, "", "0.5")  # pg_trgm's default again


def test_the_search_page_shows_trigram_hits(client):
    html = client.get("/de/faq/", {"q": "algoritmen"}).content.decode()
    assert "5 Antworten zu „algoritmen“" in html
    assert "<mark>Algorithmen</mark>" in html
