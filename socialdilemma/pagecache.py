"""Consent-aware caching of whole public pages, fresh after every staff edit.

A page is cached per host, language, path and query and per consent state (the visitor's choices and
the Global Privacy Control signal: never anything personal), in each process's memory (a plain
dictionary: no serialisation on the way out). Every key also carries the *content version* (see
socialdilemma.contentversion: in Redis with REDIS_URL, otherwise in a file cache that all workers of
one machine share). A staff edit replaces the content version, so the very next request to any worker
of any instance misses and renders afresh. Entries also expire after
PAGE_CACHE_SECONDS, so that time-dependent pages (past screenings leave the tour) follow the clock.

What a page varies on besides its address comes from one function named by PAGE_CACHE_VARIANT (the
consent app's: the visitor's choices and the Global Privacy Control signal); it may also say that a
request's page must not be cached (a visitor whose page views are counted). This module knows no app.

Not cached: anything but GET/HEAD of a public page, requests with cookies other than the consent cookie
(and an old CSRF cookie, which public pages no longer read): staff sessions, cookies a declined group
left behind; and responses that set a cookie, are private, or are not 200. Public forms carry no CSRF
token (socialdilemma.crossorigin), so every public page is cached whole.
"""

import gzip
import hashlib
import threading
import time
from collections import OrderedDict
from fnmatch import fnmatchcase
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError, transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from django.utils.module_loading import import_string

from . import contentversion
from .i18n import is_public_path

MAX_QUERY_LENGTH = 300
MIN_COMPRESS_LENGTH = 200
MAX_PAGES = 2_000


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
    """This process's cached pages: an LRU dictionary with expiry, bounded by entries and by bytes (what
    an attacker's distinct addresses could otherwise make it hold), safe for threaded servers."""

    def __init__(self, max_entries=MAX_PAGES):
        self.max_entries = max_entries
        self.entries = OrderedDict()  # key -> (expires, value, size)
        self.bytes = 0
        self.lock = threading.Lock()

    def get(self, key, default=None):
        with self.lock:
            item = self.entries.get(key)
            if item is None:
                return default
            expires, value, size = item
            if expires < time.monotonic():
                del self.entries[key]
                self.bytes -= size
                return default
            self.entries.move_to_end(key)
            return value

    def set(self, key, value, seconds, size=1024):
        """Keep value for `seconds`; `size` is what it holds in bytes (an estimate for small values)."""
        with self.lock:
            previous = self.entries.pop(key, None)
            if previous is not None:
                self.bytes -= previous[2]
            self.entries[key] = (time.monotonic() + seconds, value, size)
            self.bytes += size
            limit = settings.PAGE_CACHE_MAX_BYTES
            while self.entries and (len(self.entries) > self.max_entries or self.bytes > limit):
                _key, (_expires, _value, evicted) = self.entries.popitem(last=False)
                self.bytes -= evicted

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.bytes = 0


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
    """The cache key of this request's page, or None when the page must be rendered for the visitor."""
    if not settings.PAGE_CACHE_SECONDS or request.method not in ("GET", "HEAD"):
        return None
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        return None  # SecurityMiddleware redirects it to HTTPS
    query = _query_in_key(request.META.get("QUERY_STRING", ""))
    if query is None or not is_public_path(request.path):
        return None
    if not set(request.COOKIES) <= set(settings.PAGE_CACHE_COOKIES):
        return None
    version = content_version()
    if version is None:  # Redis unreachable: no page can be kept fresh, so none is cached
        return None
    state = _variant(request, version)
    if state is None:
        return None
    raw = "|".join((request.get_host(), request.path, query, state, version))
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def _query_in_key(query):
    """The part of a query string that a page reads (PAGE_CACHE_QUERY_PARAMETERS), in a fixed order;
    tracking tags (PAGE_CACHE_IGNORED_PARAMETERS: utm_…, fbclid) are left out, as no page reads them. None,
    so that the page is rendered and not cached, for any other parameter or an overlong query: distinct
    unknown parameters would otherwise fill the cache with copies of one page."""
    if not query:
        return ""
    if len(query) > MAX_QUERY_LENGTH:
        return None
    kept = []
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name in settings.PAGE_CACHE_QUERY_PARAMETERS:
            kept.append((name, value))
        elif not any(fnmatchcase(name, pattern) for pattern in settings.PAGE_CACHE_IGNORED_PARAMETERS):
            return None
    return urlencode(sorted(kept))


_variant_function = None


def _variant(request, version):
    """The name of the request's variant of a page (PAGE_CACHE_VARIANT), or None: not cached."""
    global _variant_function
    if _variant_function is None:
        _variant_function = import_string(settings.PAGE_CACHE_VARIANT)
    return _variant_function(request, version)


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            key = page_key(request)
        except DatabaseError:
            key = None  # the cookie groups are unknown; the page itself will answer 503
        except DisallowedHost:
            key = None  # a Host outside ALLOWED_HOSTS: answered 400 further in, with the site's headers
        if key is None:
            return self.get_response(request)
        entry = local_pages.get(key)
        response = None
        if entry is None:
            response = self.get_response(request)
            if not self._storable(response):
                return response
            entry = self._entry(response)
            local_pages.set(key, entry, settings.PAGE_CACHE_SECONDS, size=self._size(entry))
        headers = self._http_caching(request, key)
        if self._not_modified(request, headers):
            response = HttpResponseNotModified()
            for header, value in [*entry["headers"], *headers.items()]:
                if header not in ("Content-Type", "Content-Language"):
                    response[header] = value
        else:
            response = response or self._from_entry(entry, request)
            for header, value in headers.items():
                response[header] = value
        patch_vary_headers(response, ("Accept-Encoding",))
        return response

    @staticmethod
    def _http_caching(request, key):
        """HTTP caching for the browser and a proxy cache in front (docs/nginx/): a page for a visitor
        without cookies is public for PAGE_CACHE_SECONDS, with an ETag of its key (content version,
        address, variant); a visitor with a cookie has a variant of their own, kept private."""
        if request.COOKIES:
            return {"Cache-Control": "private, max-age=0"}
        seconds = settings.PAGE_CACHE_SECONDS
        return {
            "Cache-Control": f"public, max-age={seconds}, s-maxage={seconds}",
            "ETag": f'W/"{key.removeprefix("page:")[:32]}"',
        }

    @staticmethod
    def _not_modified(request, headers):
        """The request's If-None-Match names this page's ETag (weak comparison, as for GET)."""
        if "ETag" not in headers or "If-None-Match" not in request.headers:
            return False
        wanted = {tag.removeprefix("W/") for tag in parse_etags(request.headers["If-None-Match"])}
        return "*" in wanted or headers["ETag"].removeprefix("W/") in wanted

    @staticmethod
    def _storable(response):
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
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
    def _size(entry):
        headers = sum(len(name) + len(value) for name, value in entry["headers"])
        return len(entry["body"]) + len(entry["gzip"] or b"") + headers + 500  # 500: the dict and tuples

    @staticmethod
    def _headers(response):
        """What every visitor receives."""
        return [(h, v) for h, v in response.items() if h.lower() not in ("content-length", "content-encoding")]

    def _from_entry(self, entry, request):
        use_gzip = entry["gzip"] is not None and "gzip" in request.headers.get("Accept-Encoding", "")
        response = HttpResponse(entry["gzip"] if use_gzip else entry["body"], status=entry["status"])
        for header, value in entry["headers"]:
            response[header] = value
        if use_gzip:
            response["Content-Encoding"] = "gzip"
        response["Content-Length"] = str(len(response.content))
        return response
