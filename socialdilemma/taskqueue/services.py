"""The outbox's rules: enqueue an email with the change that causes it, send it from the worker, retry it
with backoff, give up after EMAIL_MAX_ATTEMPTS; the schedule of periodic jobs; the queue's figures.

Exactly once, and the window that remains: an attempt claims its email (status "sending", a lease) in one
UPDATE before it talks to the mail server, and records "sent" right after the server accepted the message.
Two workers never send the same email at once. A worker killed between the server's acceptance and that
record leaves the email "sending" until the lease expires (10 × EMAIL_TIMEOUT); it is then sent once more,
with the same Message-ID, which mail programs use to show the two copies as one.
"""

import logging
import smtplib
import uuid
from contextlib import suppress
from datetime import timedelta
from email.utils import formataddr, parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Email, ScheduledRun

logger = logging.getLogger(__name__)

SWEEP_BATCH = 100


def new_message_id():
    """A Message-ID of the site's own domain, for an email about to be enqueued."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def email_enqueue(*, cause, renderer, to, language, params=None, about="", message_id=None):
    """Record an email in the caller's transaction; its delivery is enqueued once that commits.

    `cause` names why it is sent and is unique: the same cause twice raises IntegrityError. `renderer`
    is the dotted path of a function that receives the Email and returns the message to send (an
    EmailMessage without recipients), or None when the email is no longer due.
    """
    email = Email.objects.create(
        cause=cause,
        renderer=renderer,
        to=to,
        language=language,
        params=params or {},
        about=about,
        message_id=message_id or new_message_id(),
    )
    deliver_on_commit([email.pk])
    return email


def deliver_on_commit(email_ids):
    """Enqueue the delivery once the current transaction commits. Should enqueueing fail, the email
    waits in the outbox and the retry sweep enqueues it later (see emails_due)."""
    email_ids = list(email_ids)

    def enqueue_delivery():
        # A named function, not a partial: Django names a robust callback that failed by its __qualname__.
        from .tasks import deliver_emails

        deliver_emails.enqueue(email_ids)

    transaction.on_commit(enqueue_delivery, robust=True)


def emails_deliver(email_ids):
    """Send these emails (the worker's task). Each is claimed alone right before it is sent, so that a
    batch may be as long as it likes. A failure to reach the mail server ends the batch: the emails not
    yet tried wait for the same retry as the one that failed. Returns the number sent."""
    sent = 0
    connection = None
    try:
        for position, email_id in enumerate(email_ids):
            email = _claim(email_id)
            if email is None:
                continue  # sent, being sent by another worker, given up, or not due yet
            try:
                message = _render(email)
            except Exception as error:  # a bug or a database error: retried like a mail server error
                logger.exception("Writing email %s (%s) failed", email.pk, email.kind_name)
                _record_failure(email, error)
                continue
            if message is None:
                _record(email, status=Email.Status.DROPPED, lease_expires_at=None)
                continue
            try:
                if connection is None:
                    connection = get_connection(fail_silently=False)
                    connection.open()
                connection.send_messages([message])
            except Exception as error:  # refused, timed out, 4xx/5xx: see _record_failure
                retry_at = _record_failure(email, error)
                _close_quietly(connection)
                connection = None
                if _is_connection_failure(error):
                    _postpone(email_ids[position + 1 :], until=retry_at)
                    break
                continue
            _record(email, status=Email.Status.SENT, sent_at=timezone.now(), lease_expires_at=None, last_error="")
            sent += 1
    finally:
        _close_quietly(connection)
    return sent


def _claim(email_id):
    """Take the email for one attempt, or None when it cannot be taken now (sent, being sent by another
    worker, given up, or not due yet). One statement, UPDATE … RETURNING (PostgreSQL; SQLite since 3.35):
    the claim returns the row the attempt sends, a round trip less per email than an UPDATE and a read."""
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    # Read to the end (list), so that the statement is finished and its change committed on every backend.
    claimed = list(
        Email.objects.raw(
            f"UPDATE {connection.ops.quote_name(Email._meta.db_table)}"  # noqa: S608 - the model's own table
            " SET status = %s, attempts = attempts + 1, lease_expires_at = %s"
            " WHERE id = %s AND ((status = %s AND next_attempt_at <= %s) OR (status = %s AND lease_expires_at < %s))"
            " RETURNING *",
            [Email.Status.SENDING, adapt(now + lease()), email_id]
            + [Email.Status.WAITING, adapt(now), Email.Status.SENDING, adapt(now)],
        )
    )
    return claimed[0] if claimed else None


def lease():
    """How long an attempt may take before it counts as lost: 10 × EMAIL_TIMEOUT, well beyond the
    few exchanges (each bounded by EMAIL_TIMEOUT) of sending one message."""
    return timedelta(seconds=10 * settings.EMAIL_TIMEOUT)


def _render(email):
    message = import_string(email.renderer)(email)
    if message is None:
        return None
    # The outbox decides who receives it, from whom and under which Message-ID, whatever the renderer wrote.
    message.to, message.cc, message.bcc = [email.to], [], []
    message.extra_headers["Message-ID"] = email.message_id
    message.from_email = sender(email.language)
    return message


def sender(language):
    """DEFAULT_FROM_EMAIL's address under the sender name of the email's language (EMAIL_SENDER_NAMES)."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((settings.EMAIL_SENDER_NAMES.get(language, name), address))


def _record(email, **values):
    """Store an attempt's outcome, unless another worker took the email over meanwhile (lease expired)."""
    Email.objects.filter(pk=email.pk, status=Email.Status.SENDING, attempts=email.attempts).update(**values)


def retry_delay(attempts):
    """Seconds before the next attempt after `attempts` failed ones: doubling from EMAIL_RETRY_SECONDS,
    at most EMAIL_RETRY_MAX_SECONDS."""
    return min(settings.EMAIL_RETRY_SECONDS * 2 ** (attempts - 1), settings.EMAIL_RETRY_MAX_SECONDS)


def _record_failure(email, error):
    """Schedule the next attempt, or give up after EMAIL_MAX_ATTEMPTS or on a permanent refusal (5xx).
    Returns the time of the next attempt (None when given up). The log names the email by its number
    and the error by its type only: a mail server's message may quote the address."""
    error_text = f"{type(error).__name__}: {error}"[:500]
    permanent = _is_permanent(error)
    if permanent or email.attempts >= settings.EMAIL_MAX_ATTEMPTS:
        _record(email, status=Email.Status.FAILED, lease_expires_at=None, last_error=error_text)
        logger.error(
            "Email %s (%s) given up after %d attempt(s): %s%s",
            email.pk,
            email.kind_name,
            email.attempts,
            type(error).__name__,
            " (refused permanently)" if permanent else "",
        )
        return None
    delay = retry_delay(email.attempts)
    retry_at = timezone.now() + timedelta(seconds=delay)
    _record(email, status=Email.Status.WAITING, next_attempt_at=retry_at, lease_expires_at=None, last_error=error_text)
    logger.warning(
        "Email %s (%s) attempt %d failed: %s; next attempt in %d s",
        email.pk,
        email.kind_name,
        email.attempts,
        type(error).__name__,
        delay,
    )
    return retry_at


def _is_permanent(error):
    """A 5xx answer: the server will refuse this message again (unknown recipient, rejected content)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _is_connection_failure(error):
    """The mail server could not be reached or talked to at all (refused, timed out, disconnected, no
    greeting): the next email would fare no better. An answer about one message (a refused recipient, a
    4xx for its data) is not: the next email is tried."""
    if isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def _postpone(email_ids, *, until):
    if email_ids and until is not None:
        Email.objects.filter(pk__in=email_ids, status=Email.Status.WAITING, next_attempt_at__lt=until).update(
            next_attempt_at=until
        )


def _close_quietly(connection):
    if connection is not None:
        with suppress(Exception):  # the connection is dropped either way
            connection.close()


def emails_due(now=None):
    """Emails the retry sweep must enqueue: a retry that is due, an attempt whose worker died (lease
    expired), and a first attempt that no worker took within a lease of its saving (its enqueueing was
    lost, or the worker running its batch died). Behind a backlog longer than that, an email may be
    enqueued twice; the second delivery then finds it claimed or sent and does nothing."""
    now = now or timezone.now()
    return Email.objects.filter(
        Q(status=Email.Status.WAITING, next_attempt_at__lte=now, attempts__gt=0)
        | Q(status=Email.Status.WAITING, next_attempt_at__lte=now, created_at__lte=now - lease())
        | Q(status=Email.Status.SENDING, lease_expires_at__lt=now)
    )


def emails_enqueue_due(now=None, limit=5000):
    """Enqueue deliveries for the emails that are due, in batches. Returns the number of emails."""
    ids = list(emails_due(now).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    from .tasks import deliver_emails

    for start in range(0, len(ids), SWEEP_BATCH):
        deliver_emails.enqueue(ids[start : start + SWEEP_BATCH])
    return len(ids)


def emails_retry(queryset):
    """Staff's "try again" for failed emails: a fresh set of attempts, at once. Returns the number."""
    ids = list(queryset.filter(status=Email.Status.FAILED).values_list("pk", flat=True))
    Email.objects.filter(pk__in=ids).update(
        status=Email.Status.WAITING, attempts=0, next_attempt_at=timezone.now(), lease_expires_at=None
    )
    if ids:
        deliver_on_commit(ids)
    return len(ids)


def queue_prune(now=None):
    """Forget finished work: emails (and their recipients' addresses) EMAIL_KEEP_DAYS after they were
    created, finished task results after a day (their arguments may hold an address). Returns the numbers."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    emails, _kinds = Email.objects.filter(
        status__in=[Email.Status.SENT, Email.Status.FAILED, Email.Status.DROPPED],
        created_at__lt=now - timedelta(days=settings.EMAIL_KEEP_DAYS),
    ).delete()
    tasks, _kinds = DBTaskResult.objects.finished().filter(finished_at__lt=now - timedelta(days=1)).delete()
    return emails, tasks


def schedule_claim(name, every, now=None):
    """True for exactly one caller per period: the one whose UPDATE moved the job's next run forward."""
    now = now or timezone.now()
    ScheduledRun.objects.get_or_create(name=name, defaults={"next_run_at": now})
    due = ScheduledRun.objects.filter(name=name, next_run_at__lte=now)
    return due.update(next_run_at=now + every, last_run_at=now) == 1


def schedule_tick(now=None):
    """Enqueue every periodic job whose time has come (settings.PERIODIC_TASKS: name -> (task path,
    seconds)) and sweep the outbox. Returns the names of the jobs enqueued."""
    now = now or timezone.now()
    enqueued = []
    for name, (task_path, seconds) in settings.PERIODIC_TASKS.items():
        if schedule_claim(name, timedelta(seconds=seconds), now):
            import_string(task_path).enqueue()
            enqueued.append(name)
    if schedule_claim("taskqueue.email-sweep", timedelta(seconds=settings.EMAIL_SWEEP_SECONDS), now):
        emails_enqueue_due(now)
    return enqueued


def queue_figures(now=None):
    """What an operator's alerting needs: how much waits, since when, and what failed."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    unfinished = Email.objects.filter(status__in=[Email.Status.WAITING, Email.Status.SENDING])
    oldest_email = unfinished.aggregate(oldest=Min("created_at"))["oldest"]
    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    oldest_task = ready.aggregate(oldest=Min("enqueued_at"))["oldest"]
    return {
        "emails_waiting": unfinished.filter(status=Email.Status.WAITING).count(),
        "emails_sending": unfinished.filter(status=Email.Status.SENDING).count(),
        "emails_failed": Email.objects.filter(status=Email.Status.FAILED).count(),
        "oldest_unsent_email_age_seconds": round((now - oldest_email).total_seconds()) if oldest_email else 0,
        "tasks_ready": ready.count(),
        "oldest_ready_task_age_seconds": round((now - oldest_task).total_seconds()) if oldest_task else 0,
        "tasks_running": DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count(),
        "tasks_failed_last_day": DBTaskResult.objects.filter(
            status=TaskResultStatus.FAILED, finished_at__gte=now - timedelta(days=1)
        ).count(),
    }
