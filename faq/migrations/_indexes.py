"""The search indexes as migrations 0002 and 0004 created them, over the Markdown columns (question_*,
answer_*), frozen here: those migrations must create the same indexes whatever faq.models says today, and
0011, which replaces them by indexes over the search columns, must be able to restore them going back.

(The leading underscore keeps this module out of the migrations Django loads.)
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector

SEARCH_CONFIGS = {"de": "german", "en": "english"}


def markdown_search_indexes():
    """0002: one full-text GIN index per language over the question (weight A) and the Markdown answer (B)."""
    return [
        GinIndex(
            SearchVector(f"question_{language}", weight="A", config=config)
            + SearchVector(f"answer_{language}", weight="B", config=config),
            name=f"faq_entry_search_{language}",
        )
        for language, config in SEARCH_CONFIGS.items()
    ]


def markdown_trigram_indexes():
    """0004: GIN trigram indexes on the question and the Markdown answer of each language."""
    return [
        GinIndex(fields=[f"{field}_{language}"], opclasses=["gin_trgm_ops"], name=f"faq_entry_trgm_{field}_{language}")
        for language in SEARCH_CONFIGS
        for field in ("question", "answer")
    ]
