"""Limits on public forms, per client and per recipient, kept in the shared cache "limits" (apart from what
the site caches, see settings.CACHES) under keyed hashes: the cache never holds an address (IP or email),
nor anything that could be turned back into one without the site's secret."""

import hmac
import re

from django.conf import settings
from django.core.cache import caches
from django_ratelimit.core import get_usage

from .emailaddress import address_key
from .proxy import client_id


def _keyed_hash(value):
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), "sha256").hexdigest()


def client_key(group, request):
    """django-ratelimit's name for a client: a keyed hash of its address (see client_id)."""
    return _keyed_hash(client_id(request))


def client_limited(request, group, *, rate, when_uncounted, method="POST"):
    """Count this request (a POST, unless `method` says otherwise) of the client against `rate` ("10/h");
    True when it is over the limit. When the count cannot be kept (Redis unreachable) the answer is
    when_uncounted."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return False  # limits switched off (get_usage then knows no count either)
    usage = get_usage(request, group=group, key=client_key, rate=rate, method=method, increment=True)
    return when_uncounted if usage is None else usage["should_limit"]


def recipient_limited(request, purpose, recipient, *, rate, when_uncounted):
    """Count this POST against `rate` for one recipient (a host, say), whoever sends it; True when over."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return False

    def recipient_key(_group, _request):
        return _keyed_hash(f"{purpose}:{recipient}")

    usage = get_usage(
        request, group=f"recipient:{purpose}", key=recipient_key, rate=rate, method="POST", increment=True
    )
    return when_uncounted if usage is None else usage["should_limit"]


def recipient_first_in(purpose, address, *, seconds, cache="limits"):
    """True for the first call per recipient address and purpose in `seconds` (an atomic cache add), so
    that a form cannot be used to flood a stranger's inbox. An email address counts once however it is
    spelled (case, Unicode forms of its domain: see address_key). `cache`: the alias of the cache that
    keeps the record; a record that anyone may add without limit belongs in "default", not among the limits."""
    return bool(caches[cache].add(_first_in_key(purpose, address), 1, seconds))


def recipient_first_in_forget(purpose, address):
    """Forget recipient_first_in's record for this address and purpose: its next call is first again."""
    caches["limits"].delete(_first_in_key(purpose, address))


def _first_in_key(purpose, address):
    recipient = address_key(address) if "@" in address else address.strip().casefold()
    return "recipient:" + _keyed_hash(f"{purpose}:{recipient}")


_RATE_UNITS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}


def rate_window_seconds(rate):
    """The window of a django-ratelimit rate ("10/h", "5/10m", "10/hour") in seconds: how long its counter
    lives. Read as the library reads it: a number, "/", an optional multiplier and a unit whose first
    letter counts, in lower case (none: seconds)."""
    match = re.match(r"(\d+)/(\d*)([smhd])?", rate.strip())
    if match is None:
        raise ValueError(f"not a rate: {rate!r}")
    _count, multiplier, unit = match.groups()
    return int(multiplier or 1) * _RATE_UNITS[unit or "s"]
