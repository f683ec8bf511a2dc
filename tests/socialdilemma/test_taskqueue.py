"""The outbox and the schedule (socialdilemma.taskqueue), in this process. The real worker processes
are tested in test_worker.py."""

import io
import json
import logging
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from events.models import Screening
from socialdilemma.taskqueue import services
from socialdilemma.taskqueue.models import Email, ScheduledRun

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def enqueue(n=1, *, renderer="tests.socialdilemma.renderers.numbered", to=None):
    return services.email_enqueue(
        cause=f"test:{n}", renderer=renderer, to=to or f"person{n}@example.org", language="de", params={"n": n}
    )


def make_due(*emails):
    Email.objects.filter(pk__in=[email.pk for email in emails]).update(next_attempt_at=timezone.now())


def test_an_email_is_sent_once_with_a_stable_message_id(settings):
    email = enqueue(1)
    assert email.message_id.startswith("<") and email.message_id.endswith("@testserver>")
    assert services.emails_deliver([email.pk]) == 1
    assert services.emails_deliver([email.pk]) == 0  # sent already: never again
    (message,) = mail.outbox
    assert message.to == ["person1@example.org"] and message.extra_headers["Message-ID"] == email.message_id
    email.refresh_from_db()
    assert email.status == Email.Status.SENT and email.attempts == 1 and email.sent_at


def test_one_cause_makes_one_email():
    enqueue(1)
    with pytest.raises(IntegrityError), transaction.atomic():
        enqueue(1)
    assert Email.objects.count() == 1


def test_a_refusing_server_is_retried_with_backoff_and_given_up_after_the_last_attempt(settings, caplog):
    settings.EMAIL_BACKEND = "tests.events.failing_mail.TemporaryRefusalBackend"
    settings.EMAIL_MAX_ATTEMPTS, settings.EMAIL_RETRY_SECONDS, settings.EMAIL_RETRY_MAX_SECONDS = 4, 60, 150
    email = enqueue(1)
    delays = []
    for _attempt in range(4):
        before = timezone.now()
        assert services.emails_deliver([email.pk]) == 0
        email.refresh_from_db()
        if email.status == Email.Status.WAITING:
            delays.append(round((email.next_attempt_at - before).total_seconds()))
            assert services.emails_deliver([email.pk]) == 0  # not due yet: nothing happens
            make_due(email)
    assert delays == [60, 120, 150]  # doubling, capped
    assert email.status == Email.Status.FAILED and email.attempts == 4
    assert "SMTPDataError" in email.last_error
    # The log names the email and the error's type, never the address the server's message quotes.
    assert "given up after 4 attempt(s)" in caplog.text
    assert "example.org" not in caplog.text


def test_a_permanent_refusal_is_given_up_at_once(settings, caplog):
    settings.EMAIL_BACKEND = "tests.events.failing_mail.PermanentRefusalBackend"
    email = enqueue(1)
    services.emails_deliver([email.pk])
    email.refresh_from_db()
    assert email.status == Email.Status.FAILED and email.attempts == 1
    assert "refused permanently" in caplog.text and "person1@example.org" not in caplog.text


def test_an_unreachable_server_postpones_the_rest_of_the_batch(settings):
    settings.EMAIL_BACKEND = "tests.events.failing_mail.FailingBackend"
    emails = [enqueue(n) for n in range(3)]
    services.emails_deliver([email.pk for email in emails])
    first, *rest = Email.objects.order_by("pk")
    assert first.attempts == 1 and "SMTPServerDisconnected" in first.last_error
    # Not tried against a server that is known to be down, and due with the first one's retry.
    assert all(email.attempts == 0 and email.next_attempt_at == first.next_attempt_at for email in rest)


