"""The newsletter's rules: double opt-in with proof of consent, one-click unsubscribe."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from socialdilemma.emailaddress import address_key
from socialdilemma.private import token_hash
from socialdilemma.ratelimit import recipient_first_in
from socialdilemma.taskqueue.models import Email
from socialdilemma.taskqueue.services import deliver_on_commit, email_enqueue, new_message_id

from .models import Issue, Subscriber

EMAIL_RENDERER = "newsletter.emails.subscriber_email"
# The consent a subscriber gives, shown above the form; its exact words and version are kept with the
# subscription. A change of wording is a new version.
CONSENT_VERSION = "2026-12-02"
CONSENT_TEXT = _(
    "I would like to receive the newsletter of the campaign for “The Social Dilemma” by email, in the "
    "language I chose: news about the film, screenings and ways to act, about once a month. I can "
    "unsubscribe at any time with the link in every email."
)


def consent_text(language):
    with translation.override(language):
        return str(CONSENT_TEXT)


def link_token(link_key):
    """The subscriber's private links carry the random link key itself (128 bits): unlike a token derived
    from SECRET_KEY, it keeps working when the secret is rotated, and an unsubscribe link must never stop
    working."""
    return link_key


def subscriber_for_token(token):
    if not token or len(token) > 100:
        return None
    return Subscriber.objects.filter(token_hash=token_hash(token)).first()


def subscription_request(*, email, language, page_language=None, now=None):
    """Ask for a subscription: a confirmation email with a link valid NEWSLETTER_CONFIRM_DAYS.

    The same address again gets the same answer and no second subscription: a pending one is asked to
    confirm again (at most once an hour, so that the form cannot flood a stranger's inbox), a
    confirmed one is left as it is.
    """
    now = now or timezone.now()
    email = address_key(email)
    text = consent_text(page_language or language)  # the words the page showed
    link_key = uuid.uuid4().hex + uuid.uuid4().hex
    with transaction.atomic():
        # Locked if it exists; created otherwise, and a simultaneous creation of the same address is found.
        subscriber, created = Subscriber.objects.select_for_update().get_or_create(
            email=email,
            defaults={
                "language": language,
                "requested_at": now,
                "consent_text": text,
                "consent_version": CONSENT_VERSION,
                "link_key": link_key,
                "token_hash": token_hash(link_token(link_key)),
            },
        )
        pending = subscriber.status == Subscriber.Status.PENDING
        interval = settings.NEWSLETTER_EMAIL_INTERVAL_SECONDS
        if pending and recipient_first_in("newsletter-confirm", email, seconds=interval):
            if not created:
                # Asked again and a new email goes out: that request, with the words shown now, counts.
                subscriber.requested_at, subscriber.language = now, language
                subscriber.consent_text, subscriber.consent_version = text, CONSENT_VERSION
                subscriber.save(update_fields=["requested_at", "language", "consent_text", "consent_version"])
            _enqueue(subscriber, "confirm")
    return subscriber


def subscription_expired(subscriber, now=None):
    deadline = subscriber.requested_at + timedelta(days=settings.NEWSLETTER_CONFIRM_DAYS)
    return subscriber.status == Subscriber.Status.PENDING and (now or timezone.now()) > deadline


def subscription_confirm(subscriber, now=None):
    """The second step of the double opt-in; a welcome email follows. Returns the subscriber as it is now."""
    now = now or timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.status != Subscriber.Status.PENDING or subscription_expired(subscriber, now):
            return subscriber
        subscriber.status = Subscriber.Status.CONFIRMED
        subscriber.confirmed_at = now
        subscriber.save(update_fields=["status", "confirmed_at"])
        _enqueue(subscriber, "welcome")
    return subscriber


def subscription_end(subscriber):
    """Unsubscribe at once: the subscription and its proof are deleted; nothing more is sent."""
    Subscriber.objects.filter(pk=subscriber.pk).delete()


def subscribers_remove_unconfirmed(now=None):
    """Delete requests never confirmed, NEWSLETTER_UNCONFIRMED_DAYS after they were made."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.NEWSLETTER_UNCONFIRMED_DAYS)
    deleted, _by_model = Subscriber.objects.filter(status=Subscriber.Status.PENDING, requested_at__lt=cutoff).delete()
    return deleted


def _enqueue(subscriber, kind):
    return email_enqueue(
        cause=f"{subscriber.email_about}:{kind}:{uuid.uuid4().hex}",
        renderer=EMAIL_RENDERER,
        to=subscriber.email,
        language=subscriber.language,
        params={"subscriber": subscriber.pk, "kind": kind},
        about=subscriber.email_about,
    )


# --- Issues ------------------------------------------------------------------------------------------

ISSUE_RENDERER = "newsletter.emails.issue_email"
ISSUE_BATCH = 500
ISSUE_RESUME_AFTER = timedelta(minutes=10)


def issue_send_test(*, issue, to, language):
    """A copy of the issue in one language to a staff member, before it goes out."""
    return email_enqueue(
        cause=f"{issue.email_about}:test:{uuid.uuid4().hex}",
        renderer=ISSUE_RENDERER,
        to=to,
        language=language,
        params={"issue": issue.pk, "test": True},
        about=issue.email_about,
    )


def issue_start_sending(issue):
    """Mark the issue as sending and let the worker queue it for every confirmed subscriber. Returns False
    when it was already sent or being sent, or links to an unknown page of ours (an issue saved before the
    admin checked that, or outside the admin)."""
    from .tasks import send_issue

    if issue.link_errors():
        return False
    with transaction.atomic():
        started = Issue.objects.filter(pk=issue.pk, status=Issue.Status.DRAFT).update(
            status=Issue.Status.SENDING, sending_started_at=timezone.now()
        )
        if started:
            transaction.on_commit(lambda: send_issue.enqueue(issue.pk), robust=True)
    return bool(started)


def issue_queue_emails(issue_id):
    """Queue the issue for every confirmed subscriber, in batches, each subscriber once. Each batch is
    committed on its own, and the outbox's unique cause (issue and subscriber) makes a resumed or
    repeated run, even two at once, skip whoever has it already: an interrupted run is simply run again
    (see issues_resume). Returns how many emails were queued now."""
    issue = Issue.objects.filter(pk=issue_id, status=Issue.Status.SENDING).first()
    if issue is None:
        return 0
    subscribers = Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED).order_by("pk")
    queued, last = 0, 0
    while True:
        batch = list(subscribers.filter(pk__gt=last).values_list("pk", "email", "language")[:ISSUE_BATCH])
        if not batch:
            break
        last = batch[-1][0]
        causes = {pk: f"{issue.email_about}:{pk}" for pk, _email, _language in batch}
        with transaction.atomic():
            have = set(Email.objects.filter(cause__in=causes.values()).values_list("cause", flat=True))
            Email.objects.bulk_create(
                (
                    Email(
                        cause=causes[pk],
                        renderer=ISSUE_RENDERER,
                        to=email,
                        language=language,
                        params={"issue": issue.pk, "subscriber": pk},
                        about=issue.email_about,
                        message_id=new_message_id(),
                    )
                    for pk, email, language in batch
                    if causes[pk] not in have
                ),
                ignore_conflicts=True,  # another run queued some meanwhile: theirs stand
            )
            waiting = Email.objects.filter(cause__in=causes.values(), status=Email.Status.WAITING)
            deliver_on_commit(waiting.values_list("pk", flat=True))
        queued += len(batch) - len(have)
    Issue.objects.filter(pk=issue.pk, status=Issue.Status.SENDING).update(
        status=Issue.Status.SENT, sent_at=timezone.now()
    )
    return queued


def issues_resume(now=None):
    """Run the queueing again for issues still sending after ISSUE_RESUME_AFTER (the worker that queued
    them was stopped, or the task was lost). Returns how many."""
    now = now or timezone.now()
    stuck = Issue.objects.filter(status=Issue.Status.SENDING, sending_started_at__lt=now - ISSUE_RESUME_AFTER)
    from .tasks import send_issue

    ids = list(stuck.values_list("pk", flat=True))
    for issue_id in ids:
        send_issue.enqueue(issue_id)
    return len(ids)


def issue_progress(issue):
    """{status: number} of the issue's emails in the outbox (tests to staff left out)."""
    emails = Email.objects.filter(about=issue.email_about).exclude(params__has_key="test")
    counts = dict(emails.values_list("status").annotate(number=Count("pk")))
    return {status: counts.get(status, 0) for status in Email.Status.values}
