from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Email


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    """Every email the site sends: waiting, being sent, sent, failed. Read-only; failed ones can be tried again."""

    list_display = ("created_at", "kind", "to", "status", "attempts", "next_attempt_at", "last_error", "sent_at")
    list_filter = ("status", "renderer", "language")
    search_fields = ("to", "about", "message_id")
    list_per_page = 100
    actions = ("try_again",)
    fields = (
        ("renderer", "language"),
        ("to", "about"),
        ("status", "attempts"),
        ("created_at", "next_attempt_at", "sent_at"),
        "last_error",
        "message_id",
        "cause",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Viewing is enough; the one change staff make is "try again" (an action).
        return False

    @admin.display(description=_("kind"), ordering="renderer")
    def kind(self, email):
        return email.kind_label

    @admin.action(description=_("Try the selected failed emails again"), permissions=["view"])
    def try_again(self, request, queryset):
        failed = list(queryset.filter(status=Email.Status.FAILED))
        count = services.emails_retry(queryset)
        if failed:
            LogEntry.objects.log_actions(request.user.pk, failed, CHANGE, change_message="Tried again")
        self.message_user(
            request,
            ngettext("%d email queued again.", "%d emails queued again.", count) % count,
            messages.SUCCESS if count else messages.WARNING,
        )
