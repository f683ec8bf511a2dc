import json

from django.core.management.base import BaseCommand, CommandError

from socialdilemma.taskqueue.services import queue_figures


class Command(BaseCommand):
    help = (
        "Print the task queue's figures (emails waiting and failed, the age of the oldest unsent email and "
        "of the oldest waiting task) for an operator's alerting; exits 1 when --max-age is exceeded."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", dest="as_json", help="one JSON object instead of lines")
        parser.add_argument(
            "--max-age", type=int, default=None, help="fail when an email or task has waited longer (seconds)"
        )

    def handle(self, *args, as_json, max_age, **options):
        figures = queue_figures()
        if as_json:
            self.stdout.write(json.dumps(figures, sort_keys=True))
        else:
            for name, value in figures.items():
                self.stdout.write(f"{name} {value}")
        if max_age is not None:
            oldest = max(figures["oldest_unsent_email_age_seconds"], figures["oldest_ready_task_age_seconds"])
            if oldest > max_age:
                raise CommandError(f"the oldest waiting work is {oldest} s old (more than {max_age} s)")
