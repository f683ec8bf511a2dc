import hashlib
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from socialdilemma.private import token_hash

from .timezones import validate_known_zone, zone_label

# How long a screening is assumed to last (film and conversation), for calendars and "past".
SCREENING_DURATION = timedelta(hours=2)

# The outbox's name for a screening's emails is this prefix and the screening's id.
EMAIL_ABOUT_PREFIX = "events.screening:"

# Shown on the virtual tour, before the time condition: opted in, approved, confirmed. The tour's
# partial indexes carry exactly this condition, so their size is the tour's, not the table's.
ON_TOUR = Q(publish_on_tour=True, tour_status="approved", status="confirmed")


class NetflixTerms(models.Model):
    """A version of Netflix's terms for the one-time screening permission, as summarised for hosts.

    The official text stays with Netflix (official_url). A registration keeps the version it accepted
    and the exact text it was shown, so a new version only applies to new registrations.
    """

    version = models.CharField(_("version"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=4000, help_text=_("One fact per line."))
    official_url = models.URLField(_("official address"))
    valid_from = models.DateTimeField(_("valid from"), db_index=True)

    class Meta:
        ordering = ["-valid_from"]
        get_latest_by = "valid_from"
        verbose_name = _("Netflix terms")
        verbose_name_plural = _("Netflix terms")

    def __str__(self):
        return f"{self.title} ({self.version})"

    def summary_lines(self):
        return [line.strip() for line in (self.summary or "").splitlines() if line.strip()]


class Resource(models.Model):
    """Material for screenings: guides, bonus clips, the 40-minute version. Staff decide who sees it:
    everyone (the public resources page), or registered hosts only (their host page)."""

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("Everyone (public resources page)")
        HOSTS = "hosts", _("Registered hosts only")

    class Kind(models.TextChoices):
        PLANNING_GUIDE = "planning_guide", _("Planning guide")
        DISCUSSION_GUIDE = "discussion_guide", _("Discussion guide")
        TECHNICAL_GUIDE = "technical_guide", _("Technical guide")
        BONUS_CLIP = "bonus_clip", _("Bonus clip")
        SHORT_VERSION = "short_version", _("40-minute version")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), max_length=500)
    available_from = models.DateField(_("available from"), null=True, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    published = models.BooleanField(_("published"), default=True)
    audience = models.CharField(_("for"), max_length=20, choices=Audience.choices, default=Audience.HOSTS)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")

    def __str__(self):
        return self.title

    def is_available(self, today=None):
        return self.available_from is None or self.available_from <= (today or timezone.localdate())


class ScreeningQuerySet(models.QuerySet):
    def on_tour(self, now=None):
        """Published on the virtual tour: opted in, approved, not cancelled, not anonymised, not over."""
        now = now or timezone.now()
        return self.filter(ON_TOUR, starts_at__gt=now - SCREENING_DURATION)


class Screening(models.Model):
    class Format(models.TextChoices):
        VIRTUAL = "virtual", _("Virtual")
        IN_PERSON = "in_person", _("In person")

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered, email not yet confirmed")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    class TourStatus(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    # What the host typed (personal data is removed after the screening, see services).
    host_name = models.CharField(_("host name"), max_length=120)
    email = models.EmailField(_("email"), max_length=254, db_index=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    accessibility_notes = models.TextField(
        _("accessibility"),
        max_length=1000,
        blank=True,
        help_text=_("Step-free access, subtitles, sign language and the like; shown on the screening's page."),
    )
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    starts_at = models.DateTimeField(_("starts at"))
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Berlin", validators=[validate_known_zone]
    )
    expected_attendees = models.PositiveIntegerField(_("expected attendees"))
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = CountryField(_("country"), blank=True)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    venue_details = models.TextField(
        _("venue details"),
        max_length=1000,
        blank=True,
        help_text=_("Address and how to get in; shown only to guests with a confirmed place."),
    )
    places = models.PositiveIntegerField(
        _("places for guests"),
        default=0,
        help_text=_("How many guests can sign up on this site; 0: none."),
    )
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    publish_on_tour = models.BooleanField(_("publish on the virtual tour"), default=False)

    # Netflix's terms: the version accepted, when, and the exact text shown.
    terms = models.ForeignKey(NetflixTerms, on_delete=models.PROTECT, verbose_name=_("Netflix terms"))
    terms_accepted_at = models.DateTimeField(_("terms accepted at"))
    terms_text = models.TextField(_("terms as shown"))
    distancing_accepted_at = models.DateTimeField(_("distancing rule accepted at"), null=True, blank=True)

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED)
    email_confirmed_at = models.DateTimeField(_("email confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    tour_status = models.CharField(
        _("tour review"), max_length=20, choices=TourStatus.choices, default=TourStatus.PENDING
    )
    tour_reviewed_at = models.DateTimeField(_("tour reviewed at"), null=True, blank=True)
    # An approved screening stays on the tour when its host edits what the tour shows (its page, printed
    # QR codes and guests' confirmations keep working); staff look at the change afterwards.
    tour_changed_at = models.DateTimeField(
        _("changed by the host since the review"),
        null=True,
        blank=True,
        help_text=_("The host changed what the tour shows after approval. Approve again once you have looked."),
    )

    # The same form sent twice (a double click, a reload) is one registration: a hash of who registered
    # which screening when. Cleared with the personal data.
    fingerprint = models.CharField(max_length=64, unique=True, null=True, editable=False)  # noqa: DJ001 - many NULLs
    # The host's private link: only hashes of tokens are stored, of the link in use and of the newest
    # link emailed (which replaces the one in use when the host follows it). The emails themselves are
    # in the outbox (socialdilemma.taskqueue.Email, about "events.screening:<id>").
    token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    new_token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    reminded_at = models.DateTimeField(_("reminders sent at"), null=True, blank=True)
    report_requested_at = models.DateTimeField(_("report requested at"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("personal data removed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = ScreeningQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        indexes = [
            # The virtual tour: approved, opted-in, confirmed screenings by start.
            models.Index(fields=["starts_at", "id"], name="events_screening_tour", condition=ON_TOUR),
            # The tour's country filter: which countries have a screening on it (see tour_countries).
            models.Index(
                fields=["country", "starts_at"],
                name="events_screening_tour_country",
                condition=ON_TOUR & ~Q(country=""),
            ),
            models.Index(fields=["-created_at"], name="events_screening_created"),
            models.Index(fields=["starts_at"], name="events_screening_starts_at"),
        ]

    def __str__(self):
        return self.title or _("Screening %(id)s (personal data removed)") % {"id": self.pk}

    def get_absolute_url(self):
        """The screening's public page (only answered while it is on the tour, see views.screening)."""
        return reverse("events:screening", kwargs={"pk": self.pk, "slug": self.slug})

    @property
    def zone(self):
        return ZoneInfo(self.timezone)

    @property
    def zone_label(self):
        """The zone named in the active language: "Österreich – Wien"."""
        return zone_label(self.timezone)

    @property
    def local_start(self):
        return timezone.localtime(self.starts_at, self.zone)

    @property
    def ends_at(self):
        return self.starts_at + SCREENING_DURATION

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    @property
    def is_past(self):
        return self.ends_at <= timezone.now()

    @property
    def shown_on_tour(self):
        return Screening.objects.on_tour().filter(pk=self.pk).exists()

    @property
    def email_about(self):
        """How the outbox names this screening in its emails' `about` (see socialdilemma.taskqueue.Email)."""
        return f"{EMAIL_ABOUT_PREFIX}{self.pk}"

    @property
    def slug(self):
        return slugify(self.title)[:60].strip("-") or "screening"

    def get_ics_url(self):
        return reverse("events:screening-ics", kwargs={"pk": self.pk})

    @staticmethod
    def fingerprint_of(data):
        parts = [data["email"].strip().lower(), data["title"].strip(), data["starts_at"].isoformat(), data["format"]]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    @staticmethod
    def hash_token(token):
        return token_hash(token)


# The outbox's name for a guest's emails is this prefix and the guest's id.
GUEST_EMAIL_ABOUT_PREFIX = "events.guest:"


class Guest(models.Model):
    """Someone who signed up for a screening on its page.

    A place is taken when the guest confirms the address (double opt-in), never at sign-up: an
    unconfirmed sign-up holds nothing, so nobody can fill a screening with strangers' addresses. Confirmed
    guests beyond the screening's places wait in the order they confirmed.
    """

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("Address not yet confirmed")
        CONFIRMED = "confirmed", _("Has a place")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    screening = models.ForeignKey(
        Screening, on_delete=models.CASCADE, related_name="guests", verbose_name=_("screening")
    )
    email = models.EmailField(_("email"), max_length=254)
    name = models.CharField(_("name"), max_length=120, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.UNCONFIRMED)
    conduct_accepted_at = models.DateTimeField(_("code of conduct accepted at"))
    created_at = models.DateTimeField(_("signed up at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("address confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # The guest's private link: the token is derived from link_key with the site's secret (so every
    # email can carry it); only its hash is looked up.
    link_key = models.CharField(max_length=64, editable=False)
    token_hash = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["confirmed_at", "pk"]
        verbose_name = _("guest")
        verbose_name_plural = _("guests")
        constraints = [
            # One sign-up per address and screening; removed addresses ("") do not count.
            models.UniqueConstraint(
                fields=["screening", "email"], condition=~Q(email=""), name="events_guest_once_per_screening"
            ),
            models.UniqueConstraint(fields=["token_hash"], condition=~Q(token_hash=""), name="events_guest_token"),
        ]
        indexes = [models.Index(fields=["screening", "status", "confirmed_at"], name="events_guest_by_status")]

    def __str__(self):
        return self.name or _("Guest %(id)s") % {"id": self.pk}

    @property
    def email_about(self):
        return f"{GUEST_EMAIL_ABOUT_PREFIX}{self.pk}"


class ScreeningReport(models.Model):
    """What the host tells us after the screening (the email after it asks)."""

    class Rating(models.IntegerChoices):
        POOR = 1, _("1 – poor")
        FAIR = 2, _("2 – fair")
        GOOD = 3, _("3 – good")
        VERY_GOOD = 4, _("4 – very good")
        EXCELLENT = 5, _("5 – excellent")

    screening = models.OneToOneField(
        Screening, on_delete=models.CASCADE, related_name="report", verbose_name=_("screening")
    )
    attendees = models.PositiveIntegerField(_("people who came"))
    rating = models.PositiveSmallIntegerField(_("rating"), choices=Rating.choices)
    what_worked = models.TextField(_("what worked"), max_length=2000, blank=True)
    story = models.TextField(_("story for the campaign"), max_length=4000, blank=True)
    may_quote = models.BooleanField(_("may be quoted"), default=False)
    # Anyone may register a screening and report any number: the site's public figures count a report
    # only once staff have read it (see events.services.campaign_totals).
    counted = models.BooleanField(_("counted in the public figures"), default=False)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("screening report")
        verbose_name_plural = _("screening reports")

    def __str__(self):
        return str(self.screening)
