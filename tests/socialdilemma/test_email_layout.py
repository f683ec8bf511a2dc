"""Every email the site sends has one look (templates/email/layout.html, issue #18) and a text part that
reads on its own: each kind of email is written by its real renderer, as the worker would write it."""

import re
import uuid
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from events import services as events_services
from events.models import Guest, Resource, Screening
from newsletter import services as newsletter_services
from newsletter.models import Issue, Subscriber
from socialdilemma.taskqueue.models import Email

pytestmark = pytest.mark.django_db

HOST_LINK, GUEST, HOST = (
    events_services.HOST_LINK_RENDERER,
    events_services.GUEST_EMAIL_RENDERER,
    events_services.HOST_EMAIL_RENDERER,
)
SUBSCRIBER, ISSUE = newsletter_services.EMAIL_RENDERER, newsletter_services.ISSUE_RENDERER

GUEST_KINDS = {
    # kind: the guest's status for which the email is still due
    "confirm": Guest.Status.UNCONFIRMED,
    "link": Guest.Status.CONFIRMED,
    "place": Guest.Status.CONFIRMED,
    "waiting": Guest.Status.WAITING,
    "moved_up": Guest.Status.CONFIRMED,
    "reminder": Guest.Status.CONFIRMED,
    "host_message": Guest.Status.CONFIRMED,
    "screening_cancelled": Guest.Status.CONFIRMED,
    "screening_restored": Guest.Status.CONFIRMED,
}


def render(renderer, language, **params):
    """The message the worker would send for an outbox email of this renderer."""
    email = Email(renderer=renderer, language=language, params=params, to="x@example.org")
    email.message_id = f"<{uuid.uuid4().hex}@testserver>"
    message = import_string(renderer)(email)
    assert message is not None, (renderer, params)
    return message


def _guest(screening, kind, language):
    return Guest.objects.create(
        screening=screening,
        email=f"{kind}-{language}@example.org",
        name="Gabi" if kind != "link" else "",
        language=language,
        status=GUEST_KINDS[kind],
        conduct_accepted_at=timezone.now(),
        link_key=f"{screening.pk}-{kind}-{language}",
        token_hash=f"{screening.pk}-{kind}-{language}",
    )


def _subscriber(language, status):
    return Subscriber.objects.create(
        email=f"{status}-{language}@example.org",
        language=language,
        status=status,
        requested_at=timezone.now(),
        consent_text="x",
        consent_version="1",
        link_key=f"{status}-{language}",
        token_hash=f"{status}-{language}",
    )


def every_email(make_screening, language):
    """(name, renderer, params) of every kind of email the site sends, in `language`: each guest email
    for an in-person and a virtual screening, with the guest statuses for which it is due."""
    Resource.objects.get_or_create(kind="discussion_guide", title="Leitfaden", url="https://example.org/leitfaden.pdf")
    unconfirmed, _token = make_screening(confirm=False, language=language, title="Kino & Gespräch", email="a@x.org")
    in_person, _token = make_screening(
        language=language, title="Filmabend im Hof", email="b@x.org", venue_details="Hinterhof\nKlingel „Kino“"
    )
    virtual, _token = make_screening(
        language=language,
        title="Online-Abend",
        email="c@x.org",
        format=Screening.Format.VIRTUAL,
        city="",
        country="",
        online_url="https://meet.example.org/raum",
    )
    yield "host-confirmation", HOST_LINK, {"screening": unconfirmed.pk}
    yield "host-link", HOST_LINK, {"screening": in_person.pk, "new_link": True}
    yield "host-report", HOST_LINK, {"screening": in_person.pk, "kind": "report"}
    yield "host-links", events_services.HOST_LINKS_RENDERER, {"screenings": [unconfirmed.pk, in_person.pk]}
    # A cancellation is told while the screening stays cancelled (see events.emails._guest_email_still_due).
    cancelled = {}
    for screening in (in_person, virtual):
        cancelled[screening.pk], _token = make_screening(
            language=language,
            title=f"{screening.title} (abgesagt)",
            email=f"cancelled-{screening.email}",
            format=screening.format,
            city=screening.city,
            country=screening.country.code or "",
            online_url=screening.online_url,
        )
        Screening.objects.filter(pk=cancelled[screening.pk].pk).update(status=Screening.Status.CANCELLED)
    for screening in (in_person, virtual):
        for kind in GUEST_KINDS:
            told = cancelled[screening.pk] if kind == "screening_cancelled" else screening
            params = {"guest": _guest(told, kind, language).pk, "kind": kind}
            if kind == "host_message":
                params["message"] = "Bitte 10 Minuten früher kommen.\nDanke!"
            yield f"guest-{kind}-{screening.format}", GUEST, params
        yield f"host-reminder-{screening.format}", HOST, {"screening": screening.pk, "kind": "reminder"}
    contact = {"name": "Vera", "reply_to": "vera@example.org", "message": "Darf ich mein Kind mitbringen?"}
    yield "host-contact", HOST, {"screening": in_person.pk, "kind": "contact", **contact}
    pending, confirmed = _subscriber(language, "pending"), _subscriber(language, "confirmed")
    yield "newsletter-confirm", SUBSCRIBER, {"subscriber": pending.pk, "kind": "confirm"}
    yield "newsletter-welcome", SUBSCRIBER, {"subscriber": confirmed.pk, "kind": "welcome"}
    issue = Issue.objects.create(
        subject_de="Neues vom Film",
        subject_en="News about the film",
        body_de="Hallo!\n\n[Jetzt registrieren](site:register) und [mehr lesen](https://example.org/mehr).",
        body_en="Hello!\n\n[Register now](site:register) and [read more](https://example.org/more).",
    )
    yield "newsletter-issue", ISSUE, {"issue": issue.pk, "subscriber": confirmed.pk}
    yield "newsletter-issue-test", ISSUE, {"issue": issue.pk, "test": True}


