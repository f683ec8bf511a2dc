"""The FAQ's rules: what is shown, how it is searched, which searches found nothing, how the seed
content is loaded."""

import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    TrigramStrictWordSimilarity,
    TrigramWordSimilarity,
)
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Func, Prefetch, Q, Value
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
    entry_search_vector,
)

SEED_FILE = Path(__file__).resolve().parent / "seed" / "faq.toml"
ACTIONS_SEED_FILE = Path(__file__).resolve().parent / "seed" / "actions.toml"
MAX_QUERY_TERMS = 10
MAX_RESULTS = 50
EXCERPT_WORDS = 30

# What full-text search misses (it finds words and the beginnings of words), the trigram indexes of
# pg_trgm find, for terms of at least MIN_TRIGRAM_TERM_LENGTH letters (shorter ones meet too many words
# by chance):
# - a part of a word, above all of a German compound ("algorithmen" in "Empfehlungsalgorithmen"): the
#   text contains the term (ILIKE), or, for terms of at least MIN_WORD_PART_LENGTH letters, their
#   word_similarity (the share of trigrams the term has in common with the most similar stretch of the
#   text) reaches WORD_PART_SIMILARITY. Shorter terms would meet unrelated words ("event" is 0.67 similar
#   to "even");
# - a typo ("algoritmen", "survelliance"): strict_word_similarity, the same measured against whole
#   words, at least TYPO_SIMILARITY by the term's length. A typo costs a short word a larger share of its
#   trigrams, but a short word also meets others by chance. Measured on the seeded FAQ: "survelliance" is
#   0.44 similar to "surveillance", "algoritm" 0.58 to "algorithm", while unrelated words stay below
#   (e.g. "steuererklärung" 0.29, "television" 0.31, "weather" 0.38, "fernsehprogramm" 0.37), except a
#   few such as "wettervorhersage" (0.47). word_similarity alone would need such low thresholds for
#   typos that stretches spanning several words match ("minuten" at 0.5 in an answer without minutes).
MIN_TRIGRAM_TERM_LENGTH = 4
MIN_WORD_PART_LENGTH = 7
WORD_PART_SIMILARITY = 0.6
TYPO_SIMILARITY = ((6, 0.6), (9, 0.5))  # (longest term length, threshold); longer terms: LONG_TYPO_SIMILARITY
LONG_TYPO_SIMILARITY = 0.43


