from django.core.management.base import BaseCommand

from socialdilemma.taskqueue.models import Email
from socialdilemma.taskqueue.services import emails_retry


class Command(BaseCommand):
    help = "Try every failed email again with a fresh set of attempts (as the admin's action does)."

    def handle(self, *args, **options):
        count = emails_retry(Email.objects.all())
        self.stdout.write(f"{count} failed email(s) queued again.")
