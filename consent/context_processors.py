from django.conf import settings


def consent(request):
    """The visitor's consent state (see consent.services.ConsentState) for the layout and pages."""
    return {
        "consent": getattr(request, "consent", None),
        "analytics_script_url": settings.ANALYTICS_SCRIPT_URL,
    }
