"""Host emails move to the outbox (socialdilemma.taskqueue): an email that had failed, or never gone out,
before this release is queued there once more, with a new link, before the old record of it is removed."""

import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations, models
from django.db.models import Q
from django.utils import timezone


def queue_unsent_emails(apps, schema_editor):
    Screening = apps.get_model("events", "Screening")
    Email = apps.get_model("taskqueue", "Email")
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    unsent = Screening.objects.filter(
        Q(confirmation_failed_at__isnull=False) | Q(confirmation_sent_at__isnull=True, email_confirmed_at__isnull=True),
        anonymised_at__isnull=True,
        starts_at__gt=timezone.now() - timedelta(days=settings.SCREENING_HOST_LINK_DAYS),
    ).exclude(status="cancelled")
    Email.objects.bulk_create(
        Email(
            cause=f"events.screening:{screening.pk}:migrated",
            renderer="events.emails.host_link",
            to=screening.email,
            language=screening.language,
            params={"screening": screening.pk, "new_link": True},
            about=f"events.screening:{screening.pk}",
            message_id=f"<{uuid.uuid4().hex}@{domain}>",
        )
        for screening in unsent.iterator()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0004_tour_country_index"),
        ("taskqueue", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="screening",
            name="new_token_hash",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64),
        ),
        # The scheduler's sweep sends them a minute later.
        migrations.RunPython(queue_unsent_emails, migrations.RunPython.noop),
        migrations.RemoveField(model_name="screening", name="confirmation_error"),
        migrations.RemoveField(model_name="screening", name="confirmation_failed_at"),
        migrations.RemoveField(model_name="screening", name="confirmation_sent_at"),
    ]
