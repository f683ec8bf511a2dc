"""The search reads what a reader sees, tells typos from other words, and finds what readers commonly type.

Three defects of the FAQ search, each as a class: it read the Markdown (link targets counted as text), a
long word "misspelt" any shorter word it began with (and no search for suicide found the crisis lines),
and common ways of writing a word found nothing (umlauts as ae, singular and plural, hyphenated words,
questions with a word the answer does not use). The queries run against the seeded FAQ on PostgreSQL.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from faq import services
from faq.models import Entry
from faq.searchtext import entry_search_texts, fold

pytestmark = pytest.mark.django_db

HELPLINES = "psychische-gesundheit"  # the answer with the crisis lines (TelefonSeelsorge, 988 Lifeline)


def search(query, language):
    return services.faq_search(query=query, language=language)


def slugs(query, language):
    return [result.entry.slug_de for result in search(query, language)]


# --- 1. The text a reader sees, not the Markdown ------------------------------------------------------


@pytest.mark.parametrize(
    "query, language",
    [
        ("https", "de"),
        ("https", "en"),
        ("www", "en"),
        ("www", "de"),
        ("take action", "de"),
        ("take-action", "de"),
        ("code-of-conduct", "de"),
        ("988lifeline", "en"),
        ("jaronlanier", "de"),
        ("humanetech", "en"),
    ],
)
def test_link_targets_of_the_seeded_faq_are_not_searched(query, language):
    # /de/faq/?q=https found 11 answers, /en/faq/?q=www 8, "take action" on German the answers that link
    # to site:take-action.
    assert slugs(query, language) == []


def test_only_the_words_of_a_link_are_searched_not_where_it_leads(make_entry):
    entry = make_entry(
        answer_de=(
            "Rufen Sie die [Zebrastreifen-Nummer](tel:+498001110111) an, lesen Sie unsere "
            "[Quokka-Materialien](site:resources) oder die [Wombat-Seite](https://www.example.org/kaenguru/)."
        )
    )
    for hidden in ("tel", "498001110111", "resources", "site:resources", "https", "www", "example", "kaenguru"):
        assert entry.slug_de not in slugs(hidden, "de"), hidden
    for shown in ("Zebrastreifen", "Zebrastreifen-Nummer", "Quokka", "Wombat"):
        assert slugs(shown, "de") == [entry.slug_de], shown
    # The excerpt is the same text.
    (result,) = search("wombat", "de")
    assert "<mark>Wombat</mark>-Seite" in result.excerpt and "example" not in result.excerpt


def test_the_search_columns_follow_every_save(make_entry):
    entry = make_entry(answer_de="Erst ein [Quokka](https://quokka.example/).")
    assert slugs("quokka", "de") == [entry.slug_de]
    entry.answer_de = "Jetzt ein [Wombat](https://quokka.example/)."
    entry.save()
    assert slugs("quokka", "de") == []
    assert slugs("wombat", "de") == [entry.slug_de]
    # Also when only some fields are saved, and in English.
    entry.answer_en = "Now a [kangaroo](https://wombat.example/)."
    entry.save(update_fields=["answer_en"])
    assert slugs("kangaroo", "en") == [entry.slug_de]
    assert slugs("wombat", "en") == []
    entry.refresh_from_db()
    assert entry.search_answer_en == "now a kangaroo."


def test_every_seeded_entry_has_its_search_columns_filled_by_the_migration():
    for entry in Entry.objects.all():
        for field, text in entry_search_texts(entry).items():
            assert getattr(entry, field) == text, (entry.slug_de, field)
        assert "https" not in entry.search_answer_de and "site:" not in entry.search_answer_de
        assert entry.search_document_de and entry.search_document_en and entry.search_words_de


def test_the_admin_keeps_the_search_columns_in_step(admin_client, make_entry):
    entry = make_entry(question_de="Was ist ein Quokka?", answer_de="Ein Beuteltier.")
    data = {
        "category": entry.category_id,
        "published": "on",
        "position": entry.position,
        "question_de": "Was ist ein Wombat?",
        "question_en": entry.question_en,
        "slug_de": entry.slug_de,
        "slug_en": entry.slug_en,
        "answer_de": "Ein [Beuteltier](https://quokka.example/).",
        "answer_en": entry.answer_en,
    }
    response = admin_client.post(f"/admin/faq/entry/{entry.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert slugs("wombat", "de") == [entry.slug_de]
    assert slugs("quokka", "de") == []


# --- 2. Typos are words with a letter or two wrong, not any word that begins alike ---------------------


@pytest.mark.parametrize(
    "query, language",
    [
        ("selbstmord", "de"),
        ("Selbstmord", "de"),
        ("SELBSTMORD", "de"),
        ("suizid", "de"),
        ("suicide", "de"),
        ("depression", "de"),
        ("Depressionen", "de"),
        ("suicide", "en"),
        ("suicidal", "en"),
        ("depression", "en"),
        ("depressed", "en"),
        ("selbstmord", "en"),
        ("helpline", "en"),
        ("Notruf", "de"),
        ("ich will mich umbringen", "de"),
        ("ich will sterben", "de"),
        ("Krisendienst", "de"),
        ("kill myself", "en"),
    ],
)
def test_searches_for_suicide_and_depression_find_the_crisis_lines_first(query, language):
    results = search(query, language)
    assert results and results[0].entry.slug_de == HELPLINES
    assert not results[0].partial


@pytest.mark.parametrize(
    "query, language", [("I feel hopeless", "en"), ("ich bin verzweifelt", "de"), ("suicide hotline number", "en")]
)
def test_a_crisis_in_other_words_finds_the_crisis_lines_first_even_if_not_every_word_is_found(query, language):
    results = search(query, language)
    assert results and results[0].entry.slug_de == HELPLINES


def test_selbstmord_is_no_typo_of_selbst_nor_depression_of_expression():
    # /de/faq/?q=selbstmord found only an unrelated answer, with "selbst" highlighted; /en/faq/?q=depression
    # only the answer about free speech ("expression").
    assert not any("<mark>selbst" in r.excerpt.lower() for r in search("selbstmord", "de"))
    assert "hat-social-media-nicht-auch-gute-seiten" not in slugs("selbstmord", "de")
    assert "meinungsfreiheit" not in slugs("depression", "en")


def test_a_long_word_does_not_misspell_the_shorter_words_it_begins_with():
    # /de/faq/?q=Verhaltenskodex found 7 answers, 5 of them only with "Verhalten".
    found = search("Verhaltenskodex", "de")
    assert {r.entry.slug_de for r in found} == {
        "grundsaetze-fuer-daten-und-aufmerksamkeit",
        "soziale-medien-fuer-das-unternehmen",
    }
    assert all("<mark>Verhaltenskodex</mark>" in r.excerpt for r in found)


@pytest.mark.parametrize(
    "term, word",
    [
        ("selbstmord", "selbst"),  # a beginning: 0.5 similar
        ("verhaltenskodex", "verhalten"),  # a beginning: 0.53 similar
        ("verhaltenskodex", "verhaltensweisen"),  # another compound of the same beginning
        ("depression", "expression"),  # another first letter
        ("uberwachungskapitalismus", "uberwachungs"),
        ("wombx", "womb"),  # too short to tell
    ],
)
def test_words_that_only_look_alike_are_no_typos(term, word):
    assert services._word_match(term, word)[0] == 0.0


@pytest.mark.parametrize(
    "term, word",
    [
        ("survelliance", "surveillance"),
        ("algoritmen", "algorithmen"),
        ("algoritmen", "algorithmus"),  # a typo with another ending
        ("uberwachungskapitalismsu", "uberwachungskapitalismus"),
        ("capitalsim", "capitalism"),
        ("zebrastreifn", "zebrastreifen"),
    ],
)
def test_typos_are_still_typos(term, word):
    assert services._word_match(term, word)[0] > 0


# --- 3. What readers commonly type --------------------------------------------------------------------


@pytest.mark.parametrize("query", ["löschen", "loeschen", "LOESCHEN", "Löschen"])
def test_umlauts_written_as_ae_oe_ue_are_found(query):
    found = search(query, "de")
    assert found[0].entry.slug_de == "soll-ich-meine-konten-loeschen"
    assert "<mark>löschen</mark>" in found[0].excerpt


@pytest.mark.parametrize(
    "written, typed", [("Gespräch", "Gespraech"), ("Änderung", "Aenderung"), ("Übersicht", "Uebersicht")]
)
def test_the_same_word_with_or_without_umlauts_finds_the_same(written, typed):
    assert slugs(typed, "de") == slugs(written, "de") != []


def test_sharp_s_and_ss_are_the_same(make_entry):
    street = make_entry(answer_de="Die Straße ist lang.")
    swiss = make_entry(answer_de="Die Strasse ist kurz.")
    for query in ("Straße", "strasse", "STRASSE"):
        assert set(slugs(query, "de")) == {street.slug_de, swiss.slug_de}, query


@pytest.mark.parametrize("query", ["konto", "Konto", "konten", "konto löschen", "Konto loeschen"])
def test_singular_and_plural_find_each_other(query):
    found = search(query, "de")
    assert found[0].entry.slug_de == "soll-ich-meine-konten-loeschen"
    assert not found[0].partial


def test_a_singular_shortened_finds_only_its_plural_not_other_words(make_entry):
    contact = make_entry(answer_de="Nehmen Sie Kontakt auf.")
    assert contact.slug_de not in slugs("konto", "de")
    assert contact.slug_de in slugs("kontakt", "de")


def test_registration_finds_what_register_finds():
    # /en/faq/?q=registration found nothing, "register" 4 answers.
    assert set(slugs("registration", "en")) == set(slugs("register", "en"))
    assert len(slugs("register", "en")) == 4
    assert any("<mark>register" in r.excerpt.lower() for r in search("registration", "en"))


@pytest.mark.parametrize("query", ["PG-13", "pg-13", "PG 13"])
@pytest.mark.parametrize("language", ["de", "en"])
def test_hyphenated_words_are_kept(query, language):
    found = search(query, language)
    assert found[0].entry.slug_de == "welche-altersfreigabe-hat-der-film"
    assert not found[0].partial
    assert re.search(r"<mark>PG-13</mark>|<mark>PG</mark>-<mark>13</mark>", found[0].excerpt)
    if "-" in query:
        assert "<mark>PG-13</mark>" in found[0].excerpt


@pytest.mark.parametrize(
    "query, language",
    [
        ("wie lange dauert der film", "de"),
        ("Wie lange dauert der Film?", "de"),
        ("how long is the movie", "en"),
        ("How long is the movie?", "en"),
        ("how long does the film last", "en"),
    ],
)
def test_natural_questions_find_their_answer_first(query, language):
    assert slugs(query, language)[0] == "wie-lang-ist-der-film"


def test_without_an_entry_with_every_word_those_with_the_most_words_come_first(make_entry):
    two = make_entry(answer_de="Ein Quokka und ein Wombat.", position=5000)
    one = make_entry(answer_de="Nur ein Wombat.")
    found = search("wombat quokka xylophonzzz", "de")
    assert [r.entry.slug_de for r in found] == [two.slug_de, one.slug_de]
    assert all(r.partial for r in found)
    # With an entry that has every word, only those.
    assert [(r.entry.slug_de, r.partial) for r in search("wombat quokka", "de")] == [(two.slug_de, False)]


def test_the_page_says_when_results_have_only_some_of_the_words(client):
    html = client.get("/en/faq/", {"q": "film xylophonzzz"}).content.decode()
    assert "No answer contains all of your search words. These answers contain some of them." in html
    assert '<p class="note" role="status">' in html
    # Not when one answer has them all.
    html = client.get("/en/faq/", {"q": "how long is the film"}).content.decode()
    assert "These answers contain some of them" not in html
    assert 'class="note" role="status"' not in html
    german = client.get("/de/faq/", {"q": "Film xylophonzzz"}).content.decode()
    assert '<p class="note" role="status">' in german


@pytest.mark.parametrize(
    "query, language, words",
    [
        ("what is", "en", "what is"),
        ("What is?", "en", "what is"),
        ("über", "de", "über"),
        ("ÜBER", "de", "über"),
        ("the", "en", "the"),
        ("die der das", "de", "die der das"),
        ("was ist", "de", "was ist"),
    ],
)
def test_stop_words_only_find_the_questions_with_those_words(client, query, language, words):
    response = client.get(f"/{language}/faq/", {"q": query})
    assert response.status_code == 200
    found = search(query, language)
    pattern = re.compile(rf"\b{fold(words)}\b")
    questions = [fold(getattr(r.entry, f"question_{language}")) for r in found]
    answers = [fold(r.entry.search_answer_de if language == "de" else r.entry.search_answer_en) for r in found]
    assert all(pattern.search(q) for q in questions) or all(pattern.search(a) for a in answers)
    if words in ("what is", "über", "was ist"):
        assert found and all(pattern.search(q) for q in questions)


def test_what_is_finds_the_what_is_questions():
    found = slugs("what is", "en")
    assert set(found) == {
        entry.slug_de
        for entry in Entry.objects.filter(published=True)
        if re.search(r"\bwhat is\b", entry.question_en.lower())
    }
    assert "ueberwachungskapitalismus" in found


@pytest.mark.parametrize(
    "query, language",
    [("konto löschen", "de"), ("wie lange dauert der film", "de"), ("what is", "en"), ("film xylophonzzz", "en")],
)
def test_a_search_is_two_statements_whatever_it_finds(query, language):
    with CaptureQueriesContext(connection) as captured:
        assert search(query, language)
    statements = [q["sql"] for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert len(statements) == 2, statements


def test_partial_results_are_counted_as_unanswered_and_not_cached(client):
    from faq.models import UnansweredSearch

    for visitor in ("198.51.100.1", "198.51.100.2"):
        response = client.get("/de/faq/", {"q": "Film Xylophonzzz"}, REMOTE_ADDR=visitor)
        assert response["Cache-Control"] == "private, max-age=0"
    assert list(UnansweredSearch.objects.values_list("query", "count")) == [("film xylophonzzz", 2)]
    # A search with an answer for every word is neither.
    for visitor in ("198.51.100.1", "198.51.100.2"):
        response = client.get("/de/faq/", {"q": "Konto löschen"}, REMOTE_ADDR=visitor)
        assert "public" in response["Cache-Control"]
    assert UnansweredSearch.objects.count() == 1


def test_the_sqlite_search_folds_and_falls_back_the_same_way(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    assert slugs("loeschen", "de")[0] == "soll-ich-meine-konten-loeschen"
    assert slugs("Selbstmord", "de")[0] == HELPLINES
    assert slugs("konto löschen", "de")[0] == "soll-ich-meine-konten-loeschen"
    assert "hat-social-media-nicht-auch-gute-seiten" not in slugs("selbstmord", "de")
    assert slugs("https", "de") == []
    partial = search("quokka minuten", "de")
    assert partial and all(r.partial for r in partial)
    assert partial[0].entry.slug_de == "wie-lang-ist-der-film"


RATING = "welche-altersfreigabe-hat-der-film"


@pytest.mark.parametrize(
    "query, language, first",
    [
        ("When was the film shot", "en", "wann-wurde-der-film-gedreht"),
        ("when was it filmed?", "en", "wann-wurde-der-film-gedreht"),
        ("wann wurde der film produziert", "de", "wann-wurde-der-film-gedreht"),
        ("is the film suitable for kids", "en", RATING),
        ("Can children watch it?", "en", RATING),
        ("teenagers", "en", RATING),
        ("ist der film für kinder geeignet", "de", RATING),
        ("Jugendliche", "de", RATING),
        ("FSK", "de", RATING),
    ],
)
def test_questions_in_a_readers_own_words_find_their_answer_first(query, language, first):
    assert slugs(query, language)[0] == first


@pytest.mark.parametrize("query, language, word", [("license", "en", "permission"), ("Lizenz", "de", "Genehmigung")])
def test_a_licence_finds_netflixs_permission(query, language, word):
    found = search(query, language)
    assert found and all(word.lower() in result.excerpt.lower() for result in found[:1])


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_number_or_a_single_letter_matches_only_itself_not_the_words_it_begins(language):
    for query in ("1", "2", "a", "e"):
        for result in search(query, language):
            marked = {fold(word) for word in re.findall(r"<mark>([^<]*)</mark>", result.excerpt)}
            assert marked <= {query}, (query, marked)
    # A number still finds itself, the year of the premiere say.
    assert "wann-wurde-der-film-gedreht" in slugs("2020", language)
