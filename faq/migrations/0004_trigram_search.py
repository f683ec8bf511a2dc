"""Trigram similarity for the FAQ search (pg_trgm): finds parts of compound words and words with typos.

PostgreSQL only: on the embedded SQLite of `make run` both operations do nothing (its search is done in
Python, see faq.services). pg_trgm ships with PostgreSQL (contrib) and is a trusted extension, so the
database owner may create it without being a superuser.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class PostgresTrigramExtension(TrigramExtension):
    """TrigramExtension that leaves other databases alone in both directions.

    Django's own already skips other vendors on the way forward, but not backwards. Going backwards it
    keeps the extension: other objects in the database may use it, and keeping it harms nothing.
    """

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from faq.migrations._indexes import markdown_trigram_indexes as trigram_indexes

    entry = apps.get_model("faq", "Entry")
    for index in trigram_indexes():
        schema_editor.add_index(entry, index)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from faq.migrations._indexes import markdown_trigram_indexes as trigram_indexes

    entry = apps.get_model("faq", "Entry")
    for index in trigram_indexes():
        schema_editor.remove_index(entry, index)


class Migration(migrations.Migration):
    dependencies = [("faq", "0003_seed_content")]

    operations = [
        PostgresTrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
