from modeltranslation.translator import TranslationOptions, register

from .models import NetflixTerms, Resource


@register(NetflixTerms)
class NetflixTermsTranslationOptions(TranslationOptions):
    fields = ("title", "summary")
    required_languages = ("de", "en")


@register(Resource)
class ResourceTranslationOptions(TranslationOptions):
    fields = ("title", "url")
    required_languages = ("de",)
