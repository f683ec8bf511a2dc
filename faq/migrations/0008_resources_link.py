"""The FAQ's answer for readers who struggle sends them to the discussion guide, which the public
resources page now offers without registering a screening (issue #16). Changed only where the old
wording is still there (faq/seed/faq.toml has the new one)."""

from django.db import migrations

RESOURCES_LINKS = [
    (
        "answer_de",
        "Den Leitfaden erhalten Sie, wenn Sie eine Veranstaltung [registrieren](site:register).",
        "Den Leitfaden finden Sie bei unseren [Materialien](site:resources).",
    ),
    (
        "answer_en",
        "You receive the guide when you [register](site:register) an event.",
        "You find the guide among our [resources](site:resources).",
    ),
]


def link_resources(apps, schema_editor):
    entry_model = apps.get_model("faq", "Entry")
    for field, old, new in RESOURCES_LINKS:
        for entry in entry_model.objects.filter(**{f"{field}__contains": old}):
            setattr(entry, field, getattr(entry, field).replace(old, new))
            fields = [field, "updated_at"]
            if field == "answer_de" and entry.answer and old in entry.answer:
                entry.answer = entry.answer.replace(old, new)  # modeltranslation's original column
                fields.append("answer")
            entry.save(update_fields=fields)


class Migration(migrations.Migration):
    dependencies = [("faq", "0007_newsletter_links")]

    operations = [migrations.RunPython(link_resources, migrations.RunPython.noop)]
