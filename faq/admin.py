from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from socialdilemma.pagecache import content_changed

from .models import Category, Entry


@admin.register(Category)
class CategoryAdmin(TranslationAdmin):
    list_display = ("title", "slug", "position", "entry_count")
    list_editable = ("position",)
    # German and English side by side, one row per field.
    fields = (("title_de", "title_en"), ("slug_de", "slug_en"), "position")
    prepopulated_fields = {"slug_de": ("title_de",), "slug_en": ("title_en",)}

    @admin.display(description=_("entries"))
    def entry_count(self, category):
        return category.entries.count()


@admin.register(Entry)
class EntryAdmin(TranslationAdmin):
    list_display = ("question", "category", "published", "position", "updated_at", "open_on_site")
    list_display_links = ("question",)
    list_editable = ("published", "position")
    list_filter = ("category", "published")
    list_select_related = ("category",)
    search_fields = ("question_de", "question_en", "answer_de", "answer_en", "slug_de", "slug_en")
    date_hierarchy = "updated_at"
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("category", ("published", "position"))}),
        (_("Question"), {"fields": (("question_de", "question_en"), ("slug_de", "slug_en"))}),
        (_("Answer"), {"fields": (("answer_de", "answer_en"),)}),
        (_("History"), {"fields": (("created_at", "updated_at"),)}),
    )
    prepopulated_fields = {"slug_de": ("question_de",), "slug_en": ("question_en",)}
    actions = ("publish", "unpublish")

    @admin.display(description=_("on the site"))
    def open_on_site(self, entry):
        label = _("view") if entry.published else _("preview")
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', entry.get_absolute_url(), label)

    @admin.action(description=_("Publish selected entries"))
    def publish(self, request, queryset):
        LogEntry.objects.log_actions(request.user.pk, list(queryset), CHANGE, change_message="Published")
        queryset.update(published=True)
        content_changed()

    @admin.action(description=_("Unpublish selected entries"))
    def unpublish(self, request, queryset):
        LogEntry.objects.log_actions(request.user.pk, list(queryset), CHANGE, change_message="Unpublished")
        queryset.update(published=False)
        content_changed()
