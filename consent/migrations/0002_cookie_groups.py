"""The cookie groups and their cookies, with names and descriptions in German and English.

Runs once; staff edit the groups in the admin afterwards. A cookie added to a group later changes the
group's version, and visitors who had accepted the group are asked again.
"""

from django.db import migrations

def create_groups(apps, schema_editor):
    from consent.seed import consent_groups_create

    consent_groups_create(
        cookie_group_model=apps.get_model("cookie_consent", "CookieGroup"),
        cookie_model=apps.get_model("cookie_consent", "Cookie"),
    )


def forget_cached_groups(apps, schema_editor):
    # django-cookie-consent caches the groups; historical models do not clear that cache themselves.
    from cookie_consent.cache import delete_cache

    delete_cache()


def remove_groups(apps, schema_editor):
    from consent.seed import GROUPS

    apps.get_model("cookie_consent", "CookieGroup").objects.filter(
        varname__in=[data["varname"] for data in GROUPS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0001_initial"),
        ("cookie_consent", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_groups, remove_groups),
        migrations.RunPython(forget_cached_groups, forget_cached_groups),
    ]
