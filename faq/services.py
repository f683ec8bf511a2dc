"""The FAQ's rules: what is shown, how it is searched, which searches found nothing, how the seed
content is loaded."""

import operator
import os
import re
import tomllib
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache, reduce
from pathlib import Path

from django.conf import settings
from django.contrib.postgres.search import SearchQueryField, SearchRank, TrigramWordSimilarity
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Prefetch,
    Q,
    Value,
    When,
)
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from socialdilemma.ratelimit import recipient_first_in

from .markdown import markdown_to_text
from .models import (
    SEARCH_CONFIGS,
    Action,
    Category,
    Entry,
    FormerSlug,
    UnansweredSearch,
)
from .searchtext import fold, search_fields, spellings, synonyms

SEED_FILE = Path(__file__).resolve().parent / "seed" / "faq.toml"
ACTIONS_SEED_FILE = Path(__file__).resolve().parent / "seed" / "actions.toml"
MAX_QUERY_TERMS = 10
MAX_RESULTS = 50
EXCERPT_WORDS = 30

# The search compares the text a reader sees, folded (faq.searchtext): no link target, no Markdown.
#
# What full-text search misses (it finds words and the beginnings of words) is found, for terms of at
# least MIN_TRIGRAM_TERM_LENGTH letters (shorter ones meet too many words by chance), with pg_trgm and
# fuzzystrmatch: in the text (ILIKE, served by trigram indexes), or among the words of the FAQ, whose
# stems are then searched for like the term's own:
# - a part of a word, above all of a German compound ("algorithmen" in "Empfehlungsalgorithmen"): the
#   text contains the term (ILIKE), or, for terms of at least MIN_WORD_PART_LENGTH letters, a word at
#   least WORD_PART_EXTRA_LETTERS letters longer has a stretch whose word_similarity to the term (the
#   share of trigrams the term has in common with it) reaches WORD_PART_SIMILARITY. Shorter terms would
#   meet unrelated words ("event" is 0.67 similar to "even"); a word about as long as the term is no
#   compound of it ("depression" is 0.64 similar to "expression");
# - a typo ("algoritmen", "survelliance"): a word with the term's first letter, at most TYPO_EDITS letters
#   added, left out or changed away (levenshtein_less_equal of PostgreSQL's fuzzystrmatch; or its
#   beginning from the term's but for its last STEM_ENDING_LETTERS, "Algorithmus" for "algoritmen"), whose
#   similarity (shared trigrams of all) reaches TYPO_SIMILARITY by the term's length. A typo costs a short
#   word a larger share of its trigrams, but a short word also meets others by chance. Measured on the
#   seeded FAQ: "survelliance" is 0.44 similar to "surveillance", "algoritm" 0.58 to "algorithm", while
#   unrelated words stay below (e.g. "steuererklärung" 0.29, "television" 0.31, "weather" 0.38). The
#   similarity alone is not enough: a long word "misspelt" any shorter word it begins with ("selbstmord"
#   is 0.5 similar to "selbst", "verhaltenskodex" 0.53 to "verhalten"), a compound another of the same
#   beginning ("verhaltensweisen", 0.43) and a word others of the same ending ("depression" is 0.47
#   similar to "expression"), all more letters apart, or with another first letter.
#   A word of faq.synonyms is a known word, never taken for a typo.
MIN_TRIGRAM_TERM_LENGTH = 4
MIN_WORD_PART_LENGTH = 7
WORD_PART_SIMILARITY = 0.6
WORD_PART_EXTRA_LETTERS = 3
TYPO_SIMILARITY = ((6, 0.6), (9, 0.5))  # (longest term length, threshold); longer terms: LONG_TYPO_SIMILARITY
LONG_TYPO_SIMILARITY = 0.43
TYPO_EDITS = ((6, 1),)  # (longest term length, letters added, left out or changed); longer terms: LONG_TYPO_EDITS
LONG_TYPO_EDITS = 2
# Stemming finds the words that begin with a query word's stem. The other way round, a word whose stem is
# the query word's stem shortened is found too, as the same word with another ending: by up to
# STEM_ENDING_LETTERS letters, down to MIN_SHORTENED_STEM_LENGTH ("registration", stem "registr", finds
# "register", stem "regist"; shorter stems would meet other words: "event" and "even"), and in German the
# Latin and Greek singulars without their ending (LATIN_SINGULAR_ENDINGS: "konto" finds "Konten", stem
# "kont"; "algorithmus" finds "Algorithmen").
STEM_ENDING_LETTERS = 2
MIN_SHORTENED_STEM_LENGTH = 6
LATIN_SINGULAR_ENDINGS = ("um", "us", "a", "o")
LATIN_PLURAL_ENDINGS = ("en", "ens", "n")


@dataclass(frozen=True)
class SearchResult:
    entry: Entry
    excerpt: str  # safe HTML: escaped text with <mark> around matches
    # Whether the entry contains only some of the query's words: shown only when none contains all.
    partial: bool = False


