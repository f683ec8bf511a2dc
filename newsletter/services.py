"""The newsletter's rules: double opt-in with proof of consent, one-click unsubscribe."""

import base64
import hashlib
import hmac
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from socialdilemma.emailaddress import address_key
from socialdilemma.ratelimit import recipient_first_in
from socialdilemma.taskqueue.services import email_enqueue

from .models import Subscriber

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
    digest = hmac.new(settings.SECRET_KEY.encode(), f"newsletter.link:{link_key}".encode(), "sha256").digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def subscriber_for_token(token):
    if not token or len(token) > 100:
        return None
    return Subscriber.objects.filter(token_hash=_token_hash(token)).first()


def subscription_request(*, email, language, now=None):
    """Ask for a subscription: a confirmation email with a link valid NEWSLETTER_CONFIRM_DAYS.

    The same address again gets the same answer and no second subscription: a pending one is asked to
    confirm again (at most once an hour, so that the form cannot flood a stranger's inbox), a
    confirmed one is left as it is.
    """
    now = now or timezone.now()
    email = address_key(email)
    text = consent_text(language)
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
        if subscriber is None:
            link_key = uuid.uuid4().hex
            try:
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(
                        email=email,
                        language=language,
                        requested_at=now,
                        consent_text=text,
                        consent_version=CONSENT_VERSION,
                        link_key=link_key,
                        token_hash=_token_hash(link_token(link_key)),
                    )
            except IntegrityError:
                subscriber = Subscriber.objects.select_for_update().get(email=email)
        elif subscriber.status == Subscriber.Status.PENDING:
            # The request that counts is the newest, with the words shown this time.
            subscriber.requested_at, subscriber.language = now, language
            subscriber.consent_text, subscriber.consent_version = text, CONSENT_VERSION
            subscriber.save(update_fields=["requested_at", "language", "consent_text", "consent_version"])
        pending = subscriber.status == Subscriber.Status.PENDING
        interval = settings.NEWSLETTER_EMAIL_INTERVAL_SECONDS
        if pending and recipient_first_in("newsletter-confirm", email, seconds=interval):
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
