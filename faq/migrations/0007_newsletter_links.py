"""The FAQ's newsletter mentions lead to the site's own newsletter, and its answer for readers who
struggle to the discussion guide on the public resources page, which needs no registration (issue #16),
in databases seeded before these pages existed (faq/seed/faq.toml has the new wording). Each text
changes only where the old one is still there, so staff edits are kept and a second run changes
nothing."""

from django.db import migrations

OLD_SITE = "[TheSocialDilemma.com](https://www.thesocialdilemma.com/)"

# (field, old text, new text)
NEWSLETTER_LINKS = [
    ("answer_de", f"den Newsletter auf {OLD_SITE} zu abonnieren", "[unseren Newsletter](site:newsletter) zu abonnieren"),
    (
        "answer_de",
        f"in unserem Newsletter auf {OLD_SITE} und auf unserer Website an",
        "in unserem [Newsletter](site:newsletter) und auf unserer Website an",
    ),
    (
        "answer_de",
        f"Abonnieren Sie den Newsletter auf {OLD_SITE}, um auf dem Laufenden zu bleiben.",
        "Abonnieren Sie [unseren Newsletter](site:newsletter), um auf dem Laufenden zu bleiben.",
    ),
    (
        "answer_de",
        "den Newsletter auf TheSocialDilemma.com zu abonnieren",
        "[unseren Newsletter](site:newsletter) zu abonnieren",
    ),
    (
        "answer_de",
        f"Abonnieren Sie am besten den Newsletter auf {OLD_SITE}, dann",
        "Abonnieren Sie am besten [unseren Newsletter](site:newsletter), dann",
    ),
    ("answer_en", f"to subscribe to the newsletter on {OLD_SITE}", "to subscribe to [our newsletter](site:newsletter)"),
    (
        "answer_en",
        f"in our newsletter on {OLD_SITE} and on our website",
        "in our [newsletter](site:newsletter) and on our website",
    ),
    (
        "answer_en",
        f"Subscribe to the newsletter on {OLD_SITE} to stay up to date.",
        "Subscribe to [our newsletter](site:newsletter) to stay up to date.",
    ),
    (
        "answer_en",
        "subscribe to the newsletter on TheSocialDilemma.com for updates",
        "subscribe to [our newsletter](site:newsletter) for updates",
    ),
    (
        "answer_en",
        f"Be sure to subscribe to the newsletter on {OLD_SITE}, and",
        "Be sure to subscribe to [our newsletter](site:newsletter), and",
    ),
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


def link_newsletter(apps, schema_editor):
    entry_model = apps.get_model("faq", "Entry")
    for field, old, new in NEWSLETTER_LINKS:
        for entry in entry_model.objects.filter(**{f"{field}__contains": old}):
            setattr(entry, field, getattr(entry, field).replace(old, new))
            fields = [field, "updated_at"]
            if field == "answer_de" and entry.answer and old in entry.answer:
                entry.answer = entry.answer.replace(old, new)  # modeltranslation's original column
                fields.append("answer")
            entry.save(update_fields=fields)


class Migration(migrations.Migration):
    dependencies = [("faq", "0006_content_wording")]

    operations = [migrations.RunPython(link_newsletter, migrations.RunPython.noop)]
