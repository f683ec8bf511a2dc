"""Consent-aware caching of whole public pages, fresh after every staff edit.

A page is cached per host, language, path and query and per consent state (the visitor's choices and
the Global Privacy Control signal: never anything personal), in each process's memory (a plain
dictionary: no serialisation on the way out). Every key also carries the *content version* (see
socialdilemma.contentversion: in Redis with REDIS_URL, otherwise in a file cache that all workers of
one machine share). A staff edit replaces the content version, so the very next request to any worker
of any instance misses and renders afresh. Entries also expire after
PAGE_CACHE_SECONDS, so that time-dependent pages (past screenings leave the tour) follow the clock.

Not cached: anything but GET/HEAD of a public page, requests with cookies other than the consent and
CSRF cookies (staff sessions, cookies a declined group left behind), visitors who accepted analytics
(their page views are counted), and responses that set a cookie, use a CSRF token, are private, or are
not 200. A page whose only personal part is its CSRF token (an empty form) may use
render_with_csrf_token: its HTML is cached without any token, and each visitor's own token is filled
in on every request.
"""

import gzip
import hashlib
import struct
import threading
import time
import zlib
from collections import OrderedDict

from cookie_consent.cache import all_cookie_groups
from cookie_consent.util import parse_cookie_str
from django.conf import settings
from django.db import DatabaseError, transaction
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers

from . import contentversion

CACHEABLE_COOKIES = {"cookie_consent", "csrftoken"}
MAX_QUERY_LENGTH = 300
MIN_COMPRESS_LENGTH = 200
MAX_PAGES = 2_000
# Stands in for the CSRF token in cached HTML; cannot occur in a page otherwise.
CSRF_PLACEHOLDER = "csrf-token-placeholder-c4e1d0a7"

_group_versions = {}  # content version -> {group: version}, per process


def content_version():
    """The current content version; None while it cannot be known (Redis unreachable)."""
    return contentversion.store().current()


def invalidate_on_change(*models):
    """Renew the content version whenever one of these models is saved or deleted (by staff, mostly)."""
    from django.db.models.signals import post_delete, post_save

    for model in models:
        post_save.connect(content_changed, sender=model, dispatch_uid=f"pagecache-save-{model._meta.label}")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"pagecache-delete-{model._meta.label}")


def content_changed(**_signal_kwargs):
    """Call after any change that public pages show: every cached page is then stale everywhere.

    Inside a transaction the version is replaced once it commits (once, however many objects it
    saved): replaced earlier, a page rendered before the commit, still showing the old content, could
    be cached under the new version.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _replace_content_version()
    elif not any(callback is _replace_content_version for _sids, callback, _robust in connection.run_on_commit):
        transaction.on_commit(_replace_content_version)


def _replace_content_version():
    contentversion.store().replace()


class LocalPages:
    """This process's cached pages: an LRU dictionary with expiry, safe for threaded servers."""

    def __init__(self, max_entries=MAX_PAGES):
        self.max_entries = max_entries
        self.entries = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, default=None):
        with self.lock:
            item = self.entries.get(key)
            if item is None:
                return default
            expires, value = item
            if expires < time.monotonic():
                del self.entries[key]
                return default
            self.entries.move_to_end(key)
            return value

    def set(self, key, value, seconds):
        with self.lock:
            self.entries[key] = (time.monotonic() + seconds, value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)

    def clear(self):
        with self.lock:
            self.entries.clear()


local_pages = LocalPages()


def per_content_version(name, compute):
    """compute(), remembered in this process until content changes (or the page cache time passes).

    For things every request needs and only staff change (the current Netflix terms, say).
    """
    version = content_version()
    if version is None:  # Redis unreachable: nothing can be kept fresh, so nothing is kept
        return compute()
    key = f"value:{name}:{version}"
    missing = object()
    value = local_pages.get(key, missing)
    if value is missing:
        value = compute()
        local_pages.set(key, value, settings.PAGE_CACHE_SECONDS or 1)
    return value


def page_key(request):
    """The cache key of this request's page, or None when the page must be rendered for the visitor.

    Worked out once per request (the middleware and render_with_csrf_token both ask).
    """
    if not hasattr(request, "_page_key"):
        request._page_key = _page_key(request)
    return request._page_key


def _page_key(request):
    if not settings.PAGE_CACHE_SECONDS or request.method not in ("GET", "HEAD"):
        return None
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        return None  # SecurityMiddleware redirects it to HTTPS
    query = request.META.get("QUERY_STRING", "")
    if not request.path.startswith(_public_prefixes()) or len(query) > MAX_QUERY_LENGTH:
        return None
    if set(request.COOKIES) - CACHEABLE_COOKIES:
        return None
    version = content_version()
    if version is None:  # Redis unreachable: no page can be kept fresh, so none is cached
        return None
    state = consent_key(request, version)
    if state is None:
        return None
    raw = "|".join((request.get_host(), request.path, query, state, version))
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


_prefixes = None


def _public_prefixes():
    global _prefixes
    if _prefixes is None:
        _prefixes = tuple(f"/{code}/" for code, _name in settings.LANGUAGES)
    return _prefixes


