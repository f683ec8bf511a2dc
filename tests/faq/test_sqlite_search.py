"""Issue #17: the search of the embedded SQLite (make run) folds umlauts too.

SQLite's LIKE folds only ASCII letters. The SQLite search is a Python function over the published
entries, tested here directly (the suite runs on PostgreSQL) with entries that are never saved, and
once through faq_search as if the database were SQLite.
"""

import pytest
from django.db import connection

from faq import services
from faq.models import Entry


def entry(question, answer, slug="eintrag"):
    return Entry(question_de=question, answer_de=answer, slug_de=slug)


def found(entries, query):
    return [e.slug_de for e in services.faq_containment_search(entries=entries, terms=query.split(), language="de")]


ENTRIES = [
    entry("Was ist Überwachungskapitalismus?", "Ein Begriff von Shoshana Zuboff.", "ueberwachung"),
    entry("Wie lang ist der Film?", "94 Minuten.", "laenge"),
    entry("Warum Netflix?", "Netflix nutzt **Empfehlungsalgorithmen**, aber [Abos](https://example.org).", "netflix"),
    entry("Und die Straße?", "Die Straßenbahn fährt.", "strasse"),
]


@pytest.mark.parametrize("query", ["überwachung", "ÜBERWACHUNG", "Überwachungskapitalismus", "uberwachung"])
def test_umlauts_are_matched_whatever_their_case(query):
    assert found(ENTRIES, query.casefold()) == ["ueberwachung"]


def test_sharp_s_matches_ss_and_compounds_are_found():
    assert found(ENTRIES, "strasse") == ["strasse"]
    assert found(ENTRIES, "straßenbahn") == ["strasse"]
    assert found(ENTRIES, "algorithmen") == ["netflix"]  # in "Empfehlungsalgorithmen"


def test_every_term_must_be_found_and_markdown_targets_are_not_searched():
    assert found(ENTRIES, "netflix abos") == ["netflix"]
    assert found(ENTRIES, "netflix zuboff") == []
    assert found(ENTRIES, "example") == []  # only in a link's address


def test_typos_are_found_after_the_entries_that_contain_every_term():
    entries = [
        entry("Gibt es Algoritmen?", "Nein.", "tippfehler"),
        entry("Algorithmen?", "Ja, Algorithmen.", "genau"),
        entry("Sonst?", "Nichts.", "nichts"),
    ]
    assert found(entries, "algorithmen") == ["genau", "tippfehler"]
    assert found(entries, "xylophonzzz") == []


def test_matches_in_the_question_come_first():
    entries = [
        entry("Eine Frage?", "Über Zebrastreifen.", "antwort"),
        entry("Was ist ein Zebrastreifen?", "Ein Überweg.", "frage"),
    ]
    assert found(entries, "zebrastreifen") == ["frage", "antwort"]


@pytest.mark.django_db
def test_faq_search_uses_it_on_sqlite(monkeypatch):
    # The real published entries, searched as `make run` searches them.
    monkeypatch.setattr(connection, "vendor", "sqlite")
    results = services.faq_search(query="ÜBERWACHUNG", language="de")
    assert [r.entry.slug_de for r in results][0] == "ueberwachungskapitalismus"
    assert "<mark>Überwachungskapitalismus</mark>" in results[0].excerpt
    minutes = {r.entry.slug_de: r.excerpt for r in services.faq_search(query="Minuten", language="de")}
    assert minutes["wie-lang-ist-der-film"] == "94 <mark>Minuten</mark>."
    assert services.faq_search(query="xylophonzzz", language="de") == []
