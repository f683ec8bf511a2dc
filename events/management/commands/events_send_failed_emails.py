from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from events.services import screenings_retry_failed_emails


class Command(BaseCommand):
    help = (
        "Send again every email with a link that failed, and every confirmation that never went out "
        "(run every few minutes); needs SITE_URL."
    )

    def handle(self, *args, **options):
        if not settings.SITE_URL:
            raise CommandError("Set SITE_URL (e.g. https://example.org) so that the emails can carry links.")
        sent, failing = screenings_retry_failed_emails(base_url=settings.SITE_URL)
        self.stdout.write(f"{sent} email(s) sent, {failing} still failing.")
        if failing:
            raise CommandError(f"{failing} email(s) still failing; see the log.")
