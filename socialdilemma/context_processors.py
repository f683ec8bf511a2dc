from django.conf import settings
from django.templatetags.static import static
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from .i18n import absolute_url, page_language_versions


def site(request):
    """What every page's layout needs: its language versions and the admin's address."""
    match = request.resolver_match
    versions = SimpleLazyObject(lambda: page_language_versions(request))
    return {
        "language_versions": versions,
        "canonical_url": SimpleLazyObject(
            lambda: next((v["url"] for v in versions if v["is_current"]), absolute_url(request))
        ),
        # Which main navigation entry is the current page: "home", "faq", "screenings", "tour" or "take-action".
        "nav_section": _nav_section(match),
        "admin_url": "/" + settings.ADMIN_URL,
        "netflix_title_url": settings.NETFLIX_TITLE_URL,
        "social_image": SimpleLazyObject(lambda: _social_image(request)),
    }


# The pages of the public tour and of its screenings, which a guest reaches from there: the navigation
# marks "Virtual tour" on them. The other events pages are the host's ("Host a screening").
TOUR_PAGES = {"screening", "screening-short", "screening-ics", "join", "contact", "guest", "guest-ics"}


def _nav_section(match):
    if match is None:
        return ""
    if match.namespace == "events":
        return "tour" if match.url_name in TOUR_PAGES or match.url_name.startswith("tour") else "screenings"
    return match.namespace or match.url_name


# The Open Graph locale of each site language (the English pages are written in British English).
OPEN_GRAPH_LOCALES = {"de": "de_DE", "en": "en_GB"}


def _social_image(request):
    """The page's social preview: the image of its language (static/img/og-<lang>.png, drawn by
    scripts/draw_social_images.py) as an absolute address, and its Open Graph locales."""
    language = get_language() if get_language() in OPEN_GRAPH_LOCALES else settings.LANGUAGE_CODE
    return {
        "url": absolute_url(request, static(f"img/og-{language}.png")),
        "locale": OPEN_GRAPH_LOCALES[language],
        "alternate_locales": [locale for code, locale in OPEN_GRAPH_LOCALES.items() if code != language],
    }
