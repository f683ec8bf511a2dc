"""The FAQ's rules: what is shown, how it is searched, how the seed content is loaded."""

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Func, Prefetch, Q, Value
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .markdown import markdown_to_text
from .models import SEARCH_CONFIGS, Category, Entry, entry_search_vector

SEED_FILE = Path(__file__).resolve().parent / "seed" / "faq.toml"
MAX_QUERY_TERMS = 10
MAX_RESULTS = 50
# Control characters mark the highlighted words in PostgreSQL's excerpt; they cannot occur in the
# escaped text, so the excerpt is escaped first and the marks become <mark> afterwards.
_MARK_START, _MARK_END = "\x02", "\x03"


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
    """The entry with this slug in this language (or, failing that, in any language), or None.

    A slug of another language is found too, so the caller can redirect to the entry's own address.
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
    return entry


def entry_has_translation(entry, language):
    return bool(getattr(entry, f"question_{language}", None) and getattr(entry, f"answer_{language}", None))


def _query_terms(query):
    # Letters and digits only: everything else is a separator, so no input can break the tsquery syntax.
    return re.findall(r"[^\W_]+", query.lower())[:MAX_QUERY_TERMS]


def faq_search(*, query, language):
    """Published entries matching every word of the query (as a word or a word's beginning), best first."""
    terms = _query_terms(query)
    if not terms:
        return []
    if connection.vendor != "postgresql":
        return _containment_search(terms, language)
    config = SEARCH_CONFIGS[language]
    search_query = SearchQuery(" & ".join(f"{term}:*" for term in terms), search_type="raw", config=config)
    vector = entry_search_vector(language)
    # The excerpt is taken from the answer without Markdown link targets and markup characters.
    plain_answer = Func(
        F(f"answer_{language}"),
        Value(r"\]\([^)]*\)|[\[\]*_>#`]"),
        Value(""),
        Value("g"),
        function="regexp_replace",
    )
    entries = (
        Entry.objects.filter(published=True)
        .annotate(document=vector)
        .filter(document=search_query)
        .annotate(
            rank=SearchRank(vector, search_query),
            excerpt=SearchHeadline(
                plain_answer,
                search_query,
                config=config,
                start_sel=_MARK_START,
                stop_sel=_MARK_END,
                max_words=30,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .select_related("category")
        .order_by("-rank", "category__position", "position", "pk")[:MAX_RESULTS]
    )
    return [SearchResult(entry=entry, excerpt=_highlight(entry.excerpt)) for entry in entries]


def _highlight(marked_text):
    html = escape(marked_text).replace(_MARK_START, "<mark>").replace(_MARK_END, "</mark>")
    return mark_safe(html)  # noqa: S308 - escaped above; only our own <mark> tags are added


def _containment_search(terms, language):
    """The embedded SQLite's search: every term contained in question or answer."""
    entries = Entry.objects.filter(published=True).select_related("category")
    for term in terms:
        entries = entries.filter(
            Q(**{f"question_{language}__icontains": term}) | Q(**{f"answer_{language}__icontains": term})
        )
    results = []
    for entry in entries[:MAX_RESULTS]:
        text = markdown_to_text(getattr(entry, f"answer_{language}") or "")
        marked = re.sub(
            "(" + "|".join(re.escape(term) for term in terms) + ")",
            lambda match: _MARK_START + match.group(0) + _MARK_END,
            text[:300],
            flags=re.IGNORECASE,
        )
        results.append(SearchResult(entry=entry, excerpt=_highlight(marked)))
    return results


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