@dataclass(frozen=True)
class SearchTerm:
    """A word of the query: as typed (lowercased), the folded spellings it is searched under
    (faq.searchtext.spellings) and the beginnings of the words it stands for too (faq.synonyms)."""

    word: str
    spellings: tuple
    synonyms: tuple = ()

    @property
    def forms(self):
        return self.spellings + self.synonyms

    @property
    def contained_spellings(self):
        """The spellings found as any part of a word (ILIKE): those long enough."""
        return tuple(spelling for spelling in self.spellings if len(spelling) >= MIN_TRIGRAM_TERM_LENGTH)

    @property
    def similar_spellings(self):
        """The spellings found as typos and fuzzy parts of words: single words long enough, not known
        words (faq.synonyms)."""
        if self.synonyms:
            return ()
        return tuple(spelling for spelling in self.contained_spellings if _WORD_PART.fullmatch(spelling))


def faq_published_categories():
    """Categories in order, each with its published entries prefetched (two queries in all)."""
    entries = Entry.objects.filter(published=True).order_by("position", "pk")
    return [
        category
        for category in Category.objects.prefetch_related(
            Prefetch("entries", queryset=entries, to_attr="published_entries")
        )
        if category.published_entries
    ]


def faq_entry_get(*, slug, language, include_unpublished=False):
    """The entry with this slug in this language (or, failing that, in any language, or as a former
    slug), or None.

    A slug of another language or a former slug is found too, so the caller can redirect to the entry's
    own address.
    """
    entries = Entry.objects.select_related("category")
    if not include_unpublished:
        entries = entries.filter(published=True)
    own = Q(**{f"slug_{language}": slug})
    entry = entries.filter(own).first()
    if entry is None:
        any_language = Q()
        for code in SEARCH_CONFIGS:
            any_language |= Q(**{f"slug_{code}": slug})
        entry = entries.filter(any_language).first()
    if entry is None:
        entry = entries.filter(former_slugs__slug=slug).first()
    return entry


def faq_former_slugs_record(*, entry, previous_slugs):
    """Keep the entry's previous slugs ({language: slug}, as they were before an edit) that changed as
    former slugs, so that links to its old addresses keep working.

    A former slug that the entry uses again is dropped. An old address that another entry held before
    moves to this entry: it leads to whichever entry held it last.
    """
    current = {getattr(entry, f"slug_{code}") for code in SEARCH_CONFIGS} - {None, ""}
    FormerSlug.objects.filter(entry=entry, slug__in=current).delete()
    for language, slug in previous_slugs.items():
        if slug and slug not in current:
            FormerSlug.objects.update_or_create(slug=slug, defaults={"entry": entry, "language": language})


def entry_has_translation(entry, language):
    return bool(getattr(entry, f"question_{language}", None) and getattr(entry, f"answer_{language}", None))


def faq_query_terms(query):
    """The words of a query, lowercased, at most MAX_QUERY_TERMS.

    Letters and digits, and hyphens between them ("PG-13", "E-Mail" are one word each, as PostgreSQL's
    parser reads them in the text): everything else is a separator, so no input can break the tsquery
    syntax.
    """
    return re.findall(r"[^\W_]+(?:-[^\W_]+)*", query.lower())[:MAX_QUERY_TERMS]


def faq_search_terms(query, language):
    """The query's words as SearchTerms: folded, with their German spellings without umlauts and their
    synonyms."""
    terms = []
    for word in faq_query_terms(query):
        folded = fold(word)
        terms.append(SearchTerm(word=word, spellings=spellings(folded, language), synonyms=synonyms(folded, language)))
    return terms


def typo_similarity(term):
    """The similarity a term needs to match a word it misspells, None for a short term."""
    if len(term) < MIN_TRIGRAM_TERM_LENGTH:
        return None
    for longest, threshold in TYPO_SIMILARITY:
        if len(term) <= longest:
            return threshold
    return LONG_TYPO_SIMILARITY


def typo_edits(term):
    """How many letters a word that misspells the term may have added, left out or changed."""
    for longest, edits in TYPO_EDITS:
        if len(term) <= longest:
            return edits
    return LONG_TYPO_EDITS


def shortened_stems(stem, language):
    """The stems that count as a query word's stem with another ending (see STEM_ENDING_LETTERS)."""
    if not stem.isalpha():
        return []
    shortest = max(MIN_SHORTENED_STEM_LENGTH, len(stem) - STEM_ENDING_LETTERS)
    stems = [stem[:length] for length in range(len(stem) - 1, shortest - 1, -1)]
    if language == "de":
        for ending in LATIN_SINGULAR_ENDINGS:
            if stem.endswith(ending) and len(stem) - len(ending) >= 3:
                stems.append(stem.removesuffix(ending))
                break
    return [shortened for shortened in dict.fromkeys(stems) if shortened != stem]


