from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import models
from django.db.models import CharField, Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries import countries
from modeltranslation.admin import TranslationAdmin

from socialdilemma.emailaddress import address_key
from socialdilemma.pagecache import content_changed
from socialdilemma.taskqueue.models import Email

from . import services
from .models import EMAIL_ABOUT_PREFIX, Guest, NetflixTerms, Resource, Screening, ScreeningReport
from .timezones import zone_label


def log_action(request, queryset, message):
    """Staff actions go into Django's admin log, like the edits the admin records itself."""
    LogEntry.objects.log_actions(request.user.pk, list(queryset), CHANGE, change_message=message)


# Addresses typed without a scheme are taken as https.
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(NetflixTerms)
class NetflixTermsAdmin(TranslationAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ("version", "title", "valid_from", "registrations")
    fields = ("version", ("title_de", "title_en"), ("summary_de", "summary_en"), "official_url", "valid_from")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(registration_count=Count("screening"))

    @admin.display(description=_("registrations"), ordering="registration_count")
    def registrations(self, terms):
        return terms.registration_count

    def get_readonly_fields(self, request, obj=None):
        # A version that registrations accepted is part of their record: it cannot change any more.
        if obj is not None and obj.screening_set.exists():
            return ("version", "title_de", "title_en", "summary_de", "summary_en", "official_url", "valid_from")
        return ()


@admin.register(Resource)
class ResourceAdmin(TranslationAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ("title", "kind", "audience", "available_from", "published", "position")
    list_editable = ("published", "position")
    list_filter = ("kind", "audience", "published")
    fields = (
        "kind",
        ("title_de", "title_en"),
        ("url_de", "url_en"),
        "audience",
        "available_from",
        ("published", "position"),
    )


class UpcomingFilter(admin.SimpleListFilter):
    title = _("date")
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("upcoming", _("Upcoming")), ("past", _("Past"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "upcoming":
            return queryset.filter(starts_at__gte=now)
        if self.value() == "past":
            return queryset.filter(starts_at__lt=now)
        return queryset


class YesNoFilter(admin.SimpleListFilter):
    """A filter with Yes and No whose title reads well after the admin's "By" ("Nach"), where a field's own
    name ("changed by the host since the review") would not; `condition` is what Yes means."""

    condition = None

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(self.condition)
        if self.value() == "no":
            return queryset.exclude(self.condition)
        return queryset


class TourRequestFilter(YesNoFilter):
    title = _("wish to be on the tour")
    parameter_name = "tour_wish"
    condition = Q(publish_on_tour=True)


class ChangedSinceReviewFilter(YesNoFilter):
    title = _("change since the review")
    parameter_name = "changed"
    condition = Q(tour_changed_at__isnull=False)


class CountedFilter(YesNoFilter):
    title = _("inclusion in the public figures")
    parameter_name = "counted"
    condition = Q(counted=True)


class MayQuoteFilter(YesNoFilter):
    title = _("permission to quote")
    parameter_name = "may_quote"
    condition = Q(may_quote=True)


class CountryFilter(admin.SimpleListFilter):
    """Only the countries that have screenings (django-countries would list about 250)."""

    title = _("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        codes = Screening.objects.exclude(country="").order_by().values_list("country", flat=True).distinct()
        names = dict(countries)
        return sorted(((code, names.get(code, code)) for code in codes), key=lambda item: item[1])

    def queryset(self, request, queryset):
        return queryset.filter(country=self.value()) if self.value() else queryset


class GuestInline(admin.TabularInline):
    """The guests of a screening, read-only: they manage their sign-up themselves. No addresses here:
    the team has no need to write to guests one by one."""

    model = Guest
    fields = ("name", "status", "language", "created_at", "confirmed_at", "cancelled_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("status", "confirmed_at", "pk")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Screening)
class ScreeningAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    # Few enough columns that status and review stay on screen at 1280 px.
    list_display = (
        "title",
        "start_in_event_zone",
        "format",
        "country",
        "guests",
        "status",
        "tour_status",
        "email_state",
    )
    list_filter = (
        "status",
        "format",
        "tour_status",
        ChangedSinceReviewFilter,
        TourRequestFilter,
        UpcomingFilter,
        CountryFilter,
        "language",
    )
    search_fields = ("title", "host_name", "email", "organisation", "city")
    date_hierarchy = "starts_at"
    list_select_related = ("terms",)
    list_per_page = 50
    show_full_result_count = True
    ordering = ("-created_at",)
    actions = ("approve_for_tour", "reject_for_tour", "resend_confirmation", "export_csv")
    inlines = (GuestInline,)
    readonly_fields = (
        # The tour is decided by the host's opt-in and the review actions only, so that approval can
        # never publish a screening whose host did not ask for it.
        "publish_on_tour",
        "tour_status",
        "terms",
        "terms_accepted_at",
        "terms_text",
        "distancing_accepted_at",
        "email_confirmed_at",
        "cancelled_at",
        "tour_reviewed_at",
        "tour_changed_at",
        "start_in_event_zone",
        "places",  # the host's to set (see services.screening_update); guests move up with it
        "emails",
        "anonymised_at",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "description",
                    ("format", "expected_attendees"),
                    "start_in_event_zone",
                    ("starts_at", "timezone"),
                )
            },
        ),
        (_("Place"), {"fields": (("city", "country"), "online_url", "venue_details", "accessibility_notes")}),
        (_("Guests"), {"fields": ("places",)}),
        (_("Host"), {"fields": ("host_name", "email", "organisation", "language")}),
        (_("Virtual tour"), {"fields": ("publish_on_tour", "tour_status", "tour_reviewed_at", "tour_changed_at")}),
        (_("Netflix's terms"), {"fields": ("terms", "terms_accepted_at", "terms_text", "distancing_accepted_at")}),
        (
            _("Status and emails"),
            {
                "fields": (
                    "status",
                    ("email_confirmed_at", "cancelled_at"),
                    "emails",
                    ("created_at", "updated_at", "anonymised_at"),
                )
            },
        ),
    )

    def has_add_permission(self, request):
        # Screenings are registered by their hosts, who accept Netflix's terms themselves.
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        content_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        content_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        content_changed()

    def get_queryset(self, request):
        about = Concat(Value(EMAIL_ABOUT_PREFIX), Cast(OuterRef("pk"), CharField()))
        latest_email = Email.objects.filter(about=about)
        return (
            super()
            .get_queryset(request)
            .annotate(latest_email_status=Subquery(latest_email.order_by("-created_at", "-pk").values("status")[:1]))
            .annotate(guests_with_place=services.guests_with_place_count())
        )

    @admin.display(description=_("guests / places"), ordering="guests_with_place")
    def guests(self, screening):
        return f"{screening.guests_with_place} / {screening.places}"

    @admin.display(description=_("starts (in the event's time zone)"), ordering="starts_at")
    def start_in_event_zone(self, screening):
        """The start as the host gave it, in the event's own zone: the admin's own fields show the server's."""
        return f"{date_format(screening.local_start, 'SHORT_DATETIME_FORMAT')} ({zone_label(screening.timezone)})"

    @admin.display(description=_("email"))
    def email_state(self, screening):
        if screening.email_confirmed_at:
            return _("confirmed")
        if screening.latest_email_status:
            return Email.Status(screening.latest_email_status).label
        return "–"

    @admin.display(description=_("emails"))
    def emails(self, screening):
        """The screening's emails in the outbox, newest first, each linked to its record: its own, and the
        "send me my link again" emails that listed it among the address's screenings (filed under one)."""
        newest_first = ("-created_at", "-pk")
        own = list(Email.objects.filter(about=screening.email_about).order_by(*newest_first)[:20])
        # Sent to the address as one of its registrations spelled it (see services.screenings_send_links_to).
        key, local_part = address_key(screening.email), screening.email.rpartition("@")[0]
        link_emails = Email.objects.filter(renderer=services.HOST_LINKS_RENDERER, to__istartswith=f"{local_part}@")
        listed = [
            email
            for email in link_emails.exclude(about=screening.email_about).order_by(*newest_first)
            if address_key(email.to) == key and screening.pk in email.params.get("screenings", [])
        ][:20]
        emails = sorted([*own, *listed], key=lambda email: (email.created_at, email.pk), reverse=True)[:20]
        if not emails:
            return "–"
        return format_html_join(
            mark_safe("<br>"),  # noqa: S308 - a constant
            '<a href="{}">{}</a>: {} ({}){}',
            (
                (
                    reverse("admin:taskqueue_email_change", args=[email.pk]),
                    date_format(timezone.localtime(email.created_at), "SHORT_DATETIME_FORMAT"),
                    email.get_status_display(),
                    ngettext("%d attempt", "%d attempts", email.attempts) % email.attempts,
                    f" – {email.last_error}" if email.last_error else "",
                )
                for email in emails
            ),
        )

    @admin.action(description=_("Approve for the virtual tour"))
    def approve_for_tour(self, request, queryset):
        log_action(request, queryset.filter(publish_on_tour=True), "Approved for the virtual tour")
        changed, skipped = services.screening_review(screenings=queryset, approve=True)
        self.message_user(
            request, ngettext("%d screening approved.", "%d screenings approved.", changed) % changed, messages.SUCCESS
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%d screening skipped: its host did not ask to be on the tour.",
                    "%d screenings skipped: their hosts did not ask to be on the tour.",
                    skipped,
                )
                % skipped,
                messages.WARNING,
            )

    @admin.action(description=_("Reject for the virtual tour"))
    def reject_for_tour(self, request, queryset):
        log_action(request, queryset, "Rejected for the virtual tour")
        changed, _skipped = services.screening_review(screenings=queryset, approve=False)
        self.message_user(request, ngettext("%d screening rejected.", "%d screenings rejected.", changed) % changed)

    @admin.action(description=_("Send the confirmation email again (with a new link)"))
    def resend_confirmation(self, request, queryset):
        log_action(request, queryset, "Sent the confirmation email again")
        queued = sum(1 for screening in queryset if services.screening_resend_link(screening))
        self.message_user(
            request,
            ngettext(
                "%d email queued; the outbox shows when it is sent.",
                "%d emails queued; the outbox shows when they are sent.",
                queued,
            )
            % queued,
            messages.SUCCESS,
        )
        skipped = queryset.count() - queued
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%d screening skipped: cancelled, anonymised or long over, so it has no host link.",
                    "%d screenings skipped: cancelled, anonymised or long over, so they have no host link.",
                    skipped,
                )
                % skipped,
                messages.WARNING,
            )

    @admin.action(description=_("Export selected screenings as CSV"))
    def export_csv(self, request, queryset):
        log_action(request, queryset, "Exported as CSV")
        response = StreamingHttpResponse(services.screenings_csv_rows(queryset), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="screenings.csv"'
        return response


@admin.register(ScreeningReport)
class ScreeningReportAdmin(admin.ModelAdmin):
    """The hosts' reports, as they sent them, with the campaign's totals above the list."""

    list_display = ("screening", "attendees", "rating", "may_quote", "counted", "submitted_at")
    list_filter = (CountedFilter, "rating", MayQuoteFilter)
    search_fields = ("screening__title", "what_worked", "story")
    list_select_related = ("screening",)
    readonly_fields = (
        "screening",
        "attendees",
        "rating",
        "what_worked",
        "story",
        "may_quote",
        "counted",
        "submitted_at",
    )
    fields = readonly_fields
    actions = ("count_in_public_figures", "leave_out_of_public_figures")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        totals = services.campaign_totals()
        summary = (
            _(
                "Screenings registered: %(registered)s · held (as reported): %(held)s · people reached (as "
                "reported): %(people)s · countries (of reported screenings): %(countries)s"
            )
            % totals
        )
        waiting = ScreeningReport.objects.filter(counted=False).count()
        if waiting:
            summary += " · " + ngettext(
                "%(count)d report not counted yet: read it, then count it with the action below.",
                "%(count)d reports not counted yet: read them, then count them with the action below.",
                waiting,
            ) % {"count": waiting}
        return super().changelist_view(request, extra_context={**(extra_context or {}), "subtitle": summary})

    @admin.action(description=_("Count the selected reports in the public figures"), permissions=["view"])
    def count_in_public_figures(self, request, queryset):
        self._count(request, queryset, counted=True)

    @admin.action(description=_("Leave the selected reports out of the public figures"), permissions=["view"])
    def leave_out_of_public_figures(self, request, queryset):
        self._count(request, queryset, counted=False)

    def _count(self, request, queryset, *, counted):
        reports = list(queryset.exclude(counted=counted))
        services.reports_count(queryset, counted=counted)
        change = "Counted in the public figures" if counted else "Left out of the public figures"
        if reports:
            LogEntry.objects.log_actions(request.user.pk, reports, CHANGE, change_message=change)
        self.message_user(
            request,
            ngettext("%d report changed.", "%d reports changed.", len(reports)) % len(reports),
            messages.SUCCESS,
        )
