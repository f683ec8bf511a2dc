from django.conf import settings
from django.core.management.base import BaseCommand

from events.services import screenings_remove_personal_data


class Command(BaseCommand):
    help = "Remove hosts' personal data from screenings that took place more than N days ago (run daily)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.SCREENING_PERSONAL_DATA_DAYS,
            help="days after the screening (default: SCREENING_PERSONAL_DATA_DAYS, %(default)s)",
        )

    def handle(self, *args, days, **options):
        cleared = screenings_remove_personal_data(days=days)
        self.stdout.write(f"Personal data removed from {cleared} screening(s) older than {days} days.")