@dataclass(frozen=True)
class SearchResult:
    entry: Entry
    excerpt: str  # safe HTML: escaped text with <mark> around matches


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

    Letters and digits only: everything else is a separator, so no input can break the tsquery syntax.
    """
    return re.findall(r"[^\W_]+", query.lower())[:MAX_QUERY_TERMS]


def typo_similarity(term):
    """The strict word similarity a term needs to match a word it misspells, None for a short term."""
    if len(term) < MIN_TRIGRAM_TERM_LENGTH:
        return None
    for longest, threshold in TYPO_SIMILARITY:
        if len(term) <= longest:
            return threshold
    return LONG_TYPO_SIMILARITY


def faq_search(*, query, language):
    """Published entries matching every word of the query, best first, each with an excerpt.

    On PostgreSQL, full-text hits (every word found as a word or a word's beginning, stemmed) come
    first, ranked; then entries that full-text search misses but where every word is part of a word or
    misspelt (compounds, typos: see MIN_TRIGRAM_TERM_LENGTH), by similarity. On SQLite (make run) much
    the same is done in Python (faq_containment_search).
    """
    terms = faq_query_terms(query)
    if not terms:
        return []
    if connection.vendor == "postgresql":
        entries, stop_words = _postgres_search(terms, language)
    else:
        published = Entry.objects.filter(published=True).select_related("category")
        entries, stop_words = faq_containment_search(entries=published, terms=terms, language=language), set()
    # Stop words ("die", "the") are not searched for by full-text search, so they are not marked either,
    # unless there is nothing else to mark.
    marked_terms = [term for term in terms if term not in stop_words] or terms
    return [
        SearchResult(
            entry=entry,
            excerpt=faq_excerpt(text=markdown_to_text(getattr(entry, f"answer_{language}") or ""), terms=marked_terms),
        )
        for entry in entries
    ]


class _TrigramOperator(Func):
    """`column <operator> 'term'`: ILIKE, or pg_trgm's `%>` (the term's word similarity to the column
    reaches pg_trgm.word_similarity_threshold) or `%>>` (strict word similarity,
    strict_word_similarity_threshold). These operators on the column itself, not functions, are what the
    trigram indexes serve. (django.contrib.postgres has the trigram ones as lookups, but registers them only
    as an installed app, which it is not here.)"""

    template = "%(expressions)s"
    output_field = BooleanField()

    def __init__(self, column, term, *, operator):
        super().__init__(column, term)
        self.arg_joiner = f" {operator} "


def _postgres_search(terms, language):
    """Full-text hits, then trigram-only hits, in one query; returns (entries, the terms that are stop
    words of the language's text search configuration)."""
    with transaction.atomic():
        stop_words = _postgres_search_prepare(terms, language)
        return list(_postgres_search_queryset(terms, language, stop_words)), stop_words


def _postgres_search_prepare(terms, language):
    """Set the trigram operators' thresholds for the current transaction (set_config(…, true) lasts
    until it ends) and return the terms that are stop words, which the trigram part leaves out, as
    full-text search does. One statement."""
    with connection.cursor() as cursor:
        # The operators compare with these settings, so the trigram indexes yield every candidate.
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true), "
            "set_config('pg_trgm.strict_word_similarity_threshold', %s, true), "
            "ARRAY(SELECT term FROM unnest(%s::text[]) AS term WHERE to_tsvector(%s::regconfig, term) = '')",
            [str(WORD_PART_SIMILARITY), str(LONG_TYPO_SIMILARITY), terms, SEARCH_CONFIGS[language]],
        )
        return set(cursor.fetchone()[2])


def _postgres_search_queryset(terms, language, stop_words):
    """The published entries that match, best first: full-text hits by rank, then the entries in which
    every term (but stop words and terms shorter than MIN_TRIGRAM_TERM_LENGTH) is part of a word or a
    misspelt word, by similarity. Needs _postgres_search_prepare in the same transaction."""
    config = SEARCH_CONFIGS[language]
    search_query = SearchQuery(" & ".join(f"{term}:*" for term in terms), search_type="raw", config=config)
    vector = entry_search_vector(language)
    entries = Entry.objects.filter(published=True).alias(document=vector)
    full_text = Q(document=search_query)
    matches, similarity = full_text, Value(0.0)
    fuzzy_terms = [term for term in terms if term not in stop_words and typo_similarity(term)]
    if fuzzy_terms:
        # Every term a part of a word or a misspelt word of the question or of the answer.
        similar = Q()
        for number, term in enumerate(fuzzy_terms):
            found, closeness = Q(), []
            for field in (f"question_{language}", f"answer_{language}"):
                strict = f"strict_{field}_{number}"
                entries = entries.alias(**{strict: TrigramStrictWordSimilarity(Value(term), field)})
                # Terms hold letters and digits only: no LIKE wildcard to escape.
                found |= Q(_TrigramOperator(F(field), Value(f"%{term}%"), operator="ILIKE"))
                if len(term) >= MIN_WORD_PART_LENGTH:
                    found |= Q(_TrigramOperator(F(field), Value(term), operator="%%>"))
                # %>> finds candidates through the index; the term's own threshold decides.
                found |= Q(_TrigramOperator(F(field), Value(term), operator="%%>>")) & Q(
                    **{f"{strict}__gte": typo_similarity(term)}
                )
                closeness.append(TrigramWordSimilarity(Value(term), field))
            similar &= found
            similarity = similarity + Greatest(*closeness)
        matches = full_text | similar
    entries = (
        entries.filter(matches)
        .alias(
            is_full_text=ExpressionWrapper(full_text, output_field=BooleanField()),
            rank=SearchRank(vector, search_query),
            similarity=similarity,
        )
        .select_related("category")
        .order_by(F("is_full_text").desc(), "-rank", "-similarity", "category__position", "position", "pk")[
            :MAX_RESULTS
        ]
    )
    return entries


