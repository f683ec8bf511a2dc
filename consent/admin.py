"""Staff see and edit the cookie groups in both languages, the consent rates, and the analytics."""

from datetime import timedelta

from cookie_consent.admin import CookieAdmin as LibraryCookieAdmin
from cookie_consent.admin import CookieGroupAdmin as LibraryCookieGroupAdmin
from cookie_consent.admin import LogItemAdmin as LibraryLogItemAdmin
from cookie_consent.models import Cookie, CookieGroup, LogItem
from django.contrib import admin
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from . import services
from .charts import daily_bar_chart
from .models import DailyCount

for model in (Cookie, CookieGroup, LogItem):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class TranslatedVersionColumn:
    """The library's lists show its method name as the column ("GET VERSION"): a translated column."""

    @admin.display(description=_("version"))
    def version(self, obj):
        return obj.get_version()

    def get_list_display(self, request):
        return [("version" if name == "get_version" else name) for name in super().get_list_display(request)]


@admin.register(CookieGroup)
class CookieGroupAdmin(TranslatedVersionColumn, LibraryCookieGroupAdmin, TranslationAdmin):
    pass


@admin.register(Cookie)
class CookieAdmin(TranslatedVersionColumn, LibraryCookieAdmin, TranslationAdmin):
    pass


@admin.register(LogItem)
class LogItemAdmin(LibraryLogItemAdmin):
    """The consent log, with the rates per group and version above the list. It holds nothing personal."""

    change_list_template = "admin/consent/logitem/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        rates = [
            {
                **row,
                "total": row["accepted"] + row["declined"],
                "rate": round(100 * row["accepted"] / (row["accepted"] + row["declined"])),
            }
            for row in services.consent_rates()
        ]
        return super().changelist_view(request, {**(extra_context or {}), "consent_rates": rates})


@admin.register(DailyCount)
class DailyCountAdmin(admin.ModelAdmin):
    """Page views and trailer plays per day; a chart of the last 30 days above the table."""

    list_display = ("day", "kind", "path", "language", "count")
    list_filter = ("kind", "language", "day")
    search_fields = ("path",)
    date_hierarchy = "day"
    change_list_template = "admin/consent/dailycount/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        today = timezone.localdate()
        first = today - timedelta(days=29)
        totals = (
            DailyCount.objects.filter(day__gte=first).values("day", "kind").annotate(total=Sum("count")).order_by("day")
        )
        by_day = {first + timedelta(days=n): {"page_view": 0, "trailer_play": 0} for n in range(30)}
        for row in totals:
            by_day[row["day"]][row["kind"]] = row["total"]
        chart = daily_bar_chart(
            [(day, values["page_view"]) for day, values in by_day.items()],
            title=_("Page views per day, last 30 days"),
        )
        context = {
            "chart": chart,
            "daily_totals": sorted(by_day.items(), reverse=True),
        }
        return super().changelist_view(request, {**(extra_context or {}), **context})