def faq_search(*, query, language):
    """Published entries matching every word of the query, best first, each with an excerpt; if none
    does, those matching some of the words, the most words first (their results say `partial`).

    The words are compared with the text a reader sees, folded (faq.searchtext). A word matches as a
    word or a word's beginning, stemmed (full-text search), as the same stem with another ending
    (shortened_stems), as a part of a word or misspelt (compounds, typos: see MIN_TRIGRAM_TERM_LENGTH), in
    German also spelt without umlauts (ae for ä), or as one of its synonyms (faq.synonyms). On
    PostgreSQL, entries where every word is a full-text hit come first, ranked; then the others, by
    similarity. A query of stop words only ("what is", "über") finds the entries with those words, in this
    order, in the question or else in the answer. On SQLite (make run) much the same is done in Python
    (faq_containment_search).
    """
    terms = faq_search_terms(query, language)
    if not terms:
        return []
    if connection.vendor == "postgresql":
        entries, marked_terms, partial = _postgres_search(terms, language)
    else:
        published = Entry.objects.filter(published=True).select_related("category")
        matches = _containment_matches(entries=published, terms=terms, language=language)
        entries = [entry for entry, count in matches if count == len(terms)]
        partial = not entries and bool(matches)
        entries = entries or [entry for entry, _count in matches]
        marked_terms = [term.forms for term in terms]
    return [
        SearchResult(
            entry=entry,
            excerpt=faq_excerpt(text=markdown_to_text(getattr(entry, f"answer_{language}") or ""), terms=marked_terms),
            partial=partial,
        )
        for entry in entries
    ]


class _Operator(Func):
    """`left <operator> right`: ILIKE, or full-text search's @@. Operators on the column (or the indexed
    column) itself, not functions, are what the indexes serve."""

    template = "(%(expressions)s)"
    output_field = BooleanField()

    def __init__(self, left, right, *, operator):
        super().__init__(left, right)
        self.arg_joiner = f" {operator} "


class _TsQuery(Func):
    """A tsquery written in its own syntax ('stem':* | 'stem'), taken as it is: no parsing, no stemming
    again (faq_search has stemmed the words with the language's configuration)."""

    template = "%(expressions)s::tsquery"
    output_field = SearchQueryField()

    def __init__(self, text):
        super().__init__(Value(text))


def _postgres_search(terms, language):
    """(entries, the terms' forms to mark in the excerpts, whether the entries match only some terms), in
    two statements."""
    stop_words, stems, similar = _postgres_search_prepare(terms, language)
    # A word that is a stop word, or whose forms all are ("Ì" is "i"), is not searched for.
    searched = [
        term
        for term in terms
        if term.word not in stop_words and (_term_tsquery(term, stems, language) or term.contained_spellings)
    ]
    if not searched:
        return _postgres_phrase_search([term.spellings[0] for term in terms], language), _terms_forms(terms), False
    entries = list(_postgres_search_queryset(searched, language, stems, similar))
    every_term = [entry for entry in entries if entry.matched == len(searched)]
    # Stop words ("die", "the") are not searched for, so they are not marked either. A shortened stem
    # marks the words it found ("regist" in "registered" for "registration").
    marked = [
        term.forms
        + tuple(
            OtherEnding(shorter)
            for form in term.spellings
            for shorter in _shortened(stems.get(form), language)
            if len(shorter) >= MIN_SHORTENED_STEM_LENGTH
        )
        for term in searched
    ]
    return every_term or entries, marked, not every_term and bool(entries)


def _terms_forms(terms):
    return [term.forms for term in terms]


def _shortened(form_stems, language):
    return shortened_stems(form_stems[0], language) if form_stems and len(form_stems) == 1 else []


# The words of the published entries' search texts in a language (PostgreSQL's 'simple' parser: no
# stemming, a hyphenated word also as its parts), from their stored vectors (Entry.search_words_de, …).
_VOCABULARY = "SELECT {words} FROM {table} WHERE {published}"
# A word of the vocabulary is a typo of a term or a longer word with a part similar to it (see
# MIN_TRIGRAM_TERM_LENGTH): the conditions of _word_match, which the excerpts use.
_SIMILAR_WORD = (
    "(left(word, 1) = left(term, 1) AND similarity(word, term) >= typo "
    "AND (levenshtein_less_equal(word, term, edits) <= edits "
    "OR (length(word) >= length(term) - ending "
    "AND levenshtein_less_equal(left(word, length(term) - ending), left(term, length(term) - ending), edits) "
    "<= edits))) "
    "OR (part IS NOT NULL AND length(word) >= length(term) + extra AND word_similarity(term, word) >= part)"
)


