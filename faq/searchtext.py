"""What the FAQ search compares: the text a reader sees, folded, and the query's words folded the same way.

An answer is Markdown, whose link targets (https://…, site:take-action, tel:+49…) a reader never sees. So
the search does not read the Markdown: each entry keeps, per language, its question and the plain text of
its answer (as markdown_to_text gives it, the same text the excerpts show) folded by `fold`, in columns of
their own (Entry.search_question_de, …), which Entry.save keeps in step and whose indexes the search uses
(faq.models.entry_search_vector, trigram_indexes).

A search reads the text search document of those columns, and their words, from columns too
(search_document_de, search_words_de, …, PostgreSQL only), rather than parse the text of each entry again
for each word.

Folding: lowercase (casefold: "ß" is "ss"), without diacritics ("Löschen" is "loschen"), as PostgreSQL's
German stemmer compares words anyway. A German reader without umlauts on the keyboard types "loeschen",
"Gespraech", "Aenderung": a query word with ae, oe or ue is also searched with a, o, u in their place
(`spellings`). The text is not folded that way: "aktuell", "Frauen" or "neue" keep their "ue", and so keep
their stems.
"""

import unicodedata

from .markdown import markdown_to_text
from .synonyms import SYNONYMS

LANGUAGES = ("de", "en")
SOURCE_FIELDS = {f"{field}_{language}" for field in ("question", "answer") for language in LANGUAGES} | {
    "question",
    "answer",
}
UMLAUT_SPELLINGS = (("ae", "a"), ("oe", "o"), ("ue", "u"))


def search_fields(language):
    """The columns with the folded question and answer of a language."""
    return f"search_question_{language}", f"search_answer_{language}"


def fold(text):
    """Casefolded, without diacritics, whitespace collapsed ("Überwachung" -> "uberwachung", "Straße" ->
    "strasse")."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return " ".join("".join(character for character in decomposed if not unicodedata.combining(character)).split())


def entry_search_columns(entry, *, using="default"):
    """{column: value} of all an entry's search columns: the folded texts (entry_search_texts) and, on
    PostgreSQL, their text search documents and words, as expressions for the INSERT or UPDATE that saves
    them."""
    from django.db import connections
    from django.db.models import Value

    from .models import entry_search_vector, entry_words_vector

    columns = entry_search_texts(entry)
    if connections[using].vendor == "postgresql":
        for language in LANGUAGES:
            question, answer = (Value(columns[field]) for field in search_fields(language))
            texts = {"question": question, "answer": answer}
            columns[f"search_document_{language}"] = entry_search_vector(language, **texts)
            columns[f"search_words_{language}"] = entry_words_vector(language, **texts)
    return columns


def entry_search_texts(entry):
    """{column: folded text} of an entry's search columns: the question, and the answer as a reader sees it
    (no link targets, no Markdown), per language."""
    texts = {}
    for language in LANGUAGES:
        question_field, answer_field = search_fields(language)
        texts[question_field] = fold(getattr(entry, f"question_{language}", "") or "")
        texts[answer_field] = fold(markdown_to_text(getattr(entry, f"answer_{language}", "") or ""))
    return texts


def spellings(word, language):
    """The folded spellings under which a (folded) query word is searched: itself and, in German, with a,
    o, u for ae, oe, ue ("loeschen": also "loschen", as "löschen" is folded)."""
    forms = [word]
    if language == "de" and any(pair in word for pair, _vowel in UMLAUT_SPELLINGS):
        variant = word
        for pair, vowel in UMLAUT_SPELLINGS:
            variant = variant.replace(pair, vowel)
        forms.append(variant)
    return tuple(forms)


def synonyms(word, language):
    """The beginnings of the words that a (folded) query word also stands for (faq.synonyms), other than
    itself."""
    found = []
    for beginnings, targets in SYNONYMS:
        if any(
            word == beginning[:-1] if beginning.endswith("$") else word.startswith(beginning)
            for beginning in beginnings
        ):
            found.extend(target for target in targets[language] if target != word and target not in found)
    return tuple(found)