@pytest.mark.parametrize(
    "backend", ["TemporaryRecipientRefusalBackend", "TemporaryRefusalBackend", "PermanentRefusalBackend"]
)
def test_a_refusal_of_one_message_does_not_hold_up_the_rest_of_the_batch(settings, backend):
    """A server that answers (4xx or 5xx about one message) is working: the next emails are tried."""
    settings.EMAIL_BACKEND = f"tests.events.failing_mail.{backend}"
    emails = [enqueue(1, to="full@example.org"), enqueue(2), enqueue(3)]
    services.emails_deliver([email.pk for email in emails])
    assert list(Email.objects.order_by("pk").values_list("attempts", flat=True)) == [1, 1, 1]


def test_an_email_that_is_no_longer_due_is_dropped_and_a_broken_one_retried():
    dropped = enqueue(1, renderer="tests.socialdilemma.renderers.no_longer_due")
    broken = enqueue(2, renderer="tests.socialdilemma.renderers.broken")
    services.emails_deliver([dropped.pk, broken.pk])
    dropped.refresh_from_db()
    broken.refresh_from_db()
    assert dropped.status == Email.Status.DROPPED and not mail.outbox
    assert broken.status == Email.Status.WAITING and "RuntimeError" in broken.last_error


def test_an_attempt_in_progress_is_not_taken_by_another_worker_until_its_lease_expires(settings):
    settings.EMAIL_TIMEOUT = 3
    email = enqueue(1)
    claimed = services._claim(email.pk)
    assert claimed.status == Email.Status.SENDING
    assert (claimed.lease_expires_at - timezone.now()).total_seconds() == pytest.approx(30, abs=2)
    assert services._claim(email.pk) is None  # another worker: still leased
    assert email not in services.emails_due()
    Email.objects.filter(pk=email.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert email in services.emails_due()  # its worker died: the sweep sends it again
    assert services.emails_deliver([email.pk]) == 1
    email.refresh_from_db()
    assert email.attempts == 2 and email.status == Email.Status.SENT
    # The record of the first attempt, had its worker lived on, changes nothing any more.
    services._record(claimed, status=Email.Status.FAILED)
    email.refresh_from_db()
    assert email.status == Email.Status.SENT


def test_the_sweep_enqueues_due_retries_and_lost_first_attempts_in_batches(settings):
    settings.TASKS = DATABASE_QUEUE
    fresh = enqueue(1)
    lost = [enqueue(n) for n in range(2, 160)]
    Email.objects.filter(pk__in=[email.pk for email in lost]).update(
        created_at=timezone.now() - services.lease() - timedelta(seconds=1)
    )
    assert services.emails_enqueue_due() == 158
    batches = [result.args_kwargs["args"][0] for result in DBTaskResult.objects.all()]
    assert sorted(len(batch) for batch in batches) == [58, 100]
    assert fresh.pk not in sum(batches, [])


@pytest.mark.django_db(transaction=True)
def test_a_change_that_rolls_back_enqueues_nothing_and_one_that_commits_enqueues_once(settings):
    settings.TASKS = DATABASE_QUEUE
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue(1)
        raise RuntimeError("the change fails")
    assert not Email.objects.exists() and not DBTaskResult.objects.exists()
    with transaction.atomic():
        email = enqueue(2)
        assert not DBTaskResult.objects.exists()  # not before the commit
    (task,) = DBTaskResult.objects.all()
    # The task carries the email's number only: no address in the queue.
    assert task.args_kwargs == {"args": [[email.pk]], "kwargs": {}}
    assert task.task_path == "socialdilemma.taskqueue.tasks.deliver_emails"


@pytest.mark.django_db(transaction=True)
def test_a_registration_that_rolls_back_enqueues_nothing(settings, site_content, form_data):
    from events import services as event_services
    from events.forms import ScreeningForm
    from events.models import NetflixTerms

    settings.TASKS = DATABASE_QUEUE
    form = ScreeningForm(form_data(), language="de")
    assert form.is_valid()
    with pytest.raises(RuntimeError), transaction.atomic():
        event_services.screening_register(data=form.screening_data(), terms=NetflixTerms.objects.get(), language="de")
        raise RuntimeError("something after the registration fails")
    assert not Screening.objects.exists() and not Email.objects.exists() and not DBTaskResult.objects.exists()
    event_services.screening_register(data=form.screening_data(), terms=NetflixTerms.objects.get(), language="de")
    assert Email.objects.count() == 1 and DBTaskResult.objects.count() == 1


def test_staff_try_a_failed_email_again(settings, admin_client, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.events.failing_mail.PermanentRefusalBackend"
    email = enqueue(1)
    services.emails_deliver([email.pk])
    page = admin_client.get("/admin/taskqueue/email/?status=failed").content.decode()
    assert "person1@example.org" in page and "SMTPRecipientsRefused" in page
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/admin/taskqueue/email/", {"action": "try_again", "_selected_action": [email.pk]})
    assert response.status_code == 302
    email.refresh_from_db()
    assert email.status == Email.Status.SENT and len(mail.outbox) == 1
    assert admin_client.get(f"/admin/taskqueue/email/{email.pk}/change/").status_code == 200


def test_each_period_of_a_job_is_claimed_once_across_schedulers(settings):
    settings.TASKS = DATABASE_QUEUE
    now = timezone.now()
    jobs = list(settings.PERIODIC_TASKS)
    assert "taskqueue.prune" in jobs and "events.remove-personal-data" in jobs
    assert services.schedule_tick(now) == jobs
    # Another scheduler (another machine) at the same moment, and a minute later: nothing is due.
    assert services.schedule_tick(now) == []
    assert services.schedule_tick(now + timedelta(minutes=1)) == []
    assert DBTaskResult.objects.count() == len(jobs)
    assert services.schedule_tick(now + timedelta(days=1, seconds=1)) == jobs
    assert ScheduledRun.objects.get(name="taskqueue.prune").next_run_at > now + timedelta(days=2)


def test_the_periodic_jobs_run_as_tasks(make_screening):
    from events.tasks import remove_personal_data
    from socialdilemma.taskqueue.tasks import prune

    old, _token = make_screening(starts_at=timezone.now() - timedelta(days=200))
    assert remove_personal_data.call() == {"anonymised": 1, "unconfirmed_deleted": 0}
    old.refresh_from_db()
    assert old.anonymised_at and not old.email
    Email.objects.update(created_at=timezone.now() - timedelta(days=40))
    assert prune.call() == {"emails": 1, "tasks": 0}
    assert not Email.objects.exists()


def test_the_scheduler_command_runs_one_tick(settings):
    settings.TASKS = DATABASE_QUEUE
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert "Enqueued events.remove-personal-data" in out.getvalue()


def test_queue_status_prints_the_figures_and_alerts_on_age(settings):
    settings.TASKS = DATABASE_QUEUE
    enqueue(1)
    Email.objects.update(created_at=timezone.now() - timedelta(minutes=10))
    out = io.StringIO()
    call_command("queue_status", "--json", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["emails_waiting"] == 1 and figures["oldest_unsent_email_age_seconds"] >= 600
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="more than 60 s"):
        call_command("queue_status", "--max-age", "60", stdout=io.StringIO())
    lines = io.StringIO()
    call_command("queue_status", stdout=lines)
    assert "emails_failed 0" in lines.getvalue()


def test_the_retry_command_queues_failed_emails(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.events.failing_mail.PermanentRefusalBackend"
    email = enqueue(1)
    services.emails_deliver([email.pk])
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("emails_retry_failed", stdout=out)
    assert "1 failed email(s) queued again" in out.getvalue() and len(mail.outbox) == 1


def test_no_address_in_the_log_of_a_failing_delivery(settings, caplog):
    caplog.set_level(logging.DEBUG)
    settings.EMAIL_BACKEND = "tests.events.failing_mail.TemporaryRefusalBackend"
    services.emails_deliver([enqueue(1, to="secret.person@example.org").pk])
    assert caplog.records and "secret.person" not in caplog.text


@pytest.mark.django_db(transaction=True)
def test_an_enqueueing_that_fails_after_the_commit_is_logged_and_the_email_waits(settings, caplog):
    """As when the database goes away between the commit and the enqueueing: the change stands, the
    request still answers, and the retry sweep finds the email later."""
    from unittest import mock

    from django.db import OperationalError

    settings.TASKS = DATABASE_QUEUE
    gone = mock.patch("django_tasks_db.backend.DatabaseBackend.enqueue", side_effect=OperationalError("gone"))
    with gone, transaction.atomic():
        email = enqueue(1)
    assert "Error calling" in caplog.text and "enqueue_delivery" in caplog.text
    assert Email.objects.get(pk=email.pk).status == Email.Status.WAITING
    Email.objects.update(created_at=timezone.now() - services.lease() - timedelta(seconds=1))
    assert services.emails_enqueue_due() == 1


def test_the_sender_name_is_in_the_emails_language(settings):
    settings.DEFAULT_FROM_EMAIL = "Das soziale Dilemma <kampagne@example.org>"
    for language, expected in (("de", "Das soziale Dilemma"), ("en", "The Social Dilemma")):
        email = services.email_enqueue(
            cause=f"sender:{language}",
            renderer="tests.socialdilemma.renderers.numbered",
            to="a@example.org",
            language=language,
            params={"n": 1},
        )
        services.emails_deliver([email.pk])
        assert mail.outbox[-1].from_email == f"{expected} <kampagne@example.org>"


def test_staff_see_each_kind_of_email_by_its_name_in_their_language_and_can_filter_by_it(admin_client):
    def email(n, renderer, status, **params):
        return Email.objects.create(
            cause=f"test:{n}",
            renderer=renderer,
            to=f"person{n}@example.org",
            language="de",
            params=params,
            message_id=services.new_message_id(),
            status=status,
        )

    confirm = email(1, "events.emails.guest_email", Email.Status.SENT, guest=1, kind="confirm")
    reminder = email(2, "events.emails.guest_email", Email.Status.WAITING, guest=1, kind="reminder")
    issue = email(3, "newsletter.emails.issue_email", Email.Status.WAITING, issue=1, subscriber=1)
    old = email(4, "an.app.removed_since", Email.Status.FAILED)
    german = {"HTTP_ACCEPT_LANGUAGE": "de"}
    page = admin_client.get("/admin/taskqueue/email/", **german).content.decode()
    for label in ("Gast: Anmeldung bestätigen", "Gast: Erinnerung", "Newsletter-Ausgabe", "removed_since"):
        assert label in page
    assert ">guest_email" not in page and "guest email" not in page  # (the filter's links name the function)
    # The filter offers the kinds by name and finds the emails of one kind.
    filter_values = re.findall(r'href="\?kind=([^"&]+)"', page)
    assert {value.replace("%3A", ":") for value in filter_values} >= {
        "events.emails.guest_email:confirm",
        "events.emails.guest_email:reminder",
        "newsletter.emails.issue_email:",
    }
    only = admin_client.get("/admin/taskqueue/email/?kind=events.emails.guest_email%3Areminder", **german)
    assert list(only.context["cl"].result_list) == [reminder]
    only = admin_client.get("/admin/taskqueue/email/?kind=newsletter.emails.issue_email%3A", **german)
    assert list(only.context["cl"].result_list) == [issue]
    # A sent email has no next attempt; a waiting one shows when it comes.
    rows = {row.pk: row for row in admin_client.get("/admin/taskqueue/email/").context["cl"].result_list}
    admin = admin_client.get("/admin/taskqueue/email/").context["cl"].model_admin
    assert admin.next_attempt(rows[confirm.pk]) is None and admin.next_attempt(rows[old.pk]) is None
    assert admin.next_attempt(rows[reminder.pk]) == reminder.next_attempt_at
    detail = admin_client.get(f"/admin/taskqueue/email/{confirm.pk}/change/", **german).content.decode()
    assert "Gast: Anmeldung bestätigen" in detail
