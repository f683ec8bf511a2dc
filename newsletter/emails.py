"""The newsletter's emails, written by the worker when it sends them."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

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
    headers = unsubscribe_headers(context["unsubscribe_url"]) if kind != "confirm" else {}
    message = EmailMultiAlternatives(subject=subject, body=text, headers=headers)
    message.attach_alternative(html, "text/html")
    return message


# What staff see in the admin's list of emails (socialdilemma.taskqueue.models.Email.kind_label).
subscriber_email.labels = {"confirm": _("Newsletter: confirm the subscription"), "welcome": _("Newsletter: welcome")}


def unsubscribe_url(subscriber):
    with translation.override(subscriber.language):
        path = reverse("newsletter:unsubscribe", kwargs={"token": services.link_token(subscriber.link_key)})
    return settings.SITE_URL + path


def unsubscribe_headers(url):
    """RFC 8058 one-click unsubscribe: the mail program POSTs "List-Unsubscribe=One-Click" to the URL (a
    subscriber's unsubscribe_url)."""
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def issue_email(email):
    """One newsletter issue to one subscriber (or a staff member's test copy). None when the subscriber
    has unsubscribed meanwhile: the email is dropped."""
    if email.params.get("test"):
        issue = Issue.objects.filter(pk=email.params["issue"]).first()
        if issue is None:
            return None
        with translation.override(email.language):
            subscribe = settings.SITE_URL + reverse("newsletter:subscribe")
        subject, text, html = _issue_parts(issue, email.language, unsubscribe=subscribe, test=True)
        headers = {}
    else:
        subscriber = Subscriber.objects.filter(
            pk=email.params["subscriber"], status=Subscriber.Status.CONFIRMED
        ).first()
        parts = _issue_parts_for_subscribers(email.params["issue"], email.language) if subscriber else None
        if parts is None:
            return None
        url = unsubscribe_url(subscriber)
        subject = parts[0]
        text = parts[1].replace(UNSUBSCRIBE_PLACEHOLDER, url)
        html = parts[2].replace(UNSUBSCRIBE_PLACEHOLDER, escape(url))
        headers = unsubscribe_headers(url)
    message = EmailMultiAlternatives(subject=subject, body=text, headers=headers)
    message.attach_alternative(html, "text/html")
    return message


issue_email.labels = {None: _("Newsletter issue")}


# Stands for the subscriber's unsubscribe address in an issue written once for all its subscribers.
UNSUBSCRIBE_PLACEHOLDER = "newsletter-unsubscribe-url-7d41c2"
# (issue id, language) -> (subject, text, HTML) of issues being sent or sent. They no longer change (the
# admin edits drafts only), so a worker writes each once per language, not once per subscriber (measured
# in process: writing an email took 2.6 ms with the issue's query and its two templates, 1.6 ms without).
_written_issues = {}
WRITTEN_ISSUES_KEPT = 8


def _issue_parts_for_subscribers(issue_id, language):
    parts = _written_issues.get((issue_id, language))
    if parts is not None and not Issue.objects.filter(pk=issue_id).exists():
        # Deleted while being sent (how staff stop a sending): the rest of its emails are dropped.
        _written_issues.pop((issue_id, language), None)
        return None
    if parts is None:
        issue = Issue.objects.filter(pk=issue_id).first()
        if issue is None:
            return None
        parts = _issue_parts(issue, language, unsubscribe=UNSUBSCRIBE_PLACEHOLDER, test=False)
        if issue.status != Issue.Status.DRAFT:
            if len(_written_issues) >= WRITTEN_ISSUES_KEPT:
                _written_issues.pop(next(iter(_written_issues)))  # the oldest
            _written_issues[(issue_id, language)] = parts
    return parts


def _issue_parts(issue, language, *, unsubscribe, test):
    """(subject, text, HTML) of the issue in one language."""
    with translation.override(language):
        text_body, html_body = markdown_for_email(getattr(issue, f"body_{language}"), settings.SITE_URL)
        context = {
            "subject": getattr(issue, f"subject_{language}"),
            "text_body": text_body,
            "html_body": html_body,
            "unsubscribe_url": unsubscribe,
            "language": language,
            "test": test,
        }
        return (
            context["subject"],
            render_to_string("newsletter/email/issue.txt", context),
            render_to_string("newsletter/email/issue.html", context),
        )
