"""The admin's sign-in, limited without letting outsiders lock staff out (django-axes' model: the account
and the client together), counted atomically in the cache under keyed hashes of the account name and
the client's address, which are never stored as such.

- An account name and a client together: after ADMIN_LOGIN_MAX_FAILURES tries, that client cannot try
  that account for ADMIN_LOGIN_LOCKOUT_SECONDS. Staff signing in from elsewhere are not affected.
- A client: after 4 × ADMIN_LOGIN_MAX_FAILURES tries on any accounts, it is locked out as well (one
  address guessing many names).
- An account, whatever the client: after 2 × ADMIN_LOGIN_MAX_FAILURES failures (an attacker rotating
  addresses), it may be tried once every ADMIN_LOGIN_ACCOUNT_SECONDS at most. That slows the attacker
  down to a few guesses a minute without locking the real person out: they wait a little and sign in.

Account names count as Django compares them at sign-in (NFKC, so full-width look-alikes are the same
name) and case-folded. Every try is counted *before* the password is checked (an atomic increment), so
simultaneous attempts cannot pass the check together; a successful sign-in takes its try back.
"""

import hmac
import unicodedata
from contextlib import suppress

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.cache import caches
from django.utils.translation import gettext_lazy as _

from .cache_backends import REDIS_UNAVAILABLE
from .proxy import client_id


def _key(kind, value):
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), "sha256").hexdigest()
    return f"admin-login:{kind}:{digest}"


def account_name(username):
    """The account a sign-in names, as Django compares it (NFKC) and without regard to case or spaces."""
    return unicodedata.normalize("NFKC", username or "").strip().casefold()


def _count(cache, key, seconds):
    """Add one to a counter that lives `seconds` from its first count; returns the new count (atomic)."""
    cache.add(key, 0, seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, seconds)
        return 1


class LockoutAdminAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "locked_out": _("Too many failed sign-in attempts. Please wait %(minutes)d minutes and try again."),
        "slowed_down": _(
            "This account has had many failed sign-in attempts. Please wait %(seconds)d seconds and try again."
        ),
        "unavailable": _("Signing in is not possible at the moment. Please try again in a few minutes."),
    }

    def clean(self):
        try:
            return self._clean_counting_tries()
        except REDIS_UNAVAILABLE:
            # Tries that cannot be counted would make guessing unlimited: no sign-in meanwhile.
            raise forms.ValidationError(self.error_messages["unavailable"], code="unavailable") from None

    def _clean_counting_tries(self):
        cache = caches["lockout"]
        limit, seconds = settings.ADMIN_LOGIN_MAX_FAILURES, settings.ADMIN_LOGIN_LOCKOUT_SECONDS
        account, client = account_name(self.data.get("username")), self._client()
        pair_key, client_key = _key("pair", f"{account}\x00{client}"), _key("client", client)
        account_key = _key("account", account)
        pair_tries, client_tries = _count(cache, pair_key, seconds), _count(cache, client_key, seconds)
        if pair_tries > limit or client_tries > 4 * limit:
            raise forms.ValidationError(
                self.error_messages["locked_out"], code="locked_out", params={"minutes": seconds // 60}
            )
        if (cache.get(account_key) or 0) >= 2 * limit and not cache.add(
            _key("account-slot", account), 1, settings.ADMIN_LOGIN_ACCOUNT_SECONDS
        ):
            raise forms.ValidationError(
                self.error_messages["slowed_down"],
                code="slowed_down",
                params={"seconds": settings.ADMIN_LOGIN_ACCOUNT_SECONDS},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            _count(cache, account_key, seconds)
            raise
        # Signed in: this try was not a guess.
        cache.delete(pair_key)
        with suppress(ValueError):  # expired meanwhile
            cache.decr(client_key)
        return cleaned

    def _client(self):
        if self.request is None:
            return ""
        return client_id(self.request)