def _postgres_search_prepare(terms, language):
    """One statement for what the search needs to know before it searches: the words that are stop words
    of the language's text search configuration (left out, as full-text search does), {form: its stems}
    of each term's forms, and {spelling: [the stems of each word of the FAQ that is a typo of it or a
    longer word with a part similar to it]}, for the terms' similar_spellings."""
    config = SEARCH_CONFIGS[language]
    forms = list(dict.fromkeys(form for term in terms for form in term.forms))
    similar = list(dict.fromkeys(spelling for term in terms for spelling in term.similar_spellings))
    quote = connection.ops.quote_name
    vocabulary = _VOCABULARY.format(
        words=quote(f"search_words_{language}"),
        table=quote(Entry._meta.db_table),
        published=quote(Entry._meta.get_field("published").column),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            # Only constant SQL is joined here; every value is a parameter.
            "WITH vocabulary AS (SELECT word FROM ts_stat(%s) WHERE strpos(word, '-') = 0), "  # noqa: S608
            "wanted AS (SELECT * FROM unnest(%s::text[], %s::real[], %s::int[], %s::real[]) "
            "AS wanted(term, typo, edits, part), (SELECT %s::int AS ending, %s::int AS extra) AS rules) "
            "SELECT ARRAY(SELECT word FROM unnest(%s::text[]) AS word WHERE to_tsvector(%s::regconfig, word) = ''), "
            "ARRAY(SELECT array_to_string(tsvector_to_array(to_tsvector(%s::regconfig, form)), ' ') "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS forms(form, position) ORDER BY position), "
            "ARRAY(SELECT term || ' ' || array_to_string(tsvector_to_array(to_tsvector(%s::regconfig, word)), ' ') "
            f"FROM wanted, vocabulary WHERE word <> term AND ({_SIMILAR_WORD}))",
            [
                vocabulary,
                similar,
                [typo_similarity(spelling) for spelling in similar],
                [typo_edits(spelling) for spelling in similar],
                [WORD_PART_SIMILARITY if len(spelling) >= MIN_WORD_PART_LENGTH else None for spelling in similar],
                STEM_ENDING_LETTERS,
                WORD_PART_EXTRA_LETTERS,
                [term.word for term in terms],
                config,
                config,
                forms,
                config,
            ],
        )
        stop_words, form_stems, similar_words = cursor.fetchone()
    corrections = {}
    for row in similar_words:
        spelling, *word_stems = row.split()
        if len(word_stems) == 1:  # a stop word has none; the parts of a hyphenated word are words too
            corrections.setdefault(spelling, []).append(word_stems[0])
    stems = {form: found.split() for form, found in zip(forms, form_stems, strict=True)}
    return set(stop_words), stems, corrections


def _tsquery_stem(stem, *, prefix):
    quoted = "'" + stem.replace("\\", "\\\\").replace("'", "''") + "'"
    return f"{quoted}:*" if prefix and not is_whole_word_only(stem) else quoted


def is_whole_word_only(term):
    """A number ("1" is not the beginning of "116" or "2019" for a reader) or a single letter matches only
    as a whole word, never as the beginning of one."""
    return term.lstrip("-").isdigit() or len(term) == 1


def _begins(word, term):
    return word == term if is_whole_word_only(term) else word.startswith(term)


def _term_tsquery(term, stems, language):
    """The tsquery (its text) of one term: the stems of each of its forms as the beginning of a word (of a
    hyphenated word: all its stems; of a number: also with a minus sign), or a spelling's shortened stems
    as whole words; None when its forms have no stems."""
    alternatives = []
    for form in term.forms:
        form_stems = stems.get(form) or []
        if form_stems:
            alternatives.append(" & ".join(_tsquery_stem(stem, prefix=True) for stem in form_stems))
        if form.isdigit():
            # PostgreSQL's parser reads the number of "PG-13" as "-13".
            alternatives.append(_tsquery_stem(f"-{form}", prefix=True))
        if form in term.spellings:
            alternatives.extend(_tsquery_stem(stem, prefix=False) for stem in _shortened(form_stems, language))
    alternatives = list(dict.fromkeys(alternatives))
    return " | ".join(f"( {alternative} )" for alternative in alternatives) or None


def _similar_tsquery(term, similar):
    """The tsquery (its text) of the FAQ's words that are typos of one term's spellings or longer words
    with a part similar to them, as whole words; None if there are none."""
    found = dict.fromkeys(stem for spelling in term.similar_spellings for stem in similar.get(spelling, ()))
    return " | ".join(_tsquery_stem(stem, prefix=False) for stem in found) or None


def _postgres_search_queryset(terms, language, stems, similar):
    """The published entries that match at least one term, those that match the most first, each with
    `matched` (how many): among those, full-text hits of the most terms, by rank, then the others by
    similarity.

    A term matches where full-text search finds it (_term_tsquery), where the text contains a spelling of
    at least MIN_TRIGRAM_TERM_LENGTH letters (ILIKE, served by the trigram indexes), or where it has a word
    that _postgres_search_prepare found to be a typo of it or a longer word with a part similar to it. All
    of them are conditions on the stored document (GIN index) or on the search columns (trigram indexes):
    no text is parsed again.
    """
    fields = search_fields(language)
    entries = Entry.objects.filter(published=True).alias(document=F(f"search_document_{language}"))
    any_term, found_cases, full_text_cases, closeness, queries = Q(), [], [], [], []
    for term in terms:
        found = Q()
        tsquery = _term_tsquery(term, stems, language)
        full_text = None
        if tsquery:
            queries.append(tsquery)
            full_text = Q(_Operator(F("document"), _TsQuery(tsquery), operator="@@"))
            full_text_cases.append(Case(When(full_text, then=Value(1)), default=Value(0)))
            found |= full_text
        for spelling in term.contained_spellings:
            for field in fields:
                found |= Q(_Operator(F(field), Value(f"%{_like_escaped(spelling)}%"), operator="ILIKE"))
        similar_query = _similar_tsquery(term, similar)
        if similar_query:
            found |= Q(_Operator(F("document"), _TsQuery(similar_query), operator="@@"))
        if term.contained_spellings:
            # How close the text comes to the term, for the entries where full-text search missed it.
            spelling = term.contained_spellings[0]
            similarity = Greatest(*(TrigramWordSimilarity(Value(spelling), field) for field in fields))
            if full_text is not None:
                similarity = Case(When(full_text, then=Value(1.0)), default=similarity)
            closeness.append(similarity)
        found_cases.append(Case(When(found, then=Value(1)), default=Value(0)))
        any_term |= found
    if not any_term:
        return Entry.objects.none()
    entries = entries.filter(any_term).annotate(
        matched=ExpressionWrapper(reduce(operator.add, found_cases), output_field=IntegerField())
    )
    order = [F("matched").desc()]
    if queries:
        entries = entries.alias(
            full_text_matched=ExpressionWrapper(reduce(operator.add, full_text_cases), output_field=IntegerField()),
            rank=SearchRank(F("document"), _TsQuery(" | ".join(queries))),
        )
        order += [F("full_text_matched").desc(), F("rank").desc()]
    if closeness:
        entries = entries.alias(
            similarity=ExpressionWrapper(reduce(operator.add, closeness), output_field=FloatField())
        )
        order.append(F("similarity").desc())
    order += ["category__position", "position", "pk"]
    return entries.select_related("category").order_by(*order)[:MAX_RESULTS]


