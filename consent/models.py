from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyCount(models.Model):
    """First-party, cookieless analytics: how often something happened on a day. Nothing personal.

    Only visitors who accepted the "analytics" cookie group are counted.
    """

    class Kind(models.TextChoices):
        PAGE_VIEW = "page_view", _("page view")
        TRAILER_PLAY = "trailer_play", _("trailer play")

    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    path = models.CharField(_("path"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=5)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")
        ordering = ["-day", "kind", "path", "language"]
        constraints = [
            models.UniqueConstraint(fields=["day", "kind", "path", "language"], name="consent_dailycount_unique_key")
        ]

    def __str__(self):
        return f"{self.day} {self.kind} {self.path} {self.language}: {self.count}"
