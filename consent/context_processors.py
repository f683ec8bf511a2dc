from django.conf import settings


def consent(request):
    """The visitor's consent state (see consent.services.ConsentState) for the layout and pages, and the
    optional third-party analytics script, never on a private page (socialdilemma.private)."""
    return {
        "consent": getattr(request, "consent", None),
        "analytics_script_url": "" if getattr(request, "is_private_page", False) else settings.ANALYTICS_SCRIPT_URL,
    }
