"""Full-text GIN indexes, one per language, on PostgreSQL only (the embedded SQLite has no GIN)."""

from django.db import migrations


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from faq.migrations._indexes import markdown_search_indexes as search_indexes

    entry = apps.get_model("faq", "Entry")
    for index in search_indexes():
        schema_editor.add_index(entry, index)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from faq.migrations._indexes import markdown_search_indexes as search_indexes

    entry = apps.get_model("faq", "Entry")
    for index in search_indexes():
        schema_editor.remove_index(entry, index)


class Migration(migrations.Migration):
    dependencies = [("faq", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
