from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.http import StreamingHttpResponse
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from faq.markdown import markdown_for_email
from socialdilemma.spreadsheet import csv_lines
from socialdilemma.taskqueue.models import Email

from . import services
from .models import Issue, Subscriber


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    """Subscriptions with their proof of consent, read-only: subscribers decide them themselves."""

    list_display = ("email", "language", "status", "requested_at", "confirmed_at", "consent_version")
    list_filter = ("status", "language", "consent_version")
    search_fields = ("email",)
    readonly_fields = (
        "email",
        "language",
        "status",
        "requested_at",
        "confirmed_at",
        "consent_version",
        "consent_text",
    )
    fields = readonly_fields
    actions = ("export_confirmed_csv",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_export_permission(self, request):
        # Staff who may see subscribers but not change anything cannot take them away either.
        return request.user.has_perm("newsletter.change_subscriber") or request.user.is_superuser

    @admin.action(description=_("Export the selected confirmed subscribers as CSV"), permissions=["export"])
    def export_confirmed_csv(self, request, queryset):
        """For moving to a mail service: confirmed subscribers only, with their proof of consent. Each
        export is recorded in the admin log (who, when, whom)."""
        confirmed = queryset.filter(status=Subscriber.Status.CONFIRMED).order_by("pk")
        # One entry with the number, not one per subscriber: the log keeps no address after unsubscribing.
        LogEntry.objects.create(
            user_id=request.user.pk,
            content_type=ContentType.objects.get_for_model(Subscriber),
            object_repr=f"{confirmed.count()} subscribers",
            action_flag=CHANGE,
            change_message="Exported as CSV",
        )
        columns = ("email", "language", "requested_at", "confirmed_at", "consent_version", "consent_text")
        lines = csv_lines(columns, confirmed.values_list(*columns).iterator(chunk_size=2000))
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="newsletter-subscribers.csv"'
        return response


@admin.register(Issue)
class IssueAdmin(TranslationAdmin):
    """Write an issue in both languages, preview it, send a test to yourself, then send it. Sending queues
    one email per confirmed subscriber (in their language) through the task queue; the progress below
    counts them as the worker sends them."""

    list_display = ("subject", "status", "created_at", "sent_at")
    fields = ("subject", "body", "status", "preview", "progress", "sending_started_at", "sent_at")
    readonly_fields = ("status", "preview", "progress", "sending_started_at", "sent_at")
    actions = ("send_test_to_me", "send_to_subscribers")

    def has_change_permission(self, request, obj=None):
        # What went out (or is going out) stays as it was sent.
        if obj is not None and obj.status != Issue.Status.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description=_("preview"))
    def preview(self, issue):
        if issue.pk is None:
            return "–"
        parts = []
        for code, name in settings.LANGUAGES:
            with translation.override(code):
                _text, html = markdown_for_email(getattr(issue, f"body_{code}"), settings.SITE_URL)
            parts.append(format_html("<h3>{}: {}</h3><div>{}</div>", name, getattr(issue, f"subject_{code}"), html))
        return format_html_join("", "{}", ((part,) for part in parts))

    @admin.display(description=_("progress"))
    def progress(self, issue):
        if issue.pk is None:
            return "–"
        counts = services.issue_progress(issue)
        return ", ".join(f"{Email.Status(status).label}: {number}" for status, number in counts.items())

    @admin.action(description=_("Send a test of the selected issue to me (both languages)"))
    def send_test_to_me(self, request, queryset):
        if not request.user.email:
            self.message_user(request, _("Your staff account has no email address."), messages.ERROR)
            return
        for issue in queryset:
            for code, _name in settings.LANGUAGES:
                services.issue_send_test(issue=issue, to=request.user.email, language=code)
        self.message_user(request, _("The test is on its way to %(email)s.") % {"email": request.user.email})

    @admin.action(description=_("Send the selected issue to all confirmed subscribers"))
    def send_to_subscribers(self, request, queryset):
        started, refused = [], False
        for issue in queryset:
            errors = issue.link_errors()
            if errors:
                refused = True
                self.message_user(
                    request,
                    _("“%(subject)s” has not been sent: %(errors)s Please correct it first.")
                    % {"subject": issue.subject, "errors": " ".join(str(error) for error in errors.values())},
                    messages.ERROR,
                )
            elif services.issue_start_sending(issue):
                started.append(issue)
        if refused and not started:
            return  # the errors above say it all
        LogEntry.objects.log_actions(request.user.pk, started, CHANGE, change_message="Sent to subscribers")
        self.message_user(
            request,
            ngettext("%(count)d issue is being sent.", "%(count)d issues are being sent.", len(started))
            % {"count": len(started)},
        )
