"""The analytics group's description speaks only of the site's own count ("this count places no cookies"):
with ANALYTICS_SCRIPT_URL, a third-party script joins the group, and the settings page describes it beside
the description. Texts that staff have edited since the seed are left as they are."""

from django.db import migrations

ANALYTICS_BEFORE = {
    "description_de": (
        "Wir zählen Seitenaufrufe und Trailer-Wiedergaben pro Seite, Sprache und Tag auf unserem eigenen "
        "Server – ohne Cookies, ohne IP-Adresse und ohne Sie wiederzuerkennen. So verstehen wir, wie die "
        "Website unserer Kampagne dient. Die Zahlen werden nie weitergegeben oder verkauft."
    ),
    "description_en": (
        "We count page views and trailer plays per page, language and day on our own server – without "
        "cookies, without your IP address and without recognising you. This tells us how the website serves "
        "our campaign. The figures are never shared or sold."
    ),
}


def update_description(apps, schema_editor):
    from cookie_consent.cache import delete_cache

    from consent.seed import GROUPS

    analytics = next(group for group in GROUPS if group["varname"] == "analytics")
    groups = apps.get_model("cookie_consent", "CookieGroup").objects.filter(varname="analytics")
    # "description" is the untranslated field, kept equal to German (modeltranslation's default language).
    groups.filter(description_de=ANALYTICS_BEFORE["description_de"]).update(
        description=analytics["description_de"], description_de=analytics["description_de"]
    )
    groups.filter(description_en=ANALYTICS_BEFORE["description_en"]).update(description_en=analytics["description_en"])
    delete_cache()


class Migration(migrations.Migration):
    dependencies = [("consent", "0003_forms_without_csrf_cookie")]

    operations = [migrations.RunPython(update_description, migrations.RunPython.noop)]
