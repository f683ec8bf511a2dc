from django.conf import settings
from django.utils.functional import SimpleLazyObject

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
        # Which main navigation entry is the current page: "home", "faq", "screenings" or "tour".
        "nav_section": _nav_section(match),
        "admin_url": "/" + settings.ADMIN_URL,
    }


def _nav_section(match):
    if match is None:
        return ""
    if match.namespace == "events":
        return "tour" if match.url_name.startswith("tour") or match.url_name == "screening-ics" else "screenings"
    return match.namespace or match.url_name
