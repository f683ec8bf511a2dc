from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# An email's subject is one line: a line break would make every email of the issue fail.
single_line = RegexValidator(r"[\r\n\x00-\x1f\x7f]", inverse_match=True, message=_("Please use a single line."))

# The outbox's name for a subscriber's emails is this prefix and the subscriber's id.
EMAIL_ABOUT_PREFIX = "newsletter.subscriber:"


class Subscriber(models.Model):
    """A newsletter subscription with its proof of consent (double opt-in, as German law expects).

    Kept: when it was asked for and confirmed, the exact consent text shown and its version, the
    language. No IP address. Unconfirmed requests are removed after NEWSLETTER_UNCONFIRMED_DAYS; an
    unsubscribed address is forgotten at once (subscribing again needs a new double opt-in).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Subscribed")

    email = models.EmailField(_("email"), max_length=254)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(_("requested at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    consent_text = models.TextField(_("consent text shown"))
    consent_version = models.CharField(_("consent version"), max_length=20)
    # The private links (confirm, unsubscribe): the token is derived from link_key with the site's
    # secret, so that every email can carry it; only its hash is looked up.
    link_key = models.CharField(max_length=64, editable=False)
    token_hash = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        constraints = [
            models.UniqueConstraint(fields=["email"], name="newsletter_subscriber_once"),
            models.UniqueConstraint(fields=["token_hash"], condition=~Q(token_hash=""), name="newsletter_token"),
        ]

    def __str__(self):
        return self.email

    @property
    def email_about(self):
        return f"{EMAIL_ABOUT_PREFIX}{self.pk}"


class Issue(models.Model):
    """A newsletter issue, written by staff in both languages (Markdown, sanitised like the FAQ) and sent
    to the confirmed subscribers of each language through the task queue."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    subject = models.CharField(_("subject"), max_length=200, validators=[single_line])
    body = models.TextField(
        _("text"), max_length=20000, help_text=_("Markdown: links, lists, emphasis; site: links as in the FAQ.")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sending_started_at = models.DateTimeField(_("sending started at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("all queued at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")

    def __str__(self):
        return self.subject

    def clean(self):
        errors = self.link_errors()
        if errors:
            raise ValidationError(errors)

    def link_errors(self):
        """{field: message} for each text that links to an unknown page of ours (site:NAME). Such a link
        would go out as plain text to every subscriber, and a sent issue cannot be corrected: refused while
        it is a draft (as in the FAQ), and checked again before it is sent."""
        from faq.models import site_link_errors

        return site_link_errors(self, ("body_de", "body_en"))

    @property
    def email_about(self):
        return f"newsletter.issue:{self.pk}"
