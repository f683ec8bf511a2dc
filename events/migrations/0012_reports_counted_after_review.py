from django.db import migrations, models


def count_the_reports_already_public(apps, schema_editor):
    """Reports sent before this rule were already in the public figures: they stay there (staff may take
    one out in the admin)."""
    apps.get_model("events", "ScreeningReport").objects.update(counted=True)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0011_host_edits_stay_on_tour"),
    ]

    operations = [
        migrations.AddField(
            model_name="screeningreport",
            name="counted",
            field=models.BooleanField(default=False, verbose_name="counted in the public figures"),
        ),
        migrations.RunPython(count_the_reports_already_public, migrations.RunPython.noop),
    ]