def rendered(make_screening, language):
    """(name, message) of every kind of email, as the worker would write it."""
    return [
        (name, render(renderer, language, **params)) for name, renderer, params in every_email(make_screening, language)
    ]


SITE_NAME = {"de": "Das soziale Dilemma", "en": "The Social Dilemma"}
# Anything a mail program would fetch from elsewhere: images, style sheets, fonts, frames, scripts.
EXTERNAL = re.compile(r"<(img|link|script|iframe|object|embed|video|audio|source|picture)\b|\bsrc=|url\(|@import", re.I)
TAG = re.compile(r"</?[a-z][a-z0-9]*(\s[^<>]*)?/?>", re.I)
ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", re.I)


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_email_uses_the_layout_and_has_a_plain_text_part(make_screening, language):
    emails = rendered(make_screening, language)
    assert len(emails) == 29
    for name, message in emails:
        (html, mime), *others = message.alternatives
        assert mime == "text/html" and not others, name
        # The layout, in the email's language.
        assert html.startswith("<!doctype html>\n") and f'<html lang="{language}">' in html, name
        assert 'class="email-header email-pad" bgcolor="#0d0e12"' in html, name
        assert f">{SITE_NAME[language]}</td>" in html, name
        assert html.count('role="presentation"') >= 3 and "max-width:600px" in html, name
        assert re.search(r"<title>[^<]+</title>", html), name
        assert html.count("<body") == 1 and html.count("</html>") == 1, name
        # Nothing a mail program would fetch from elsewhere (tracking, fonts, images).
        assert not EXTERNAL.search(html), (name, EXTERNAL.search(html))
        # Every button in the accent colour, from the one include.
        for button in re.findall(r'<a class="email-button"[^>]*>', html):
            assert "background:#c4161c;color:#ffffff" in button and "border-radius:6px" in button, name
        # The text part: no markup, no escaped characters, and every address the HTML links to.
        text = message.body
        assert not TAG.search(text), (name, TAG.search(text))
        assert not ENTITY.search(text), (name, ENTITY.search(text))
        assert "\n\n\n" not in text and not text.startswith(("\n", " ")), name
        for href in re.findall(r'href="([^"]+)"', html):
            assert unescape(href) in text, (name, href)


def test_the_layout_escapes_what_hosts_and_guests_write(make_screening):
    for name, message in rendered(make_screening, "de"):
        html = message.alternatives[0][0]
        if name in ("host-confirmation", "host-links"):
            assert "Kino &amp; Gespräch" in html and "Kino & Gespräch" in message.body, name
        if name == "guest-place-in_person":
            assert "Hinterhof<br>Klingel „Kino“" in html and "Hinterhof\nKlingel „Kino“" in message.body


def test_the_samples_cover_every_renderer_and_every_html_template(make_screening):
    """Every renderer of the outbox is among the samples above, and every HTML email template (not a
    partial) extends the layout: a new kind of email cannot bypass it unnoticed."""
    renderers = {
        value
        for module in (events_services, newsletter_services)
        for name, value in vars(module).items()
        if name.endswith("RENDERER")
    }
    assert renderers == {renderer for _name, renderer, _params in every_email(make_screening, "de")}
    templates = [
        path for path in Path(settings.BASE_DIR).glob("*/templates/*/email/*.html") if not path.name.startswith("_")
    ]
    assert len(templates) == 6
    for path in templates:
        assert path.read_text().startswith('{% extends "email/layout.html" %}'), path
