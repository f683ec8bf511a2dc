"""Public forms no longer set the CSRF cookie (socialdilemma/crossorigin.py): the necessary group's and the
csrftoken cookie's descriptions say so. Texts that staff have edited since the seed are left as they are."""

from django.db import migrations

GROUP_BEFORE = {
    "description_de": (
        "Diese Cookies braucht die Website, um Ihre Cookie-Auswahl zu speichern und Formulare zu schützen. "
        "Sie werden erst gesetzt, wenn Sie eine Auswahl treffen oder ein Formular öffnen."
    ),
    "description_en": (
        "The website needs these cookies to remember your cookie choice and to protect forms. They are only "
        "set once you make a choice or open a form."
    ),
}
CSRF_COOKIE_BEFORE = {
    "description_de": (
        "Schützt Formulare wie die Anmeldung einer Vorführung vor Fälschung durch andere Websites; "
        "nur auf Seiten mit solchen Formularen, ein Jahr lang."
    ),
    "description_en": (
        "Protects forms such as the screening registration against forgery by other websites; only on "
        "pages with such forms, for one year."
    ),
}


def update_descriptions(apps, schema_editor):
    from cookie_consent.cache import delete_cache

    from consent.seed import GROUPS

    necessary = next(group for group in GROUPS if group["varname"] == "necessary")
    csrf_cookie = next(cookie for cookie in necessary["cookies"] if cookie[0] == "csrftoken")
    CookieGroup = apps.get_model("cookie_consent", "CookieGroup")
    Cookie = apps.get_model("cookie_consent", "Cookie")
    # "description" is the untranslated field, kept equal to German (modeltranslation's default language).
    changes = (
        (
            CookieGroup.objects.filter(varname="necessary"),
            GROUP_BEFORE,
            necessary["description_de"],
            necessary["description_en"],
        ),
        (
            Cookie.objects.filter(name="csrftoken", cookiegroup__varname="necessary"),
            CSRF_COOKIE_BEFORE,
            *csrf_cookie[1:3],
        ),
    )
    for objects, before, german, english in changes:
        objects.filter(description_de=before["description_de"]).update(description=german, description_de=german)
        objects.filter(description_en=before["description_en"]).update(description_en=english)
    delete_cache()


class Migration(migrations.Migration):
    dependencies = [("consent", "0002_cookie_groups")]

    operations = [migrations.RunPython(update_descriptions, migrations.RunPython.noop)]
