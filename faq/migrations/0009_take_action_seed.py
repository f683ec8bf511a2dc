"""The Take Action page's first actions, from faq/seed/actions.toml (issue #16).

Runs once: where actions exist already (staff made some), it adds nothing.
"""

from django.db import migrations


def load_actions(apps, schema_editor):
    from faq.services import faq_import_actions

    action_model = apps.get_model("faq", "Action")
    if action_model.objects.exists():
        return
    faq_import_actions(action_model=action_model)


def remove_actions(apps, schema_editor):
    apps.get_model("faq", "Action").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("faq", "0008_take_action")]

    operations = [migrations.RunPython(load_actions, remove_actions)]
