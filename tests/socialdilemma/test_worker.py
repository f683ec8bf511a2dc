"""The task queue with real processes: the site as `make serve` runs it (honcho: gunicorn, worker,
scheduler), workers killed and doubled, and real SMTP peers (tests/mailserver.py)."""

import os
import re
import signal
import threading
import time
from collections import Counter

import pytest
from django.db import transaction

from socialdilemma.taskqueue.models import Email
from socialdilemma.taskqueue.services import deliver_on_commit
from tests.mailserver import hung_relay, smtp_sink
from tests.security.test_load_and_outage import REGISTERED, register
from tests.servers import fetch, free_port, queue_env, scheduler, site_stack, worker

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def enqueue_emails(count, *, batch=50):
    """`count` emails in the outbox, their deliveries enqueued in batches as a newsletter would."""
    with transaction.atomic():
        emails = Email.objects.bulk_create(
            Email(
                cause=f"test:{n}",
                renderer="tests.socialdilemma.renderers.numbered",
                to=f"reader{n}@example.org",
                language="de",
                params={"n": n},
                message_id=f"<test-{n}@testserver>",
            )
            for n in range(count)
        )
        ids = [email.pk for email in emails]
        for start in range(0, count, batch):
            deliver_on_commit(ids[start : start + batch])
    return {f"reader{n}@example.org" for n in range(count)}


def wait_until(condition, timeout, message):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.2)


def test_a_hung_mail_server_holds_up_no_request_and_each_email_arrives_once_when_it_answers(site_content):
    port = free_port()
    with site_stack(queue_env(port, EMAIL_TIMEOUT="2")) as (base, honcho, output):
        with hung_relay(port):
            registrations, pages, stop = [], [], threading.Event()

            def post(n):
                started = time.monotonic()
                registrations.append((register(base, n), time.monotonic() - started))

            def browse():
                while not stop.is_set():
                    for path in ("/de/", "/de/faq/", "/en/tour/", "/de/screenings/"):
                        started = time.monotonic()
                        pages.append((path, fetch(base + path)[0], time.monotonic() - started))

            browser = threading.Thread(target=browse)
            browser.start()
            posters = [threading.Thread(target=post, args=(n,)) for n in range(6)]
            for thread in posters:
                thread.start()
            for thread in posters:
                thread.join()
            # The worker meanwhile waits on the silent server (2 s per attempt); pages go on answering.
            wait_until(
                lambda: Email.objects.exclude(last_error="").count() == 6, 60, "the worker never tried the emails"
            )
            stop.set()
            browser.join()
        assert [status for status, _seconds in registrations] == [REGISTERED] * 6
        assert max(seconds for _status, seconds in registrations) < 2, registrations
        assert pages and all(status == 200 for _path, status, _seconds in pages)
        assert max(seconds for _path, _status, seconds in pages) < 1, max(pages, key=lambda page: page[2])
        errors = list(Email.objects.values_list("last_error", flat=True))
        assert all(error.startswith("SMTPServerDisconnected") for error in errors), errors
        assert any("timed out" in error for error in errors), errors

        with smtp_sink(port) as sink:
            assert sink.wait_for(6, timeout=120) == 6
            time.sleep(3)  # nothing more arrives
            assert Counter(sink.recipients()) == {f"host{n}@example.org": 1 for n in range(6)}
            assert len({message_id for _to, message_id, _subject in sink.received}) == 6
        pids = [int(pid) for pid in re.findall(r"started \(pid=(\d+)\)", output())]
        assert len(pids) == 3  # web, worker, scheduler

    # SIGTERM to honcho (as `make serve` gets from Ctrl-C or systemd) stops all three together.
    assert honcho.returncode is not None
    assert not running_in_groups(pids)


def running_in_groups(groups):
    """Processes still running (not zombies waiting to be reaped) in these process groups."""
    running = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                fields = open(f"/proc/{entry.name}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115
            except OSError:
                continue
            state, pgid = fields[0], int(fields[2])
            if pgid in groups and state != "Z":
                running.append(int(entry.name))
    return running


def test_a_refusing_then_deferring_mail_server_delivers_every_email_once(settings):
    settings.TASKS = DATABASE_QUEUE
    port = free_port()  # nothing listens: connections are refused
    env = queue_env(port)
    recipients = enqueue_emails(20, batch=5)
    with worker(env), scheduler(env):
        # One attempt per batch meets the refusal; the rest of the batch waits for the same retry.
        wait_until(
            lambda: Email.objects.filter(last_error__contains="ConnectionRefusedError").count() >= 4,
            60,
            "the worker did not try",
        )
        # Then the server answers, but defers the first ten messages (451) before it accepts.
        with smtp_sink(port, refuse_first=10) as sink:
            assert sink.wait_for(20, timeout=90) == 20
            time.sleep(2)
    assert sink.refused == 10
    assert Counter(sink.recipients()) == dict.fromkeys(recipients, 1)
    assert set(Email.objects.values_list("status", flat=True)) == {Email.Status.SENT}


def test_a_worker_killed_in_the_middle_of_a_batch_loses_nothing(settings):
    settings.TASKS = DATABASE_QUEUE
    port = free_port()
    env = queue_env(port)
    with smtp_sink(port, delay=0.02) as sink:
        recipients = enqueue_emails(200, batch=100)
        with scheduler(env):
            with worker(env) as first:
                wait_until(lambda: len(sink.recipients()) >= 40, 60, "the first worker sent too little")
                first.send_signal(signal.SIGKILL)
                first.wait()
            sent_before_restart = len(sink.recipients())
            assert sent_before_restart < 200
            with worker(env):
                # The untried rest of the killed batch waits one lease (10 × EMAIL_TIMEOUT) before
                # another worker takes it over.
                assert sink.wait_for(200, timeout=90) >= 200
                time.sleep(2)
    counts = Counter(sink.recipients())
    assert set(counts) == recipients
    # At most the one email whose acceptance the killed worker could not record arrives twice,
    # under the same Message-ID.
    twice = [recipient for recipient, count in counts.items() if count > 1]
    assert len(twice) <= 1 and max(counts.values()) <= 2
    for recipient in twice:
        assert len({m for to, m, _subject in sink.received if to == recipient}) == 1
    assert Email.objects.filter(status=Email.Status.SENT).count() == 200


def test_two_workers_deliver_each_of_200_emails_exactly_once(settings):
    settings.TASKS = DATABASE_QUEUE
    port = free_port()
    env = queue_env(port)
    with smtp_sink(port) as sink:
        recipients = enqueue_emails(200, batch=10)
        with worker(env) as one, worker(env) as two:
            assert sink.wait_for(200, timeout=90) == 200
            time.sleep(2)
    assert Counter(sink.recipients()) == dict.fromkeys(recipients, 1)
    # Both took part.
    assert "deliver_emails" in one.output and "deliver_emails" in two.output