def _like_escaped(text):
    """The text as a LIKE pattern that matches only itself. (The query's words are letters, digits and
    hyphens, but folding may make other characters of some.)"""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _postgres_phrase_search(words, language):
    """The published entries whose question (or else, if none, whose answer) has these words in this
    order, as whole words: for queries of stop words only, which full-text search does not search."""
    question, answer = search_fields(language)
    # Folded letters and digits, but folding may make punctuation of some ("⑴" is "(1)"): escaped.
    pattern = r"\m" + r"\s+".join(re.sub(r"([^\w\s])", r"\\\1", word) for word in words) + r"\M"
    in_question = Q(**{f"{question}__regex": pattern})
    entries = list(
        Entry.objects.filter(published=True)
        .filter(in_question | Q(**{f"{answer}__regex": pattern}))
        .annotate(in_question=ExpressionWrapper(in_question, output_field=BooleanField()))
        .select_related("category")
        .order_by(F("in_question").desc(), "category__position", "position", "pk")[:MAX_RESULTS]
    )
    return [entry for entry in entries if entry.in_question] or entries


def faq_containment_search(*, entries, terms, language):
    """The search of the embedded SQLite (make run), in Python over the given entries (the published
    ones, which are few): SQLite's LIKE folds only ASCII letters, so "überwachung" would miss
    "Überwachung". The entries that match every term (words or SearchTerms), in order.

    First the entries whose question or answer contains every term (compared folded, as
    faq.searchtext.fold folds them), those with more terms in the question first; then those where every
    term matches a word as the excerpts match them (see faq_excerpt), most similar first. The order of
    `entries` breaks ties.
    """
    terms = [
        search_term
        for term in terms
        for search_term in ([term] if isinstance(term, SearchTerm) else faq_search_terms(term, language))
    ]
    matches = _containment_matches(entries=entries, terms=terms, language=language)
    return [entry for entry, count in matches if count == len(terms)]


def _containment_matches(*, entries, terms, language):
    """[(entry, how many terms it matches)] of the entries that match any term, as faq_containment_search
    orders them, those that match more terms first."""
    found = []
    for position, entry in enumerate(entries):
        question = fold(getattr(entry, f"question_{language}") or "")
        answer = fold(markdown_to_text(getattr(entry, f"answer_{language}") or ""))
        text = f"{question} {answer}"
        parts = {part for word in text.split() for part in _word_parts(word)}
        contained = in_question = 0
        best = []
        for term in terms:
            if any(spelling in text for spelling in term.spellings) or any(
                part.startswith(synonym) for synonym in term.synonyms for part in parts
            ):
                contained += 1
                in_question += any(form in question for form in term.forms)
                best.append(1.0)
            else:
                scores = [_word_match(spelling, part)[0] for spelling in term.similar_spellings for part in parts]
                best.append(max(scores, default=0.0))
        count = sum(1 for score in best if score)
        if count:
            # The most terms first; of those, the entries that contain them all before the similar ones.
            found.append(((-count, contained < count, -in_question, -sum(best), position), entry, count))
    return [(entry, count) for _order, entry, count in sorted(found, key=lambda item: item[0])][:MAX_RESULTS]


_WORD_PART = re.compile(r"[^\W_]+")  # letters and digits: the parts of a word ("Tech-Plattformen")
_SENTENCE_END = re.compile(r"[.!?…][\"'’”“»)\]]*$")
# Words followed by a full stop that does not end a sentence (besides ordinals like "9." and initials).
_ABBREVIATIONS = {"bzw", "ca", "dr", "etc", "evtl", "ggf", "inkl", "mr", "mrs", "ms", "nr", "usw", "vgl", "vs"}


