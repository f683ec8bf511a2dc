"""German and English names and descriptions for django-cookie-consent's models.

modeltranslation adds fields to the library's tables; their migrations therefore live in this project
(MIGRATION_MODULES["cookie_consent"] = "consent.cookie_consent_migrations").
"""

from cookie_consent.models import Cookie, CookieGroup
from modeltranslation.translator import TranslationOptions, register


@register(CookieGroup)
class CookieGroupTranslationOptions(TranslationOptions):
    fields = ("name", "description")


@register(Cookie)
class CookieTranslationOptions(TranslationOptions):
    fields = ("description",)
