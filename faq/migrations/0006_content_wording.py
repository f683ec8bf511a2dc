"""Wording fixes of issue #17 for databases that were seeded before them (faq/seed/faq.toml has them).

Each change is made only where the old wording is still there, so staff edits are kept, and running it
again changes nothing:

- the German title of the third category, "Eine Veranstaltung veranstalten", becomes "Eine Vorführung
  ausrichten" (its slug, the category's anchor, stays);
- the entry whose question became "Nach welchen Grundsätzen geht diese Kampagne mit Daten und
  Aufmerksamkeit um?" gets slugs matching it; its old slugs become former slugs, which redirect;
- Jaron Lanier is quoted, no longer paraphrased, as in the original FAQ (faq/seed/original-de.txt);
- the release time "12:00 Uhr PST" / "12:00 PST" is dropped: Netflix releases its own films at midnight
  Pacific time (12:00 a.m., not noon; PDT in September), and the answer says since when the film is
  available, for which the date is enough.
"""

from django.db import migrations

CATEGORY_TITLE_DE = ("Eine Veranstaltung veranstalten", "Eine Vorführung ausrichten")

# language: (old slug, new slug)
ENTRY_SLUGS = {
    "de": ("warum-ist-das-team-in-sozialen-medien", "grundsaetze-fuer-daten-und-aufmerksamkeit"),
    "en": ("why-is-the-team-on-social-media", "principles-for-data-and-attention"),
}

LANIER_DE_OLD = (
    "Jaron Lanier, einer unserer Interviewpartner, sagt gegen Ende von *Das soziale Dilemma* sinngemäß:\n\n"
    "Wer das Privileg habe, nicht in den sozialen Medien sein zu müssen, habe eine positive Verantwortung, "
    "da herauszukommen, weil er dort nur ein System aufrechterhalte, das andere Menschen missbrauche. Wer "
    "also privilegiert genug sei, um herauszukommen, solle es tun und aus dem System aussteigen."
)
LANIER_DE_NEW = (
    "Jaron Lanier, einer unserer Interviewpartner, sagt gegen Ende von *Das soziale Dilemma*:\n\n"
    "„Wenn Sie das Privileg haben, nicht in den sozialen Medien sein zu müssen, haben Sie eine positive "
    "Verantwortung, da herauszukommen, weil Sie nur ein System aufrechterhalten, das andere Menschen "
    "missbraucht. Wenn Sie also privilegiert genug sind, um herauszukommen, tun Sie es. Raus aus dem System.“"
)
LANIER_EN_OLD = (
    "Jaron Lanier, one of our interviewees, makes this point towards the end of *The Social Dilemma*:\n\n"
    "Anyone who has the privilege of not having to be on social media, he argues, has a positive "
    "responsibility to get out, because there they are only sustaining a system that abuses other people. So "
    "anyone who is privileged enough to get out should do so and leave the system."
)
LANIER_EN_NEW = (
    "Jaron Lanier, one of our interviewees, says towards the end of *The Social Dilemma*:\n\n"
    "“If you have the privilege of not having to be on social media, you have a positive responsibility to "
    "get out, because you are just sustaining a system that abuses other people. So if you are privileged "
    "enough to get out, do it. Get out of the system.”"
)

# (field, old text, new text): the old text is replaced wherever it is still part of the field.
ANSWER_CHANGES = [
    ("answer_de", LANIER_DE_OLD, LANIER_DE_NEW),
    ("answer_en", LANIER_EN_OLD, LANIER_EN_NEW),
    (
        "answer_de",
        "Sie können den Film seit dem 9. September 2020 um 12:00 Uhr PST auf Netflix abrufen.",
        "Sie können den Film seit dem 9. September 2020 auf Netflix abrufen.",
    ),
    (
        "answer_en",
        "The film has been available on Netflix since 9 September 2020 (from 12:00 PST).",
        "The film has been available on Netflix since 9 September 2020.",
    ),
]


def apply_wording(apps, schema_editor):
    category_model = apps.get_model("faq", "Category")
    entry_model = apps.get_model("faq", "Entry")
    former_slug_model = apps.get_model("faq", "FormerSlug")

    old_title, new_title = CATEGORY_TITLE_DE
    category_model.objects.filter(title_de=old_title).update(title_de=new_title)
    # The untranslated column mirrors the German one (modeltranslation's original field).
    category_model.objects.filter(title=old_title).update(title=new_title)

    for field, old, new in ANSWER_CHANGES:
        for entry in entry_model.objects.filter(**{f"{field}__contains": old}):
            setattr(entry, field, getattr(entry, field).replace(old, new))
            fields = [field, "updated_at"]  # the entry page's "last updated" date
            if field == "answer_de" and entry.answer and old in entry.answer:
                entry.answer = entry.answer.replace(old, new)
                fields.append("answer")
            entry.save(update_fields=fields)

    _rename_entry_slugs(entry_model, former_slug_model)


def _rename_entry_slugs(entry_model, former_slug_model):
    old_de, new_de = ENTRY_SLUGS["de"]
    # The entry is the one that still has the old German slug or already has the new one; an entry
    # whose slug staff changed to something else is left as it is.
    entry = (
        entry_model.objects.filter(slug_de=old_de).first() or entry_model.objects.filter(slug_de=new_de).first()
    )
    if entry is None:
        return
    for language, (old, new) in ENTRY_SLUGS.items():
        field = f"slug_{language}"
        if getattr(entry, field) == old and not _slug_in_use(entry_model, new):
            setattr(entry, field, new)
            fields = [field, "updated_at"]
            if language == "de" and entry.slug == old:
                entry.slug = new
                fields.append("slug")
            entry.save(update_fields=fields)
        # The old address now leads to the entry, unless some entry (this one included) still uses it.
        if not _slug_in_use(entry_model, old):
            former_slug_model.objects.get_or_create(slug=old, defaults={"entry": entry, "language": language})


def _slug_in_use(entry_model, slug):
    return entry_model.objects.filter(slug_de=slug).exists() or entry_model.objects.filter(slug_en=slug).exists()


class Migration(migrations.Migration):
    dependencies = [("faq", "0005_former_slugs_unanswered_searches")]

    # Backwards nothing is undone: the old wording was the mistake.
    operations = [migrations.RunPython(apply_wording, migrations.RunPython.noop)]
