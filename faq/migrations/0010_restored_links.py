"""The FAQ's lost links restored with verified addresses, and its "Take Action" mentions pointed at the
site's own page (issue #16), in databases seeded before (faq/seed/faq.toml has them already).

The changes live in faq/links_restored.py. Each is made only where the seed's text is still there, so an
entry staff have edited keeps their wording; those are printed here and listed in the admin's FAQ entries
for staff to add the link themselves. A second run changes nothing.
"""

from django.db import migrations


def restore_links(apps, schema_editor):
    from faq.links_restored import apply_changes, changes_left_for_staff

    entry_model = apps.get_model("faq", "Entry")
    apply_changes(entry_model.objects.all(), lambda entry, fields: entry.save(update_fields=fields))
    for slug, _entry, field, _new in changes_left_for_staff(entry_model, apps.get_model("faq", "FormerSlug")):
        print(f"\n  FAQ entry {slug} ({field}) was edited by staff: add its restored link in the admin.", end="")


class Migration(migrations.Migration):
    dependencies = [("faq", "0009_take_action_seed")]

    operations = [migrations.RunPython(restore_links, migrations.RunPython.noop)]
