import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from socialdilemma.taskqueue.services import schedule_tick

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Enqueue the periodic jobs (PERIODIC_TASKS) when they are due and sweep the email outbox for retries; "
        "runs until SIGTERM or Ctrl-C. Harmless on several machines: each period is claimed by one of them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one tick, then exit")

    def handle(self, *args, once, **options):
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_args: stop.set())
        while not stop.is_set():
            try:
                for name in schedule_tick():
                    self.stdout.write(f"Enqueued {name}")
            except Exception:
                # A database outage must not end the scheduler: it tries again at the next tick.
                logger.exception("The scheduler's tick failed; trying again at the next one")
            if once:
                break
            close_old_connections()  # as after a request: a broken or too old connection is not reused
            stop.wait(settings.SCHEDULER_TICK_SECONDS)
