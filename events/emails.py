"""The screenings' emails, written by the worker when it sends them (see socialdilemma.taskqueue)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import translation

from . import services
from .models import Screening


def host_link(email):
    """The email with the host's private link; None when the screening can no longer have a link
    (cancelled, anonymised or long over), so the email is dropped rather than sent.

    Links are built from SITE_URL, never from a request's Host header.
    """
    screening = services.screenings_with_working_link(Screening.objects.filter(pk=email.params["screening"])).first()
    if screening is None:
        return None
    token = services.host_link_token(email.message_id)
    if email.params.get("new_link"):
        # Stored before the email leaves, so the link works in whichever copy arrives.
        Screening.objects.filter(pk=screening.pk).update(new_token_hash=Screening.hash_token(token))
    with translation.override(screening.language):
        link = settings.SITE_URL + reverse("events:manage", kwargs={"token": token})
    kind = "confirmation" if screening.email_confirmed_at is None else "link"
    subject, text, html = services.link_email(screening, link=link, kind=kind)
    message = EmailMultiAlternatives(subject=subject, body=text)
    message.attach_alternative(html, "text/html")
    return message
