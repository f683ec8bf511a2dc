"""A newsletter issue sent by real worker processes to a real SMTP server (aiosmtpd), with the worker
killed (SIGKILL) on the way: every subscriber receives the issue, none twice but the one message whose
acceptance the killed worker could not record (under the same Message-ID), and the issue ends "sent"."""

import signal
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from newsletter import services
from newsletter.models import Issue, Subscriber
from socialdilemma.taskqueue.models import Email
from tests.mailserver import smtp_sink
from tests.servers import free_port, queue_env, scheduler, worker
from tests.socialdilemma.test_worker import DATABASE_QUEUE, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

SUBSCRIBERS = 1000
SUBJECTS = {"de": "Neues vom Film", "en": "News about the film"}


def subscribers(count):
    """`count` confirmed subscribers, every other one in English; returns {address: language}."""
    now = timezone.now()
    people = {f"leser{n}@example.org": ("de", "en")[n % 2] for n in range(count)}
    Subscriber.objects.bulk_create(
        Subscriber(
            email=email,
            language=language,
            status=Subscriber.Status.CONFIRMED,
            requested_at=now,
            confirmed_at=now,
            consent_text="x",
            consent_version="1",
            link_key=email,
            token_hash=email,
        )
        for email, language in people.items()
    )
    return people


def new_issue():
    return Issue.objects.create(
        subject_de=SUBJECTS["de"],
        subject_en=SUBJECTS["en"],
        body_de="Hallo! [Jetzt eine Vorführung registrieren](site:register).",
        body_en="Hello! [Register a screening now](site:register).",
    )


def assert_each_received_it_once(sink, people, issue):
    """Every subscriber received the issue in their language; at most one message arrived twice, and
    then under the same Message-ID (the window README "Background work" documents); the outbox and the
    admin's progress say all were sent."""
    counts = Counter(sink.recipients())
    assert set(counts) == set(people)
    twice = [recipient for recipient, count in counts.items() if count > 1]
    assert len(twice) <= 1 and max(counts.values()) <= 2, twice
    message_ids = dict(Email.objects.filter(about=issue.email_about).values_list("to", "message_id"))
    for recipient, message_id, subject in sink.received:
        assert message_id == message_ids[recipient] and subject == SUBJECTS[people[recipient]]
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT and issue.sent_at is not None
    progress = services.issue_progress(issue)  # what the admin shows
    assert progress == {"waiting": 0, "sending": 0, "sent": len(people), "failed": 0, "dropped": 0}


def all_sent(issue):
    unsent = Email.objects.filter(about=issue.email_about).exclude(status=Email.Status.SENT)
    return Issue.objects.get(pk=issue.pk).status == Issue.Status.SENT and not unsent.exists()


def test_a_worker_killed_while_delivering_an_issue_loses_no_subscriber(settings):
    settings.TASKS = DATABASE_QUEUE
    port = free_port()
    env = queue_env(port)
    people = subscribers(SUBSCRIBERS)
    issue = new_issue()
    with smtp_sink(port, delay=0.02) as sink:
        with transaction.atomic():
            assert services.issue_start_sending(issue)  # the task is enqueued when this commits
        with scheduler(env):
            with worker(env) as first:
                wait_until(lambda: len(sink.recipients()) >= 300, 60, "the first worker sent too little")
                first.send_signal(signal.SIGKILL)
                first.wait()
            sent_before_restart = len(sink.recipients())
            assert sent_before_restart < SUBSCRIBERS
            # What the kill interrupted: the delivery, not the queueing. The one worker ran the issue's
            # task first, which queued all subscribers' emails in two batches (their deliveries enqueued
            # as each committed) and marked the issue "sent" (all queued) within a second; only then did
            # it start delivering. So the scheduler's resumption of issues left "sending" has nothing to
            # do here: the outbox's sweep gives the rest of the killed batch to the next worker once its
            # lease has passed (10 × EMAIL_TIMEOUT), and the second batch is still waiting in the queue.
            issue.refresh_from_db()
            assert issue.status == Issue.Status.SENT
            assert Email.objects.filter(about=issue.email_about).count() == SUBSCRIBERS
            with worker(env):
                assert sink.wait_for(SUBSCRIBERS, timeout=90) >= SUBSCRIBERS
                wait_until(lambda: all_sent(issue), 30, "some emails were never recorded as sent")
    assert sent_before_restart < len(set(sink.recipients()))  # the second worker did its part
    assert_each_received_it_once(sink, people, issue)


def test_a_worker_killed_while_queueing_an_issue_is_resumed_by_the_scheduler(settings):
    """The queueing interrupted for real: the test holds an uncommitted outbox row of a subscriber of the
    second batch, so the worker's INSERT of that batch waits for it; the worker is killed while it waits,
    with the first batch committed. The issue stays "sending"; the scheduler queues it again once it has
    been sending for ISSUE_RESUME_AFTER (a constant, so the test moves the start back instead of waiting
    ten minutes) and the run skips whoever is queued already."""
    settings.TASKS = DATABASE_QUEUE
    port = free_port()
    env = queue_env(port)
    people = subscribers(SUBSCRIBERS)
    issue = new_issue()
    blocked_subscriber = Subscriber.objects.order_by("pk").values_list("pk", flat=True)[services.ISSUE_BATCH + 10]
    holding, release = threading.Event(), threading.Event()

    def hold_a_row():
        try:
            with transaction.atomic():
                Email.objects.create(
                    cause=f"{issue.email_about}:{blocked_subscriber}",
                    renderer=services.ISSUE_RENDERER,
                    to="held@example.org",
                    language="de",
                    message_id="<held@testserver>",
                )
                holding.set()
                release.wait(60)
                transaction.set_rollback(True)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_a_row)
    holder.start()
    try:
        assert holding.wait(10)
        with smtp_sink(port) as sink:
            with transaction.atomic():
                assert services.issue_start_sending(issue)
            with worker(env) as first:
                wait_until(lambda: waiting_on_a_lock() == 1, 30, "the worker's second batch never waited")
                first.send_signal(signal.SIGKILL)
                first.wait()
            release.set()
            holder.join()
            issue.refresh_from_db()
            assert issue.status == Issue.Status.SENDING
            assert Email.objects.filter(about=issue.email_about).count() == services.ISSUE_BATCH
            assert not sink.recipients()  # the worker was still queueing: nothing was delivered yet
            # Ten minutes later, as far as the scheduler can tell.
            Issue.objects.filter(pk=issue.pk).update(
                sending_started_at=timezone.now() - services.ISSUE_RESUME_AFTER - timedelta(minutes=1)
            )
            with worker(env), scheduler(env):
                assert sink.wait_for(SUBSCRIBERS, timeout=60) >= SUBSCRIBERS
                wait_until(lambda: all_sent(issue), 30, "the issue was not finished")
    finally:
        release.set()
        holder.join()
    assert_each_received_it_once(sink, people, issue)
    assert len(sink.recipients()) == SUBSCRIBERS  # nothing was sent twice: no delivery was interrupted


def waiting_on_a_lock():
    """Connections to the test database that wait for a lock (the worker's INSERT of the held row)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]
