"""The admin's sign-in, limited: after repeated failures an account (and a client) is locked out for a
while. Counted in the cache under keyed hashes of the user name and the client's address, which are
never stored as such."""

import hmac

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.cache import caches
from django.utils.translation import gettext_lazy as _

from .cache_backends import REDIS_UNAVAILABLE
from .proxy import client_ip


def _key(kind, value):
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), "sha256").hexdigest()
    return f"admin-login:{kind}:{digest}"


class LockoutAdminAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "locked_out": _("Too many failed sign-in attempts. Please wait %(minutes)d minutes and try again."),
        "unavailable": _("Signing in is not possible at the moment. Please try again in a few minutes."),
    }

    def clean(self):
        try:
            return self._clean_counting_failures()
        except REDIS_UNAVAILABLE:
            # Failures that cannot be counted would make guessing unlimited: no sign-in meanwhile.
            raise forms.ValidationError(self.error_messages["unavailable"], code="unavailable") from None

    def _clean_counting_failures(self):
        cache = caches["lockout"]
        keys = [_key("user", (self.data.get("username") or "").strip().lower()), _key("client", self._client())]
        if any((cache.get(key) or 0) >= settings.ADMIN_LOGIN_MAX_FAILURES for key in keys):
            raise forms.ValidationError(
                self.error_messages["locked_out"],
                code="locked_out",
                params={"minutes": settings.ADMIN_LOGIN_LOCKOUT_SECONDS // 60},
            )
        try:
            return super().clean()
        except forms.ValidationError:
            for key in keys:
                if not cache.add(key, 1, settings.ADMIN_LOGIN_LOCKOUT_SECONDS):
                    try:
                        cache.incr(key)
                    except ValueError:
                        cache.set(key, 1, settings.ADMIN_LOGIN_LOCKOUT_SECONDS)
            raise

    def _client(self):
        if self.request is None:
            return ""
        if settings.RATELIMIT_TRUST_FORWARDED_FOR:
            return client_ip(self.request)
        return self.request.META.get("REMOTE_ADDR", "")
