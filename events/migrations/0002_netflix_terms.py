"""The first version of Netflix's terms as summarised for hosts. Staff add later versions in the admin."""

from django.db import migrations


def create_terms(apps, schema_editor):
    from events.seed import netflix_terms_create

    netflix_terms_create(terms_model=apps.get_model("events", "NetflixTerms"))


def remove_terms(apps, schema_editor):
    apps.get_model("events", "NetflixTerms").objects.filter(version="2020-09", screening__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    operations = [migrations.RunPython(create_terms, remove_terms)]