def render_with_csrf_token(request, template_name, context, *, status=200):
    """Render a page whose only personal part is its CSRF token, so that it can be cached.

    The page is rendered with a placeholder for the token and the visitor's own token filled in.
    PageCacheMiddleware keeps the page without a token and, when it serves the page from the cache,
    fills in each visitor's own token and sets their CSRF cookie through Django's CSRF middleware: no
    two visitors ever receive the same token.
    """
    html = render_to_string(template_name, {**context, "csrf_token": CSRF_PLACEHOLDER}, request)
    page = _TokenPage(html)
    response = page.response(request, get_token(request), status)
    response.token_page = page  # for PageCacheMiddleware
    return response


class _TokenPage:
    """A page's HTML split at its token placeholders, each part also as a raw deflate segment.

    A gzip stream may be a sequence of independently compressed deflate segments as long as every
    segment but the last ends on a byte boundary (a sync flush): so the fixed parts are compressed once
    and only the token is compressed per request.
    """

    def __init__(self, html):
        self.parts = [part.encode() for part in html.split(CSRF_PLACEHOLDER)]
        self.segments = [_deflate(part, final=index == len(self.parts) - 1) for index, part in enumerate(self.parts)]

    def response(self, request, token, status):
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            response = HttpResponse(self.gzip_with(token), status=status)
            response["Content-Encoding"] = "gzip"
        else:
            response = HttpResponse(self.html_with(token), status=status)
        patch_vary_headers(response, ("Cookie", "Accept-Encoding"))
        return response

    def html_with(self, token):
        return token.encode().join(self.parts)

    def gzip_with(self, token):
        token_segment = _deflate(token.encode(), final=False)
        pieces, crc, size = [_GZIP_HEADER], 0, 0
        for index, (part, segment) in enumerate(zip(self.parts, self.segments, strict=True)):
            if index:
                pieces.append(token_segment)
                crc = zlib.crc32(token.encode(), crc)
                size += len(token)
            pieces.append(segment)
            crc = zlib.crc32(part, crc)
            size += len(part)
        pieces.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
        return b"".join(pieces)


_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"


def _deflate(data, *, final):
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_FINISH if final else zlib.Z_SYNC_FLUSH)


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
        # Runs Django's CSRF middleware's own steps for the token pages this middleware serves.
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request):
        try:
            key = page_key(request)
        except DatabaseError:
            key = None  # the cookie groups are unknown; the page itself will answer 503
        if key is None:
            return self.get_response(request)
        entry = local_pages.get(key)
        if entry is not None:
            return self._from_entry(entry, request)
        response = self.get_response(request)
        token_page = getattr(response, "token_page", None)
        if token_page is not None:
            if self._storable(request, response, token_page=True):
                local_pages.set(key, self._token_page_entry(response, token_page), settings.PAGE_CACHE_SECONDS)
        elif self._storable(request, response):
            local_pages.set(key, self._entry(response), settings.PAGE_CACHE_SECONDS)
        return response

    @staticmethod
    def _storable(request, response, *, token_page=False):
        """A token page sets the CSRF cookie (filled in again for each visitor), but no other cookie."""
        cookies = set(response.cookies) - ({settings.CSRF_COOKIE_NAME} if token_page else set())
        return (
            response.status_code == 200
            and not response.streaming
            and not cookies
            and (token_page or not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
            and "private" not in response.get("Cache-Control", "")
            and "no-store" not in response.get("Cache-Control", "")
        )

    @staticmethod
    def _entry(response):
        body = response.content
        if response.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)  # GZipMiddleware compressed it for this request
        compressed = gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= MIN_COMPRESS_LENGTH else None
        return {
            "status": response.status_code,
            "headers": PageCacheMiddleware._headers(response),
            "body": body,
            "gzip": compressed if compressed is not None and len(compressed) < len(body) else None,
        }

    @staticmethod
    def _headers(response):
        """What every visitor receives (response.cookies, such as the CSRF cookie, are not headers)."""
        return [(h, v) for h, v in response.items() if h.lower() not in ("content-length", "content-encoding")]

    def _token_page_entry(self, response, token_page):
        return {"status": response.status_code, "headers": self._headers(response), "token_page": token_page}

    def _from_token_page_entry(self, entry, request):
        self.csrf.process_request(request)  # the visitor's CSRF secret from their cookie, if valid
        response = entry["token_page"].response(request, get_token(request), entry["status"])
        for header, value in entry["headers"]:
            response[header] = value
        response["Content-Length"] = str(len(response.content))
        return self.csrf.process_response(request, response)  # sets or renews the CSRF cookie

    def _from_entry(self, entry, request):
        if "token_page" in entry:
            return self._from_token_page_entry(entry, request)
        use_gzip = entry["gzip"] is not None and "gzip" in request.headers.get("Accept-Encoding", "")
        response = HttpResponse(entry["gzip"] if use_gzip else entry["body"], status=entry["status"])
        for header, value in entry["headers"]:
            response[header] = value
        if use_gzip:
            response["Content-Encoding"] = "gzip"
        response["Content-Length"] = str(len(response.content))
        patch_vary_headers(response, ("Accept-Encoding",))
        return response
