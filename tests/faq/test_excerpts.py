"""Issue #17: excerpts keep numbers and the matched sentence, cut only between words, and say where they cut."""

import html
import re

import pytest

from faq import services
from faq.markdown import markdown_to_text
from faq.services import faq_excerpt

pytestmark = pytest.mark.django_db


def plain(excerpt):
    """The excerpt's text: without <mark>, unescaped."""
    return html.unescape(re.sub(r"</?mark>", "", str(excerpt)))


def assert_cut_between_words(excerpt, text):
    shown = plain(excerpt)
    core = shown.removeprefix("… ").removesuffix(" …")
    start = text.find(core)
    assert start >= 0, (core, text)
    end = start + len(core)
    assert start == 0 or text[start - 1] == " ", f"cut inside a word at the start: {shown!r}"
    assert end == len(text) or text[end] == " ", f"cut inside a word at the end: {shown!r}"
    assert shown.startswith("… ") == (start > 0)
    assert shown.endswith(" …") == (end < len(text))


def test_numbers_before_the_match_are_kept():
    # PostgreSQL's ts_headline showed "Minuten" alone.
    results = {r.entry.slug_de: r.excerpt for r in services.faq_search(query="Minuten", language="de")}
    assert results["wie-lang-ist-der-film"] == "94 <mark>Minuten</mark>."
    assert "Eine kostenlose 40-<mark>minütige</mark> Version" in results["kurzfassung-und-bonusclips"]
    english = {r.entry.slug_de: r.excerpt for r in services.faq_search(query="minutes", language="en")}
    assert english["wie-lang-ist-der-film"] == "94 <mark>minutes</mark>."


def test_a_match_in_the_middle_of_a_long_answer_keeps_its_sentence_and_whole_words():
    (result,) = [r for r in services.faq_search(query="Kontext", language="de") if r.entry.slug_de == "hongkong-clip"]
    text = markdown_to_text(result.entry.answer_de)
    sentence = (
        "Wir laden Sie ein, sich den gesamten Film anzusehen, um dies im Kontext zu sehen und die vielen "
        "Möglichkeiten zu verstehen, wie sich Fehlinformationen verbreiten und der Kontext verzerrt werden kann."
    )
    assert sentence in text
    # 31 words: a little longer than the excerpt's 30, so shown whole.
    assert plain(result.excerpt) == f"… {sentence} …"
    assert result.excerpt.count("<mark>Kontext</mark>") == 2
    assert_cut_between_words(result.excerpt, text)


@pytest.mark.parametrize(
    "query, language",
    [
        ("Daten", "de"),
        ("algorithmen", "de"),
        ("überwachung", "de"),
        ("Netflix", "de"),
        ("survelliance", "en"),
        ("event", "en"),
        ("website", "en"),
        ("Website", "de"),
        ("Minuten", "de"),
    ],
)
def test_every_excerpt_of_the_real_faq_is_cut_between_words(query, language):
    results = services.faq_search(query=query, language=language)
    assert results
    for result in results:
        assert_cut_between_words(result.excerpt, markdown_to_text(getattr(result.entry, f"answer_{language}")))


def test_a_long_sentence_is_cut_around_the_match():
    # 61 words: more than half as much again as the excerpt's 30.
    words = [f"wort{number}" for number in range(60)]
    text = " ".join(words[:40]) + " Zebrastreifen " + " ".join(words[40:]) + "."
    excerpt = faq_excerpt(text=text, terms=["zebrastreifen"], words=30)
    assert excerpt.startswith("… ") and excerpt.endswith(" …")
    assert "<mark>Zebrastreifen</mark>" in excerpt
    assert len(plain(excerpt).split()) == 32
    assert_cut_between_words(excerpt, text)


def test_a_short_sentence_is_shown_whole_and_an_ordinal_does_not_end_it():
    text = "Erster Satz hier. Der Film ist seit dem 9. September 2020 auf Netflix. Dritter Satz folgt."
    assert faq_excerpt(text=text, terms=["netflix"], words=10) == (
        "… Der Film ist seit dem 9. September 2020 auf <mark>Netflix</mark>. …"
    )
    # With room for more, whole sentences before it are added, and the text after it.
    assert faq_excerpt(text=text, terms=["netflix"], words=16) == (
        "Erster Satz hier. Der Film ist seit dem 9. September 2020 auf <mark>Netflix</mark>. Dritter Satz folgt."
    )


def test_the_sentence_with_the_most_terms_is_chosen():
    text = "Hier geht es um Daten. Hier um Daten und Algorithmen zugleich. Und hier nur um Algorithmen."
    excerpt = faq_excerpt(text=text, terms=["daten", "algorithmen"], words=9)
    assert excerpt == "… Hier um <mark>Daten</mark> und <mark>Algorithmen</mark> zugleich. Und hier nur …"


def test_excerpts_are_escaped_and_mark_only_the_word():
    text = 'Ein <b>„Zebrastreifen“</b>, & "mehr" <script>alert(1)</script>.'
    excerpt = faq_excerpt(text=text, terms=["zebrastreifen"])
    assert "<b>" not in excerpt and "<script>" not in excerpt
    assert "&lt;b&gt;„<mark>Zebrastreifen</mark>“&lt;/b&gt;," in excerpt
    assert "&amp; &quot;mehr&quot; &lt;script&gt;alert(1)&lt;/script&gt;." in excerpt


def test_without_a_matching_word_the_excerpt_is_the_beginning():
    text = " ".join(f"wort{number}" for number in range(50))
    excerpt = faq_excerpt(text=text, terms=["nichtda"], words=30)
    assert excerpt == " ".join(f"wort{number}" for number in range(30)) + " …"
    assert faq_excerpt(text="", terms=["nichtda"]) == ""


def test_typos_compounds_and_other_endings_are_marked_but_short_words_only_at_their_beginning():
    text = "Die Algoritmen und Empfehlungsalgorithmen; ein Algorithmus. Die Dienste, die Idee."
    excerpt = faq_excerpt(text=text, terms=["algorithmen", "die"], words=30)
    assert "<mark>Algoritmen</mark>" in excerpt  # a typo
    assert "<mark>Empfehlungsalgorithmen</mark>" in excerpt  # a compound
    assert "<mark>Algorithmus</mark>" in excerpt  # another ending
    assert "<mark>Dienste</mark>" in excerpt and "<mark>Idee</mark>" not in excerpt


def test_only_the_matching_part_of_a_hyphenated_word_is_marked():
    excerpt = faq_excerpt(text="Hongkonger Anti-Überwachungs-Demonstranten und KI-Algorithmen.", terms=["überwachung"])
    assert excerpt == "Hongkonger Anti-<mark>Überwachungs</mark>-Demonstranten und KI-Algorithmen."
    assert faq_excerpt(text="Per E-Mail.", terms=["email"]) == "Per <mark>E-Mail</mark>."