def faq_containment_search(*, entries, terms, language):
    """The search of the embedded SQLite (make run), in Python over the given entries (the published
    ones, which are few): SQLite's LIKE folds only ASCII letters, so "überwachung" would miss
    "Überwachung".

    First the entries whose question or answer contains every term (compared casefolded and without
    diacritics), those with more terms in the question first; then those where every term matches a word
    as the excerpts match them (see faq_excerpt), most similar first. The order of `entries` breaks ties.
    """
    terms = [_fold(term) for term in terms]
    contained, similar = [], []
    for position, entry in enumerate(entries):
        question = _fold(getattr(entry, f"question_{language}") or "")
        answer = _fold(markdown_to_text(getattr(entry, f"answer_{language}") or ""))
        text = f"{question} {answer}"
        if all(term in text for term in terms):
            contained.append((-sum(term in question for term in terms), position, entry))
            continue
        parts = {part for word in text.split() for part in _word_parts(word)}
        best = [max((_word_match(term, part)[0] for part in parts), default=0.0) for term in terms]
        if all(best):
            similar.append((-sum(best), position, entry))
    return [entry for *_order, entry in sorted(contained) + sorted(similar)][:MAX_RESULTS]


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
    _word_match says ("Anti-<mark>Überwachungs</mark>-Demonstranten"). When no word matches (a hit in the
    question only, or a typo that only PostgreSQL's measure found), the excerpt shows the sentence of
    the most similar word, or the text's beginning.
    """
    tokens = text.split()
    if not tokens:
        return ""
    terms = [_fold(term) for term in terms]
    # matches[token][term]: how well the token matches the term, 0 when it does not count as a match;
    # closeness[token][term]: how similar they are anyway; marks[token]: the spans to mark.
    matches, closeness, marks = [], [], []
    for token in tokens:
        spans = [(part.start(), part.end(), _fold(part.group())) for part in _WORD_PART.finditer(token)]
        candidates = [*spans]
        if len(spans) > 1:  # "e-mail" is also "email"
            candidates.append((spans[0][0], spans[-1][1], "".join(folded for _start, _end, folded in spans)))
        scored = [(start, end, [_word_match(term, folded) for term in terms]) for start, end, folded in candidates]
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


def _fold(text):
    """Casefolded and without diacritics ("Überwachung" -> "uberwachung"), as PostgreSQL's German
    stemmer compares words."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


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
    five, as stemming does: "Algorithmus" for "algorithmen", "40-minütige" for "minuten"), has a part
    similar to it (WORD_PART_SIMILARITY) or misspells it (typo_similarity), as on PostgreSQL."""
    if word.startswith(term):
        return 1.0, 1.0
    if len(term) < MIN_TRIGRAM_TERM_LENGTH:
        return 0.0, 0.0
    if term in word:
        return 0.9, 0.9
    if len(os.path.commonprefix([term, word])) >= max(5, len(term) - 2):
        return 0.8, 0.8
    part = _trigram_word_similarity(term, word)
    if part >= WORD_PART_SIMILARITY and len(term) >= MIN_WORD_PART_LENGTH:
        return part, part
    whole = _trigram_similarity(term, word)
    if whole >= typo_similarity(term):
        return whole, part
    return 0.0, part


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
    """Count a search that found nothing, for the team (admin: unanswered searches). Returns whether it
    was counted.

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
    if not recipient_first_in(purpose, client, seconds=seconds):
        return False  # this visitor counted already today
    if recipient_first_in(purpose, "the first visitor", seconds=seconds):
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
