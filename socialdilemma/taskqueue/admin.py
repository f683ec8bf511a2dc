from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Email


class KindFilter(admin.SimpleListFilter):
    """The kinds of email by what they are called, not by the dotted path of the function that writes them."""

    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        kinds = Email.objects.order_by().values_list("renderer", "params__kind").distinct()
        named = {
            f"{renderer}:{kind or ''}": Email(renderer=renderer, params={"kind": kind}).kind_label
            for renderer, kind in kinds
        }
        return sorted(named.items(), key=lambda item: str(item[1]))

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        renderer, _separator, kind = self.value().partition(":")
        if kind:
            return queryset.filter(renderer=renderer, params__kind=kind)
        return queryset.filter(renderer=renderer, params__kind__isnull=True)


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    """Every email the site sends: waiting, being sent, sent, failed. Read-only; failed ones can be tried again."""

    list_display = ("created_at", "kind", "to", "status", "attempts", "next_attempt", "last_error", "sent_at")
    list_filter = ("status", KindFilter, "language")
    search_fields = ("to", "about", "message_id")
    list_per_page = 100
    actions = ("try_again",)
    fields = (
        ("kind", "language"),
        ("to", "about"),
        ("status", "attempts"),
        ("created_at", "next_attempt", "sent_at"),
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

    @admin.display(description=_("next attempt at"), ordering="next_attempt_at")
    def next_attempt(self, email):
        """Only while another attempt is to come: a sent, failed or dropped email has none."""
        if email.status == Email.Status.WAITING:
            return email.next_attempt_at
        return None

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
