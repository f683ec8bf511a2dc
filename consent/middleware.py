from cookie_consent.middleware import CleanCookiesMiddleware as LibraryCleanCookiesMiddleware
from django.conf import settings
from django.db import DatabaseError
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject

from socialdilemma.ratelimit import client_limited

from . import services


class ConsentMiddleware:
    """Gives each request its consent state, and counts page views of visitors who accepted analytics."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.consent = SimpleLazyObject(lambda: services.consent_state(request))
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            # What a page shows depends on the consent cookie and the browser's privacy signal.
            patch_vary_headers(response, ("Cookie", "Sec-GPC"))
            if (
                request.method == "GET"
                and response.status_code == 200
                and services.is_public_page(request)
                # A private page (a host's page, whose address carries a secret) is never counted.
                and not getattr(request, "is_private_page", False)
                and request.consent.allows("analytics")
                and not _over_page_view_limit(request)
            ):
                services.analytics_count(request, kind="page_view")
        return response


def _over_page_view_limit(request):
    """Anyone can send the consent cookie: one client counts a reader's number of pages at most
    (ANALYTICS_PAGE_VIEW_RATE_LIMIT), not a script's thousands. Uncounted (Redis unreachable): not counted."""
    rate = settings.ANALYTICS_PAGE_VIEW_RATE_LIMIT
    return client_limited(request, "page-views", rate=rate, when_uncounted=True, method="GET")


class CleanCookiesMiddleware(LibraryCleanCookiesMiddleware):
    """The library's clean-up of cookies whose group is not (or no longer) accepted.

    Only a request that carries a cookie other than the site's own necessary ones (the consent record
    and the CSRF cookie, never part of an optional group) can need it: a fresh visitor's request, a
    form submission and the health check never look up the cookie groups.
    """

    def process_response(self, request, response):
        if set(request.COOKIES) <= {settings.COOKIE_CONSENT_NAME, settings.CSRF_COOKIE_NAME}:
            return response
        try:
            return super().process_response(request, response)
        except DatabaseError:
            # Without the database the groups are unknown; the next answered request cleans up.
            return response
