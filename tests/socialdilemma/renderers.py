"""Renderers of test emails for the outbox (loaded by the real worker processes too)."""

from django.core.mail import EmailMessage


def numbered(email):
    return EmailMessage(subject=f"Test {email.params['n']}", body=f"Message {email.params['n']}.")


def no_longer_due(email):
    return None


def broken(email):
    raise RuntimeError("a bug in a renderer")
