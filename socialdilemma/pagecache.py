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
    """The cache key of this request's page, or None when the page must be rendered for the visitor."""
    if not settings.PAGE_CACHE_SECONDS or request.method not in ("GET", "HEAD"):
        return None
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        return None  # SecurityMiddleware redirects it to HTTPS
    query = request.META.get("QUERY_STRING", "")
    if not is_public_path(request.path) or len(query) > MAX_QUERY_LENGTH:
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
            local_pages.set(key, entry, settings.PAGE_CACHE_SECONDS)
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
