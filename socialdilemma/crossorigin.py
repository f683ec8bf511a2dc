"""Cross-site request forgery refused by the browser's own word, without a cookie or a token.

Browsers mark every request with where it comes from (Fetch Metadata's Sec-Fetch-Site; older ones send
at least Origin on a POST). The rule is Go's (net/http.CrossOriginProtection, Go 1.25), which OWASP's
CSRF cheat sheet describes:

- safe methods (GET, HEAD, OPTIONS) pass;
- an Origin listed in DJANGO_CSRF_TRUSTED_ORIGINS passes;
- Sec-Fetch-Site "same-origin" or "none" (typed or bookmarked by the user) passes; any other value
  ("cross-site", "same-site") is refused;
- without Sec-Fetch-Site, an Origin whose host is the request's own passes and any other (including
  "null") is refused; with neither header the request does not come from a browser (curl, a script), so
  no visitor's browser can have been tricked into sending it, and it passes.

Public pages (every address under a language prefix) use this rule instead of Django's CSRF token, so
that their forms set no cookie. Everything else (the admin, which staff sign in to) keeps Django's
token.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render

from .i18n import is_public_path

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


def is_cross_origin(request):
    """True when a browser sent this unsafe request on behalf of another site (see the module's rule)."""
    if request.method in SAFE_METHODS:
        return False
    origin = request.headers.get("Origin")
    if origin and origin in settings.CSRF_TRUSTED_ORIGINS:
        return False
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    if not origin:
        return False
    try:
        origin_host = urlsplit(origin).netloc
    except ValueError:
        return True
    return origin_host.lower() != request.get_host().lower()


class CrossOriginProtectionMiddleware(CsrfViewMiddleware):
    """Django's CSRF middleware for the admin; the cross-origin rule for public pages (no token, no
    cookie). Takes CsrfViewMiddleware's place in MIDDLEWARE."""

    def process_view(self, request, callback, callback_args, callback_kwargs):
        if not is_public_path(request.path_info):
            return super().process_view(request, callback, callback_args, callback_kwargs)
        if is_cross_origin(request):
            return render(request, "403_cross_origin.html", status=403)
        return None
