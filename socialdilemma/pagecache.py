"""Consent-aware caching of whole public pages, fresh after every staff edit.

A page is cached per host, language, path and query and per consent state (the visitor's choices and
the Global Privacy Control signal: never anything personal), in each process's memory. Every key also
carries the *content version*, kept in the shared cache (Redis with REDIS_URL, otherwise a file cache
that all workers of one machine share). A staff edit replaces the content version, so the very next
request to any worker of any instance misses and renders afresh. Entries also expire after
PAGE_CACHE_SECONDS, so that time-dependent pages (past screenings leave the tour) follow the clock.

Not cached: anything but GET/HEAD of a public page, requests with cookies other than the consent and
CSRF cookies (staff sessions, cookies a declined group left behind), visitors who accepted analytics
(their page views are counted), and responses that set a cookie, use a CSRF token, are private, or are
not 200.
"""

import gzip
import hashlib
import uuid

from cookie_consent.cache import all_cookie_groups
from cookie_consent.util import parse_cookie_str
from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

CONTENT_VERSION_KEY = "content-version"
CACHEABLE_COOKIES = {"cookie_consent", "csrftoken"}
MAX_QUERY_LENGTH = 300
MIN_COMPRESS_LENGTH = 200

_group_versions = {}  # content version -> {group: version}, per process


def content_version():
    version = cache.get(CONTENT_VERSION_KEY)
    if version is None:
        # A cache that lost the version (a restart) starts a new one: no old page can match it.
        cache.add(CONTENT_VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(CONTENT_VERSION_KEY)
    return version


def invalidate_on_change(*models):
    """Renew the content version whenever one of these models is saved or deleted (by staff, mostly)."""
    from django.db.models.signals import post_delete, post_save

    for model in models:
        post_save.connect(content_changed, sender=model, dispatch_uid=f"pagecache-save-{model._meta.label}")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"pagecache-delete-{model._meta.label}")


def content_changed(**_signal_kwargs):
    """Call after any change that public pages show: every cached page is then stale everywhere."""
    cache.set(CONTENT_VERSION_KEY, uuid.uuid4().hex, None)


def _optional_group_versions(version):
    versions = _group_versions.get(version)
    if versions is None:
        versions = {name: group.get_version() for name, group in all_cookie_groups().items()}
        _group_versions.clear()
        _group_versions[version] = versions
    return versions


def consent_key(request, version):
    """The consent state as a short key, or None when the visitor's page views are counted."""
    from consent.services import OPTIONAL_GROUPS

    choices = parse_cookie_str(request.COOKIES.get(settings.COOKIE_CONSENT_NAME, ""))
    current = _optional_group_versions(version)
    marks = []
    for group in OPTIONAL_GROUPS:
        value = choices.get(group)
        if value == settings.COOKIE_CONSENT_DECLINE:
            marks.append("0")
        elif value is not None and group in current and value >= current[group]:
            if group == "analytics":
                return None
            marks.append("1")
        else:
            marks.append("-")
    key = "".join(marks)
    if "-" in key and request.headers.get("Sec-GPC", "").strip() == "1":
        key += "g"
    return key


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.pages = caches["pages"]
        self.prefixes = tuple(f"/{code}/" for code, _name in settings.LANGUAGES)

    def __call__(self, request):
        key = self._key(request)
        if key is None:
            return self.get_response(request)
        entry = self.pages.get(key)
        if entry is not None:
            return self._from_entry(entry, request)
        response = self.get_response(request)
        if self._storable(request, response):
            entry = self._entry(response)
            self.pages.set(key, entry, settings.PAGE_CACHE_SECONDS)
            if "gzip" in request.headers.get("Accept-Encoding", "") and entry["gzip"] is not None:
                return self._from_entry(entry, request)
        return response

    def _key(self, request):
        if not settings.PAGE_CACHE_SECONDS or request.method not in ("GET", "HEAD"):
            return None
        if not request.path.startswith(self.prefixes) or len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_LENGTH:
            return None
        if set(request.COOKIES) - CACHEABLE_COOKIES:
            return None
        version = content_version()
        state = consent_key(request, version)
        if state is None:
            return None
        raw = "|".join((request.get_host(), request.path, request.META.get("QUERY_STRING", ""), state, version))
        return "page:" + hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def _storable(request, response):
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and "private" not in response.get("Cache-Control", "")
            and "no-store" not in response.get("Cache-Control", "")
            and not response.has_header("Content-Encoding")
        )

    @staticmethod
    def _entry(response):
        body = response.content
        compressed = gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= MIN_COMPRESS_LENGTH else None
        return {
            "status": response.status_code,
            "headers": list(response.items()),
            "body": body,
            "gzip": compressed if compressed is not None and len(compressed) < len(body) else None,
        }

    @staticmethod
    def _from_entry(entry, request):
        use_gzip = entry["gzip"] is not None and "gzip" in request.headers.get("Accept-Encoding", "")
        response = HttpResponse(entry["gzip"] if use_gzip else entry["body"], status=entry["status"])
        for header, value in entry["headers"]:
            if header.lower() != "content-length":
                response[header] = value
        if use_gzip:
            response["Content-Encoding"] = "gzip"
        response["Content-Length"] = str(len(response.content))
        patch_vary_headers(response, ("Accept-Encoding",))
        return response
