"""The search reads what a reader sees (it matched hidden link targets): per language, the question and
the plain text of the answer, folded (faq.searchtext), their text search document and their words, in
columns of their own, filled here for the entries there are; the full-text and trigram indexes move from
the Markdown columns to them. Typos are told from other words by their edit distance, which PostgreSQL's
fuzzystrmatch measures.

Entry.save keeps the columns in step from now on. A later data migration that writes the texts through
its historical model (which has no such save) must set them too, as fill_search_columns does.
"""

import django.contrib.postgres.search
from django.contrib.postgres.operations import CreateExtension
from django.db import migrations, models


class PostgresFuzzyStrMatchExtension(CreateExtension):
    """fuzzystrmatch (levenshtein_less_equal, for typos: faq.services.TYPO_EDITS), on PostgreSQL only. It
    ships with PostgreSQL (contrib), as pg_trgm does, and is a trusted extension: the database owner may
    create it without being a superuser. Going backwards it is kept, as pg_trgm is (migration 0004)."""

    def __init__(self):
        super().__init__("fuzzystrmatch")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass


def fill_search_columns(apps, schema_editor):
    from faq.models import SEARCH_CONFIGS, entry_search_vector, entry_words_vector
    from faq.searchtext import entry_search_texts

    entry_model = apps.get_model("faq", "Entry")
    entries = list(entry_model.objects.all())
    for entry in entries:
        for field, text in entry_search_texts(entry).items():
            setattr(entry, field, text)
    fields = ["search_question_de", "search_answer_de", "search_question_en", "search_answer_en"]
    entry_model.objects.bulk_update(entries, fields, batch_size=200)
    if schema_editor.connection.vendor == "postgresql":
        # From the texts just written (an UPDATE reads the columns as they were before it).
        documents = {f"search_document_{language}": entry_search_vector(language) for language in SEARCH_CONFIGS}
        words = {f"search_words_{language}": entry_words_vector(language) for language in SEARCH_CONFIGS}
        entry_model.objects.update(**documents, **words)
        # The updates left deferred foreign key checks pending, which would keep the indexes below from
        # being created in this transaction: run them now.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _replace_indexes(schema_editor, entry_model, old, new):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in old:
        schema_editor.remove_index(entry_model, index)
    for index in new:
        schema_editor.add_index(entry_model, index)


def indexes_on_search_texts(apps, schema_editor):
    from faq.migrations._indexes import markdown_search_indexes, markdown_trigram_indexes
    from faq.models import search_indexes, trigram_indexes

    old = markdown_search_indexes() + markdown_trigram_indexes()
    _replace_indexes(schema_editor, apps.get_model("faq", "Entry"), old, search_indexes() + trigram_indexes())


def indexes_on_markdown(apps, schema_editor):
    from faq.migrations._indexes import markdown_search_indexes, markdown_trigram_indexes
    from faq.models import search_indexes, trigram_indexes

    new = markdown_search_indexes() + markdown_trigram_indexes()
    _replace_indexes(schema_editor, apps.get_model("faq", "Entry"), search_indexes() + trigram_indexes(), new)


class Migration(migrations.Migration):
    dependencies = [("faq", "0010_restored_links")]

    operations = [
        PostgresFuzzyStrMatchExtension(),
        migrations.AddField(
            model_name="entry",
            name="search_question_de",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="entry",
            name="search_answer_de",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="entry",
            name="search_question_en",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="entry",
            name="search_answer_en",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="entry",
            name="search_document_de",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="entry",
            name="search_document_en",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="entry",
            name="search_words_de",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="entry",
            name="search_words_en",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(fill_search_columns, migrations.RunPython.noop),
        migrations.RunPython(indexes_on_search_texts, indexes_on_markdown),
    ]
