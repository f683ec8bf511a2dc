from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _


class Email(models.Model):
    """One email the site sends, from the change that causes it until it is sent or given up.

    It is saved in the same transaction as its cause, so a rolled-back change leaves no email, and its
    cause is unique, so one cause never makes two emails. The worker writes the message when it sends it
    (the renderer, a function of the app that owns the cause, looks the current state up and may find
    that the email is no longer due); the Message-ID stays the same across attempts.
    """

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        DROPPED = "dropped", _("No longer due")

    cause = models.CharField(_("cause"), max_length=200, unique=True)
    renderer = models.CharField(_("kind"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # What the email is about ("events.screening:12"), so that staff find the emails of a screening.
    about = models.CharField(_("about"), max_length=100, blank=True, db_index=True)
    to = models.EmailField(_("recipient"), max_length=254)
    language = models.CharField(_("language"), max_length=5)
    message_id = models.CharField(_("Message-ID"), max_length=200, unique=True)

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # While an attempt runs: after this time the attempt counts as lost (its worker died) and another
    # worker may send the email again.
    lease_expires_at = models.DateTimeField(_("attempt lost after"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        indexes = [
            # The retry sweep and the queue's figures read only the unfinished emails.
            models.Index(
                fields=["next_attempt_at"],
                name="taskqueue_email_unfinished",
                condition=Q(status__in=["waiting", "sending"]),
            ),
            models.Index(fields=["status", "created_at"], name="taskqueue_email_status"),
        ]

    def __str__(self):
        return f"{self.kind_label} #{self.pk}"

    @property
    def _kind(self):
        """The kind the renderer was asked to write, when it writes several (params["kind"]); else None."""
        return self.params.get("kind") if isinstance(self.params, dict) else None

    @property
    def kind_name(self):
        """The kind for log lines, the same in every language: the renderer's name, and the kind it was
        asked to write when it writes several ("guest_email/confirm")."""
        name = self.renderer.rsplit(".", 1)[-1]
        return f"{name}/{self._kind}" if self._kind else name

    @property
    def kind_label(self):
        """The kind for staff, in their language: from the `labels` its renderer carries ({the kind in
        params, or None: label}; see renderer_labels); the log name when the renderer has none."""
        return renderer_labels(self.renderer).get(self._kind) or self.kind_name


def renderer_labels(renderer):
    """{kind: label} of a renderer (a dotted path): what its app calls the emails it writes."""
    try:
        return getattr(import_string(renderer), "labels", {})
    except ImportError:  # a renderer removed since its emails were queued
        return {}


class ScheduledRun(models.Model):
    """When a periodic job runs next. Several schedulers may run (one per machine): the one that moves
    next_run_at forward in a single UPDATE enqueues the job, the others find it moved."""

    name = models.CharField(_("job"), max_length=100, unique=True)
    next_run_at = models.DateTimeField(_("next run at"))
    last_run_at = models.DateTimeField(_("last run at"), null=True, blank=True)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self):
        return self.name