def faq_excerpt(*, text, terms, words=EXCERPT_WORDS):
    """About `words` words of the plain text around the sentence that matches the terms best, as safe
    HTML: cut only between words, "…" where text is left out, escaped, matched words in <mark>.

    Built in Python for every database: PostgreSQL's ts_headline drops numbers and stop words at the
    edges of its fragments ("Minuten" instead of "94 Minuten"). The matched sentence is shown whole
    unless it is longer than half as much again as `words`. A part of a word matches a term as
    _word_match says ("Anti-<mark>Überwachungs</mark>-Demonstranten"). A term may be a tuple of
    alternatives (a word's spellings and synonyms, SearchTerm.forms): a word matches it as it matches the
    best of them. When no word matches (a hit in the question only, or a typo that only PostgreSQL's
    measure found), the excerpt shows the sentence of the most similar word, or the text's beginning.
    """
    tokens = text.split()
    if not tokens:
        return ""
    # Folded; a hyphenated term ("PG-13") compares with the parts of a word joined ("pg13").
    groups = [
        tuple(
            dict.fromkeys(
                type(form)(fold(form).replace("-", "")) for form in ((term,) if isinstance(term, str) else term)
            )
        )
        for term in terms
    ]
    terms = range(len(groups))
    # matches[token][term]: how well the token matches the term, 0 when it does not count as a match;
    # closeness[token][term]: how similar they are anyway; marks[token]: the spans to mark.
    matches, closeness, marks = [], [], []
    for token in tokens:
        spans = [(part.start(), part.end(), fold(part.group())) for part in _WORD_PART.finditer(token)]
        candidates = [*spans]
        if len(spans) > 1:  # "e-mail" is also "email"
            candidates.append((spans[0][0], spans[-1][1], "".join(folded for _start, _end, folded in spans)))
        scored = [(start, end, [_group_match(group, folded) for group in groups]) for start, end, folded in candidates]
        matches.append([max((pairs[k][0] for *_span, pairs in scored), default=0.0) for k in range(len(terms))])
        closeness.append([max((pairs[k][1] for *_span, pairs in scored), default=0.0) for k in range(len(terms))])
        marked = [(start, end) for start, end, pairs in scored[: len(spans)] if any(match for match, _ in pairs)]
        if not marked and len(scored) > len(spans) and any(match for match, _ in scored[-1][2]):
            marked = [scored[-1][:2]]
        marks.append(marked)
    sentences = _sentences(tokens)
    start, end = 0, min(len(tokens), words)
    for table in (matches, closeness):
        anchor = _best_anchor(sentences, table)
        if anchor is not None:
            start, end = _window(sentences, anchor, len(tokens), words)
            break
    excerpt = " ".join(_marked(tokens[index], marks[index]) for index in range(start, end))
    if start > 0:
        excerpt = "… " + excerpt
    if end < len(tokens):
        excerpt += " …"
    return mark_safe(excerpt)  # noqa: S308 - every piece of the text is escaped in _marked


def _marked(token, spans):
    """The token escaped, with <mark> around the spans (in order, not overlapping)."""
    html, position = [], 0
    for start, end in spans:
        html.append(f"{escape(token[position:start])}<mark>{escape(token[start:end])}</mark>")
        position = end
    html.append(escape(token[position:]))
    return "".join(html)


def _sentences(tokens):
    """(first token, token after the last) of each sentence."""
    sentences, start = [], 0
    for index, token in enumerate(tokens):
        if _ends_sentence(token):
            sentences.append((start, index + 1))
            start = index + 1
    if start < len(tokens):
        sentences.append((start, len(tokens)))
    return sentences


def _ends_sentence(token):
    if not _SENTENCE_END.search(token):
        return False
    if not token.rstrip("\"'’”“»)]").endswith("."):
        return True  # ! ? …
    # "9. September", "z. B.", "e.g.", "usw." do not end a sentence.
    word = token.rstrip("\"'’”“»)].").lstrip("\"'„“‚‘«([")
    return not (word.isdigit() or len(word) == 1 or "." in word or word.casefold() in _ABBREVIATIONS)


def _best_anchor(sentences, table):
    """The best matching token of the sentence that matches the most terms best (the first on ties), or
    None when no token scores anything. table[token][term] is a score."""
    best_value, best_sentence = 0.0, None
    for start, end in sentences:
        value = sum(max(table[index][term] for index in range(start, end)) for term in range(len(table[start])))
        if value > best_value:
            best_value, best_sentence = value, (start, end)
    if best_sentence is None:
        return None
    start, end = best_sentence
    return max(range(start, end), key=lambda index: (max(table[index]), -index))


