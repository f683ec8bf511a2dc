"""The project's own pages: home, legal pages, health check and error pages.

Everything with a model of its own lives in an app (faq, events, consent).
"""

import json
import math
import sys
from datetime import date

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe

from events.services import campaign_totals, tour_screenings

from .ratelimit import rate_window_seconds

HOME_SCREENINGS = 3  # the next screenings on the tour that the home page shows


@require_safe
def home(request):
    return render(
        request,
        "pages/home.html",
        {
            "trailer_youtube_id": settings.TRAILER_YOUTUBE_ID,
            "trailer_play": request.GET.get("trailer") == "play",
            "totals": campaign_totals(),
            # Not yet begun (the tour lists a screening until it ends): an invitation to join.
            "next_screenings": tour_screenings()[0].filter(starts_at__gt=timezone.now())[:HOME_SCREENINGS],
        },
    )


# The dates the privacy policy and the accessibility statement were last revised: change them with the text.
PRIVACY_UPDATED = date(2026, 12, 2)
ACCESSIBILITY_UPDATED = date(2026, 12, 2)
# Processor purposes the privacy page translates; any other purpose of PRIVACY_PROCESSORS is shown as written.
PROCESSOR_PURPOSES = {"hosting": _("Hosting"), "email": _("Email delivery")}


# Intervals that keep a keyed fingerprint in the cache but are not named *_INTERVAL_SECONDS (see below).
FINGERPRINT_INTERVAL_SETTINGS = ("SCREENING_LINK_REQUEST_SECONDS",)


def fingerprint_seconds():
    """How long the limits against abuse keep anything in the cache (socialdilemma/ratelimit.py): keyed
    fingerprints of an IP address, an email address or a screening, with their counts. The longest of every
    rate (*_RATE_LIMIT: a counter lives one window) and every interval in which an address receives one
    email (*_INTERVAL_SECONDS, and FINGERPRINT_INTERVAL_SETTINGS), found by their names, so that a limit
    added later is never left out. The admin's sign-in and the FAQ's unanswered searches keep theirs for
    the periods their own sections of the page state."""
    seconds = [getattr(settings, name) for name in FINGERPRINT_INTERVAL_SETTINGS]
    for name in dir(settings):
        if name.endswith("_RATE_LIMIT"):
            seconds.append(rate_window_seconds(getattr(settings, name)))
        elif name.endswith("_INTERVAL_SECONDS"):
            seconds.append(getattr(settings, name))
    return max(seconds)


@require_safe
def privacy(request):
    """The privacy policy: every number in it comes from the settings that decide it (the analytics
    script's origin from the consent app's context processor, as the consent texts name it)."""
    return render(
        request,
        "pages/privacy.html",
        {
            "updated": PRIVACY_UPDATED,
            "imprint": settings.IMPRINT,
            "processors": [
                (PROCESSOR_PURPOSES.get(purpose.casefold(), purpose), name)
                for purpose, name in settings.PRIVACY_PROCESSORS
            ],
            "authority": settings.PRIVACY_SUPERVISORY_AUTHORITY,
            "server_log_days": settings.SERVER_LOG_DAYS,
            "fingerprint_minutes": math.ceil(fingerprint_seconds() / 60),
            "consent_cookie_days": settings.COOKIE_CONSENT_MAX_AGE // (24 * 60 * 60),
            "personal_data_days": settings.SCREENING_PERSONAL_DATA_DAYS,
            "host_link_days": settings.SCREENING_HOST_LINK_DAYS,
            "unconfirmed_days": settings.SCREENING_UNCONFIRMED_DAYS,
            "newsletter": apps.is_installed("newsletter"),
            "newsletter_unconfirmed_days": settings.NEWSLETTER_UNCONFIRMED_DAYS,
            "guest_confirm_hours": settings.GUEST_CONFIRM_HOURS,
            "unanswered_search_days": settings.FAQ_UNANSWERED_SEARCH_DAYS,
            "email_keep_days": settings.EMAIL_KEEP_DAYS,
            "session_days": settings.SESSION_COOKIE_AGE // (24 * 60 * 60),
            "lockout_minutes": math.ceil(settings.ADMIN_LOGIN_LOCKOUT_SECONDS / 60),
        },
    )


@require_safe
def accessibility(request):
    return render(
        request,
        "pages/accessibility.html",
        {"updated": ACCESSIBILITY_UPDATED, "contact_email": settings.IMPRINT["email"]},
    )


@require_safe
def code_of_conduct(request):
    return render(request, "pages/code_of_conduct.html")


@require_safe
def imprint(request):
    return render(request, "pages/imprint.html", {"imprint": settings.IMPRINT})


# The browser's interface colour on phones (the manifest; base.html's meta theme-color repeats it): the header's ink.
THEME_COLOUR = "#0d0e12"


# Private addresses (a host's, a guest's, a subscriber's link) are never to be indexed; the pages say so
# themselves (noindex), and this keeps well-behaved crawlers from fetching them at all.
ROBOTS_DISALLOWED = [
    "/*/screenings/manage/",
    "/*/screenings/guest/",
    "/*/screenings/report/",
    "/*/newsletter/confirm/",
    "/*/newsletter/unsubscribe/",
]


@require_safe
def robots_txt(request):
    """Crawlers may read every public page; the sitemap lists them (its address from SITE_URL)."""
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOWED), "Allow: /", ""]
    lines.append(f"Sitemap: {settings.SITE_URL}/sitemap.xml")
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def web_manifest(request):
    """The web app manifest: name, colours and icon when someone adds the site to a home screen."""
    manifest = {
        "name": "Das soziale Dilemma – The Social Dilemma",
        "short_name": "Das soziale Dilemma",
        "start_url": "/",
        "display": "browser",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [
            {"src": static("favicon.svg"), "type": "image/svg+xml", "sizes": "any"},
            {"src": static("img/apple-touch-icon.png"), "type": "image/png", "sizes": "180x180"},
            {"src": static("img/icon-512.png"), "type": "image/png", "sizes": "512x512"},
        ],
    }
    response = HttpResponse(json.dumps(manifest, ensure_ascii=False), content_type="application/manifest+json")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@never_cache
def healthz(request):
    """200 when the database answers a query, 503 when it does not; never a stack trace."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@requires_csrf_token
def server_error(request):
    """The 500 page, in the request's language, without touching the database or context processors.

    When the error is the database not answering, the page says so with 503 and Retry-After: the
    site recovers by itself once the database is back (connections are checked before reuse).
    """
    error = sys.exc_info()[1]
    if isinstance(error, DatabaseError):
        body = loader.get_template("503.html").render({})
        response = HttpResponse(body, status=503)
        response["Retry-After"] = "60"
        return response
    body = loader.get_template("500.html").render({"request_path": request.path})
    return HttpResponse(body, status=500)
