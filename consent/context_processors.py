from urllib.parse import urlsplit

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from . import services


def consent(request):
    """The visitor's consent state (see consent.services.ConsentState) for the layout and pages; where the
    consent forms return to (consent.services.return_path); the optional third-party analytics script,
    never on a private page (socialdilemma.private); and that script's origin, which the consent texts
    name wherever analytics are described, on every page (the consent given covers the whole site)."""
    script = settings.ANALYTICS_SCRIPT_URL
    return {
        "consent": getattr(request, "consent", None),
        "consent_return_path": SimpleLazyObject(lambda: services.return_path(request)),
        "analytics_script_url": "" if getattr(request, "is_private_page", False) else script,
        "analytics_script_origin": analytics_origin(script),
    }


def analytics_origin(url):
    """The origin (scheme and host) of the analytics script's address, as the texts name its provider."""
    return "{0.scheme}://{0.netloc}".format(urlsplit(url)) if url else ""