def _window(sentences, anchor, length, words):
    """The tokens to show: the anchor's sentence, then following words up to `words`, then whole
    preceding sentences that still fit; of a sentence longer than half as much again, `words` words
    around the anchor."""
    start, end = next((start, end) for start, end in sentences if start <= anchor < end)
    if end - start > words * 3 // 2:
        start = max(start, min(anchor - words // 3, end - words))
        return start, start + words
    end = min(length, max(end, start + words))
    for previous_start, previous_end in reversed(sentences):
        if previous_end > start:
            continue
        if end - previous_start > words:
            break
        start = previous_start
    return start, end


class OtherEnding(str):
    """A stem (shortened_stems) that marks the words it begins, but less surely than the query's own
    words: a sentence with the query word itself, even misspelt, is the better excerpt."""

    __slots__ = ()
    MATCH = 0.5


def _group_match(forms, word):
    """_word_match of the best of a term's forms: (match, closeness)."""
    pairs = [
        ((OtherEnding.MATCH,) * 2 if _begins(word, form) else (0.0, 0.0))
        if isinstance(form, OtherEnding)
        else _word_match(form, word)
        for form in forms
    ]
    return max(match for match, _closeness in pairs), max(closeness for _match, closeness in pairs)


def _word_parts(word):
    """The letters-and-digits parts of a folded word, and all of them joined ("e-mail": e, mail,
    email), for matching."""
    parts = re.findall(r"[^\W_]+", word)
    if len(parts) > 1:
        parts.append("".join(parts))
    return tuple(parts)


@lru_cache(maxsize=65536)
def _word_match(term, word):
    """(How well a word matches a term, 0 when it does not count as a match; how similar they are
    anyway), both folded, both from 0 to 1.

    A word matches when it begins with the term; or, for a term of MIN_TRIGRAM_TERM_LENGTH letters or
    more, when it contains it, has its beginning with another ending (all but two letters, at least
    five, as stemming does: "Algorithmus" for "algorithmen", "40-minütige" for "minuten"; a Latin plural:
    "Konten" for "konto", see shortened_stems), is a longer word with a part similar to it
    (WORD_PART_SIMILARITY) or misspells it (typo_similarity, typo_edits, the same first letter), as on
    PostgreSQL."""
    if _begins(word, term):
        return 1.0, 1.0
    if len(term) < MIN_TRIGRAM_TERM_LENGTH or is_whole_word_only(term):
        return 0.0, 0.0
    if term in word:
        return 0.9, 0.9
    if len(os.path.commonprefix([term, word])) >= max(5, len(term) - 2) or _is_latin_plural(term, word):
        return 0.8, 0.8
    part = _trigram_word_similarity(term, word)
    if (
        part >= WORD_PART_SIMILARITY
        and len(term) >= MIN_WORD_PART_LENGTH
        and len(word) >= len(term) + WORD_PART_EXTRA_LETTERS
    ):
        return part, part
    whole = _trigram_similarity(term, word)
    if whole >= typo_similarity(term) and word[:1] == term[:1]:
        edits, beginning = typo_edits(term), len(term) - STEM_ENDING_LETTERS
        if _edits_within(term, word, edits) or (
            len(word) >= beginning and _edits_within(term[:beginning], word[:beginning], edits)
        ):
            return whole, part
    return 0.0, part


def _edits_within(term, word, limit):
    """Whether at most `limit` letters added, left out or changed make the word of the term (as
    fuzzystrmatch's levenshtein_less_equal(word, term, limit) <= limit)."""
    if abs(len(term) - len(word)) > limit:
        return False
    previous = list(range(len(word) + 1))
    for row, letter in enumerate(term, start=1):
        current = [row]
        for column, other in enumerate(word, start=1):
            current.append(min(previous[column] + 1, current[column - 1] + 1, previous[column - 1] + (letter != other)))
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit


def _is_latin_plural(term, word):
    """Whether the word is the plural of a Latin or Greek singular ("konten" of "konto", "themen" of
    "thema")."""
    for ending in LATIN_SINGULAR_ENDINGS:
        stem = term.removesuffix(ending)
        if stem != term and len(stem) >= 3:
            return word.startswith(stem) and word[len(stem) :] in LATIN_PLURAL_ENDINGS
    return False


def _trigrams(word):
    padded = f"  {word} "  # as pg_trgm pads a word
    return [padded[index : index + 3] for index in range(len(padded) - 2)]


def _trigram_similarity(term, word):
    """pg_trgm's similarity of two words (strict_word_similarity for one word): shared trigrams of all."""
    wanted, found = set(_trigrams(term)), set(_trigrams(word))
    return len(wanted & found) / len(wanted | found)


def _trigram_word_similarity(term, word):
    """pg_trgm's word_similarity(term, word): the best ratio of shared to all distinct trigrams between
    the term and a stretch of the word's trigrams."""
    wanted = set(_trigrams(term))
    found = _trigrams(word)
    bound = len(wanted & set(found)) / len(wanted)
    # No stretch shares more than the whole word does: most words stop here, with a lower estimate.
    if bound < WORD_PART_SIMILARITY:
        return bound / 2
    best = 0.0
    for start, first in enumerate(found):
        if first not in wanted:
            continue
        seen, common = set(), 0
        for trigram in found[start:]:
            if trigram not in seen:
                seen.add(trigram)
                common += trigram in wanted
            if trigram in wanted:
                best = max(best, common / (len(wanted) + len(seen) - common))
    return best


def faq_unanswered_search_record(*, query, language, client, today=None):
    """Count a search that found nothing, or only answers with some of its words (faq_search's
    `partial`), for the team (admin: unanswered searches). Returns whether it was counted.

    Kept: the query's words (lowercased, as searched, at most 200 characters), the language, the day
    and how many visitors searched them. Nothing about who searched. What one visitor types alone (a
    name, say) is never stored: a query is kept only once a second visitor (`client`: their address,
    which only the cache sees, as a keyed hash) has searched the same words that day, and each visitor
    counts once a day. A query with an email address or five digits or more (a phone number, an account)
    is never kept. At most FAQ_UNANSWERED_SEARCH_MAX_PER_DAY different queries are kept per day; those
    already kept are still counted.
    """
    if "@" in query or len(re.findall(r"\d", query)) >= 5:
        return False
    terms = faq_query_terms(query)
    if not terms:
        return False
    text = " ".join(terms)[: UnansweredSearch._meta.get_field("query").max_length]
    today = today or timezone.localdate()
    seconds = 24 * 60 * 60
    purpose = f"faq-unanswered:{today.isoformat()}:{language}:{text}"
    # In the site's cache, not among the limits: searches are not limited, so anyone can add such records.
    if not recipient_first_in(purpose, client, seconds=seconds, cache="default"):
        return False  # this visitor counted already today
    if recipient_first_in(purpose, "the first visitor", seconds=seconds, cache="default"):
        return False  # only one visitor so far: nothing is stored
    same = UnansweredSearch.objects.filter(date=today, language=language, query=text)
    if same.update(count=F("count") + 1):
        return True
    if UnansweredSearch.objects.filter(date=today).count() >= settings.FAQ_UNANSWERED_SEARCH_MAX_PER_DAY:
        return False
    _unanswered_search_count(text=text, language=language, date=today, visitors=2)
    return True


def _unanswered_search_count(*, text, language, date, visitors):
    """Insert the day's row with `visitors` or, when another request inserted it meanwhile, add 1, in one
    statement (SQLite has the same syntax): no unique-violation error, which PostgreSQL would log with
    the words."""
    quote = connection.ops.quote_name
    field = UnansweredSearch._meta.get_field
    table = quote(UnansweredSearch._meta.db_table)
    query_column, language_column, date_column, count_column = (
        quote(field(name).column) for name in ("query", "language", "date", "count")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({query_column}, {language_column}, {date_column}, {count_column}) "  # noqa: S608 - names from the model
            f"VALUES (%s, %s, %s, %s) ON CONFLICT ({date_column}, {language_column}, {query_column}) "
            f"DO UPDATE SET {count_column} = {table}.{count_column} + 1",
            [text, language, connection.ops.adapt_datefield_value(date), visitors],
        )


def faq_unanswered_searches_remove_old(*, days=None, today=None):
    """Remove the counts of unanswered searches older than `days` (FAQ_UNANSWERED_SEARCH_DAYS, 90).
    Returns how many rows were removed."""
    days = settings.FAQ_UNANSWERED_SEARCH_DAYS if days is None else days
    today = today or timezone.localdate()
    removed, _per_model = UnansweredSearch.objects.filter(date__lt=today - timedelta(days=days)).delete()
    return removed


def faq_import_seed(*, category_model=Category, entry_model=Entry, seed_file=SEED_FILE):
    """Create the categories and entries of the seed file. Used once, by a data migration.

    The models are parameters so that the migration can pass its historical models.
    """
    data = tomllib.loads(Path(seed_file).read_text(encoding="utf-8"))
    for category_position, category_data in enumerate(data["category"], start=1):
        category = category_model.objects.create(
            title=category_data["title_de"],
            title_de=category_data["title_de"],
            title_en=category_data["title_en"],
            slug=category_data["slug_de"],
            slug_de=category_data["slug_de"],
            slug_en=category_data["slug_en"],
            position=category_position * 10,
        )
        for entry_position, entry_data in enumerate(category_data["entry"], start=1):
            entry_model.objects.create(
                category=category,
                question=entry_data["question_de"],
                question_de=entry_data["question_de"],
                question_en=entry_data["question_en"],
                slug=entry_data["slug_de"],
                slug_de=entry_data["slug_de"],
                slug_en=entry_data["slug_en"],
                answer=entry_data["answer_de"].strip(),
                answer_de=entry_data["answer_de"].strip(),
                answer_en=entry_data["answer_en"].strip(),
                position=entry_position * 10,
                published=True,
            )


@dataclass(frozen=True)
class ActionGroup:
    kind: str
    title: str
    actions: list


def take_action_groups():
    """The published actions, grouped by category in the categories' order (one query)."""
    actions = list(Action.objects.filter(published=True))
    groups = []
    for kind, title in Action.Kind.choices:
        members = [action for action in actions if action.kind == kind]
        if members:
            groups.append(ActionGroup(kind=kind, title=title, actions=members))
    return groups


def faq_import_actions(*, action_model=Action, seed_file=ACTIONS_SEED_FILE):
    """Create the Take Action page's first actions from the seed file. Used once, by a data migration
    (which passes its historical model)."""
    data = tomllib.loads(Path(seed_file).read_text(encoding="utf-8"))
    for position, action in enumerate(data["action"], start=1):
        texts = {}
        for field in ("title", "text", "link", "link_label"):
            for language in ("de", "en"):
                texts[f"{field}_{language}"] = action.get(f"{field}_{language}", "").strip()
            texts[field] = texts[f"{field}_de"]  # modeltranslation's original column: the default language
        action_model.objects.create(kind=action["kind"], position=position * 10, published=True, **texts)


def faq_restored_links_left():
    """The restored links (faq/links_restored.py) that are not in the FAQ because staff had edited the
    entry: (German slug as seeded, the entry or None, field, the text with the link), for the admin."""
    from .links_restored import changes_left_for_staff

    return changes_left_for_staff(Entry, FormerSlug)
