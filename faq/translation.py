from modeltranslation.translator import TranslationOptions, register

from .models import Action, Category, Entry


@register(Category)
class CategoryTranslationOptions(TranslationOptions):
    fields = ("title", "slug")
    required_languages = ("de",)
    # An empty English slug is stored as NULL, so that many may be empty despite the unique index.
    empty_values = {"slug": None}


@register(Entry)
class EntryTranslationOptions(TranslationOptions):
    fields = ("question", "slug", "answer")
    required_languages = ("de",)
    empty_values = {"slug": None}


@register(Action)
class ActionTranslationOptions(TranslationOptions):
    fields = ("title", "text", "link", "link_label")
    required_languages = ("de",)
