"""The complete FAQ in German and English, from faq/seed/faq.toml.

Runs once: later edits by staff in the admin are never overwritten by code.
"""

from django.db import migrations


def load_seed(apps, schema_editor):
    from faq.services import faq_import_seed

    category_model = apps.get_model("faq", "Category")
    entry_model = apps.get_model("faq", "Entry")
    if category_model.objects.exists():
        return
    faq_import_seed(category_model=category_model, entry_model=entry_model)


def remove_seed(apps, schema_editor):
    apps.get_model("faq", "Entry").objects.all().delete()
    apps.get_model("faq", "Category").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("faq", "0002_search_indexes")]

    operations = [migrations.RunPython(load_seed, remove_seed)]
