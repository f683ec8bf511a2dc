"""Email addresses the site sends to: ordinary ones at a domain name."""

import contextlib

import idna
from django import forms
from django.core.validators import EmailValidator
from django.utils.deconstruct import deconstructible


@deconstructible
class OrdinaryEmailValidator(EmailValidator):
    """Django's address check without what no person types into a form but an attacker might: an IP
    literal as the domain (a@[127.0.0.1]), a bare host name (a@localhost) or a quoted local part
    ("<b>x</b>"@example.org). Refused with Django's own translated message."""

    def __init__(self, **kwargs):
        super().__init__(allowlist=[], **kwargs)

    def __call__(self, value):
        super().__call__(value)
        local_part, _at, domain = str(value).rpartition("@")
        if local_part.startswith('"') or domain.startswith("["):
            raise forms.ValidationError(self.message, code=self.code, params={"value": value})


class OrdinaryEmailField(forms.EmailField):
    default_validators = [OrdinaryEmailValidator()]


def address_key(address):
    """One spelling per mailbox, to count and compare addresses: the domain in its ASCII form (IDNA 2008
    with UTS 46 mapping, as mail programs use it: "bücher.de" and "xn--bcher-kva.de" are one domain, and
    "straße.de" stays itself, not "strasse.de") and the whole address in lower case."""
    local_part, _at, domain = address.strip().rpartition("@")
    # What cannot be encoded (the form's validator refuses it anyway) is compared as it is.
    with contextlib.suppress(idna.IDNAError, UnicodeError):
        domain = idna.encode(domain, uts46=True, transitional=False).decode("ascii")
    return f"{local_part}@{domain}".lower()
