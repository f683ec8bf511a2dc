"""The newsletter's emails, written by the worker when it sends them."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from faq.markdown import markdown_for_email

from . import services
from .models import Issue, Subscriber


def subscriber_email(email):
    """The confirmation request or the welcome; None when the subscription is gone or has moved on."""
    kind = email.params["kind"]
    wanted = Subscriber.Status.PENDING if kind == "confirm" else Subscriber.Status.CONFIRMED
    subscriber = Subscriber.objects.filter(pk=email.params["subscriber"], status=wanted).first()
    if subscriber is None:
        return None
    token = services.link_token(subscriber.link_key)
    with translation.override(subscriber.language):
        context = {
            "kind": kind,
            "confirm_url": settings.SITE_URL + reverse("newsletter:confirm", kwargs={"token": token}),
            "unsubscribe_url": unsubscribe_url(subscriber),
            "confirm_days": settings.NEWSLETTER_CONFIRM_DAYS,
            "language": subscriber.language,
        }
        subject = " ".join(render_to_string("newsletter/email/subject.txt", context).split())
        text = render_to_string("newsletter/email/message.txt", context)
        html = render_to_string("newsletter/email/message.html", context)
    headers = unsubscribe_headers(subscriber) if kind != "confirm" else {}
    message = EmailMultiAlternatives(subject=subject, body=text, headers=headers)
    message.attach_alternative(html, "text/html")
    return message


def unsubscribe_url(subscriber):
    with translation.override(subscriber.language):
        path = reverse("newsletter:unsubscribe", kwargs={"token": services.link_token(subscriber.link_key)})
    return settings.SITE_URL + path


def unsubscribe_headers(subscriber):
    """RFC 8058 one-click unsubscribe: the mail program POSTs "List-Unsubscribe=One-Click" to the URL."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(subscriber)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def issue_email(email):
    """One newsletter issue to one subscriber (or a staff member's test copy). None when the subscriber
    has unsubscribed meanwhile: the email is dropped."""
    issue = Issue.objects.filter(pk=email.params["issue"]).first()
    if issue is None:
        return None
    subscriber = None
    if not email.params.get("test"):
        subscriber = Subscriber.objects.filter(
            pk=email.params["subscriber"], status=Subscriber.Status.CONFIRMED
        ).first()
        if subscriber is None:
            return None
    with translation.override(email.language):
        text_body, html_body = markdown_for_email(getattr(issue, f"body_{email.language}"), settings.SITE_URL)
        unsubscribe = unsubscribe_url(subscriber) if subscriber else settings.SITE_URL + reverse("newsletter:subscribe")
        context = {
            "subject": getattr(issue, f"subject_{email.language}"),
            "text_body": text_body,
            "html_body": html_body,
            "unsubscribe_url": unsubscribe,
            "language": email.language,
            "test": subscriber is None,
        }
        text = render_to_string("newsletter/email/issue.txt", context)
        html = render_to_string("newsletter/email/issue.html", context)
    headers = unsubscribe_headers(subscriber) if subscriber else {}
    message = EmailMultiAlternatives(subject=context["subject"], body=text, headers=headers)
    message.attach_alternative(html, "text/html")
    return message
