from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from socialdilemma.pagecache import content_changed

from . import services
from .models import Action, Category, Entry, UnansweredSearch


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
    readonly_fields = ("created_at", "updated_at", "former_addresses")
    fieldsets = (
        (None, {"fields": ("category", ("published", "position"))}),
        (_("Question"), {"fields": (("question_de", "question_en"), ("slug_de", "slug_en"), "former_addresses")}),
        (_("Answer"), {"fields": (("answer_de", "answer_en"),)}),
        (_("History"), {"fields": (("created_at", "updated_at"),)}),
    )
    prepopulated_fields = {"slug_de": ("question_de",), "slug_en": ("question_en",)}
    actions = ("publish", "unpublish")

    def changelist_view(self, request, extra_context=None):
        # Links restored by migration 0010 that it could not add because staff had edited the entry.
        # Once per page view (not again on the page an action redirects to).
        restored_links_left = services.faq_restored_links_left() if request.method == "GET" else []
        for slug, entry, field, text in restored_links_left:
            if entry is None:
                where = slug  # the entry is gone: the text is there to be placed where it fits
            else:
                where = format_html('<a href="{}">{}</a>', reverse("admin:faq_entry_change", args=[entry.pk]), entry)
            messages.warning(
                request,
                format_html(
                    "{} {} ({}): {}",
                    _("A restored link is missing from an entry you edited; please add it:"),
                    where,
                    Entry._meta.get_field(field).verbose_name,
                    text,
                ),
            )
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        previous = Entry.objects.filter(pk=obj.pk).values("slug_de", "slug_en").first() if change else None
        obj._previous_slugs = {field.removeprefix("slug_"): slug for field, slug in (previous or {}).items()}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Once the entry is saved: links to its old addresses keep working (faq.services.faq_entry_get).
        services.faq_former_slugs_record(entry=form.instance, previous_slugs=form.instance._previous_slugs)

    @admin.display(description=_("former addresses"))
    def former_addresses(self, entry):
        """The slugs the entry had before (recorded when a slug is changed here); they redirect to it."""
        slugs = [former.slug for former in entry.former_slugs.all()] if entry.pk else []
        return ", ".join(slugs) or self.get_empty_value_display()

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


@admin.register(Action)
class ActionAdmin(TranslationAdmin):
    """The Take Action page's actions, German and English side by side."""

    list_display = ("title", "kind", "published", "position", "updated_at")
    list_editable = ("published", "position")
    list_filter = ("kind", "published")
    search_fields = ("title_de", "title_en", "text_de", "text_en")
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("kind", ("published", "position"))}),
        (_("Action"), {"fields": (("title_de", "title_en"), ("text_de", "text_en"))}),
        (_("Link"), {"fields": (("link_de", "link_en"), ("link_label_de", "link_label_en"))}),
        (_("History"), {"fields": (("created_at", "updated_at"),)}),
    )

    def view_on_site(self, action):
        return reverse("take-action") + f"#{action.kind}"


@admin.register(UnansweredSearch)
class UnansweredSearchAdmin(admin.ModelAdmin):
    """What visitors searched for and did not find, per day: read-only, counted by the FAQ page and
    removed after FAQ_UNANSWERED_SEARCH_DAYS (faq.tasks). The team may delete a row, e.g. one that
    names a person."""

    list_display = ("query", "language", "date", "count")
    list_filter = ("language", "date")
    search_fields = ("query",)
    ordering = ("-count", "-date", "query")
    date_hierarchy = "date"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
