from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.http import StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from socialdilemma.spreadsheet import csv_lines

from .models import Subscriber


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

    @admin.action(description=_("Export the selected confirmed subscribers as CSV"))
    def export_confirmed_csv(self, request, queryset):
        """For moving to a mail service: confirmed subscribers only, with their proof of consent. Each
        export is recorded in the admin log (who, when, whom)."""
        confirmed = queryset.filter(status=Subscriber.Status.CONFIRMED).order_by("pk")
        LogEntry.objects.log_actions(request.user.pk, list(confirmed), CHANGE, change_message="Exported as CSV")
        columns = ("email", "language", "requested_at", "confirmed_at", "consent_version", "consent_text")
        lines = csv_lines(columns, confirmed.values_list(*columns).iterator(chunk_size=2000))
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="newsletter-subscribers.csv"'
        return response
