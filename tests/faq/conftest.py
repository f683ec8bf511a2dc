import pytest
from django.utils import translation

from faq.models import Category, Entry


@pytest.fixture
def make_entry(db):
    """Create an entry with German and (unless told otherwise) English text."""
    counter = {"n": 0}

    def make(*, category=None, published=True, question_de=None, answer_de="Antwort.", **fields):
        counter["n"] += 1
        n = counter["n"]
        if category is None:
            category = Category.objects.create(
                title_de=f"Kategorie {n}",
                title_en=f"Category {n}",
                slug_de=f"kategorie-{n}",
                slug_en=f"category-{n}",
                position=1000 + n,
            )
        values = {
            "question_de": question_de or f"Testfrage {n}?",
            "question_en": f"Test question {n}?",
            "slug_de": f"testfrage-{n}",
            "slug_en": f"test-question-{n}",
            "answer_de": answer_de,
            "answer_en": "Answer.",
            "position": 1000 + n,
            **fields,
        }
        with translation.override("de"):
            return Entry.objects.create(category=category, published=published, **values)

    return make
