"""The screenings' emails, written by the worker when it sends them (see socialdilemma.taskqueue)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from . import calendar, services
from .models import Guest, Screening


def host_link(email):
    """The email with the host's private link; None when the screening can no longer have a link
    (cancelled, anonymised or long over), so the email is dropped rather than sent.

    Links are built from SITE_URL, never from a request's Host header.
    """
    screening = services.screenings_with_working_link(Screening.objects.filter(pk=email.params["screening"])).first()
    if screening is None:
        return None
    if email.params.get("new_link"):
        token = services.screening_pending_link_token(screening)
    else:
        token = services.host_link_token(email.message_id)
    with translation.override(screening.language):
        if email.params.get("kind") == "report":
            link = settings.SITE_URL + reverse("events:report", kwargs={"token": services.report_token(screening)})
        else:
            link = settings.SITE_URL + reverse("events:manage", kwargs={"token": token})
    kind = email.params.get("kind") or ("confirmation" if screening.email_confirmed_at is None else "link")
    subject, text, html = services.link_email(screening, link=link, kind=kind)
    message = EmailMultiAlternatives(subject=subject, body=text)
    message.attach_alternative(html, "text/html")
    return message


# What staff see in the admin's list of emails (socialdilemma.taskqueue.models.Email.kind_label).
host_link.labels = {None: _("Host: link to the host page"), "report": _("Host: asking for the report")}


def host_links(email):
    """ "Send me my link again": one email with a new link for each screening it names that can still
    have one (see services.screenings_send_links_to); None when none can, so the email is dropped.

    Each link is the screening's pending new link (services.screening_pending_link_token): every attempt to send
    the email, and every later request while the host's link stays the same, writes the same links.
    """
    screenings = list(
        services.screenings_with_working_link(Screening.objects.filter(pk__in=email.params["screenings"])).order_by(
            "starts_at", "pk"
        )
    )
    if not screenings:
        return None
    entries = []
    with translation.override(email.language):
        for screening in screenings:
            token = services.screening_pending_link_token(screening)
            with timezone.override(screening.timezone):
                when = date_format(timezone.localtime(screening.starts_at), "DATETIME_FORMAT")
            entries.append(
                {
                    "title": screening.title,
                    "when": when,
                    "zone": screening.zone_label,
                    "confirmed": screening.email_confirmed_at is not None,
                    "link": settings.SITE_URL + reverse("events:manage", kwargs={"token": token}),
                }
            )
        context = {
            "language": email.language,
            "entries": entries,
            "any_unconfirmed": any(not entry["confirmed"] for entry in entries),
            "unconfirmed_days": settings.SCREENING_UNCONFIRMED_DAYS,
        }
        subject = " ".join(render_to_string("events/email/links_subject.txt", context).split())
        text = render_to_string("events/email/links.txt", context)
        html = render_to_string("events/email/links.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text)
    message.attach_alternative(html, "text/html")
    return message


host_links.labels = {None: _("Host: links sent again")}


# Emails to guests, by kind: what happened and whether it carries the screening's private details.
GUEST_EMAILS_WITH_DETAILS = {"place", "moved_up", "screening_restored", "screening_changed", "reminder"}


def guest_email(email):
    """An email to a guest (see services.guest_sign_up and what follows). None when it is no longer due:
    the guest's data was removed, or the guest's status has moved on (a "place" email for a guest who
    cancelled meanwhile)."""
    guest = Guest.objects.select_related("screening").filter(pk=email.params["guest"]).exclude(email="").first()
    kind = email.params["kind"]
    if guest is None or not _guest_email_still_due(guest, kind):
        return None
    screening = guest.screening
    token = services.guest_link_token(guest.link_key)
    with translation.override(guest.language), timezone.override(screening.timezone):
        context = {
            "kind": kind,
            "guest": guest,
            "screening": screening,
            "link": settings.SITE_URL + reverse("events:guest", kwargs={"token": token}),
            "page": _public_page_url(screening),
            # The link or the venue only ever to a guest with a place (a restored screening tells the
            # waiting guests too, without them).
            "details": kind in GUEST_EMAILS_WITH_DETAILS and guest.status == Guest.Status.CONFIRMED,
            "confirm_hours": settings.GUEST_CONFIRM_HOURS,
            "zone": screening.zone_label,
            "message": email.params.get("message", ""),
        }
        subject = " ".join(render_to_string("events/email/guest_subject.txt", context).split())
        text = render_to_string("events/email/guest.txt", context)
        html = render_to_string("events/email/guest.html", context)
        message = EmailMultiAlternatives(subject=subject, body=text)
        message.attach_alternative(html, "text/html")
        if context["details"]:
            message.attach("screening.ics", calendar.guest_calendar(screening), "text/calendar")
        elif kind == "screening_cancelled" and guest.status == Guest.Status.CONFIRMED:
            # A guest with a place has the event in a calendar: this file marks it cancelled there.
            message.attach("screening.ics", calendar.guest_calendar(screening, cancelled=True), "text/calendar")
    return message


guest_email.labels = {
    "confirm": _("Guest: confirm the sign-up"),
    "link": _("Guest: link sent again"),
    "place": _("Guest: has a place"),
    "waiting": _("Guest: on the waiting list"),
    "moved_up": _("Guest: moved up from the waiting list"),
    "screening_changed": _("Guest: time or place changed"),
    "screening_cancelled": _("Guest: screening cancelled"),
    "screening_restored": _("Guest: cancellation undone"),
    "host_message": _("Guest: message from the host"),
    "reminder": _("Guest: reminder"),
}


def _guest_email_still_due(guest, kind):
    if kind == "confirm":
        return guest.status == Guest.Status.UNCONFIRMED
    if kind in ("place", "moved_up"):
        return guest.status == Guest.Status.CONFIRMED and not guest.screening.is_cancelled
    if kind == "waiting":
        return guest.status == Guest.Status.WAITING
    if kind in ("reminder", "host_message"):
        screening = guest.screening
        return guest.status == Guest.Status.CONFIRMED and not screening.is_cancelled and not screening.is_past
    if kind in ("screening_restored", "screening_changed"):
        screening = guest.screening
        due = guest.status in (Guest.Status.CONFIRMED, Guest.Status.WAITING) and not screening.is_cancelled
        # A change is news only before the screening begins.
        return due and (kind == "screening_restored" or screening.starts_at > timezone.now())
    if kind == "screening_cancelled":
        # Undone before it went out (or retried after): the guest hears of the undoing, never the reverse.
        return guest.status != Guest.Status.CANCELLED and guest.screening.is_cancelled
    return guest.status != Guest.Status.CANCELLED  # "link"


def _public_page_url(screening):
    """The screening's public page, if it has one (on the tour, or its friendly page once gone); ""
    for a screening that was never on the tour, whose address would answer 404."""
    shown, _state = services.screening_public(pk=screening.pk)
    return settings.SITE_URL + screening.get_absolute_url() if shown is not None else ""


def host_email(email):
    """A visitor's message to the host, or the reminder before the screening. None when the screening
    can no longer be reached (anonymised) or the reminder is moot (cancelled, over)."""
    screening = Screening.objects.filter(pk=email.params["screening"], anonymised_at__isnull=True).first()
    kind = email.params["kind"]
    if screening is None or (kind == "reminder" and (screening.is_cancelled or screening.is_past)):
        return None
    with translation.override(screening.language), timezone.override(screening.timezone):
        context = {
            "kind": kind,
            "screening": screening,
            "zone": screening.zone_label,
            "name": email.params.get("name", ""),
            "message": email.params.get("message", ""),
            "page": _public_page_url(screening),
            "resources": services.resources_for_hosts() if kind == "reminder" else [],
            "guests": services.screening_guest_lists(screening) if kind == "reminder" else None,
            "send_link": settings.SITE_URL + reverse("events:send-link"),
        }
        subject = " ".join(render_to_string("events/email/host_subject.txt", context).split())
        text = render_to_string("events/email/host.txt", context)
        html = render_to_string("events/email/host.html", context)
        # The visitor's address, validated by the form (no line breaks), so the host can answer directly.
        reply_to = [email.params["reply_to"]] if kind == "contact" else None
        message = EmailMultiAlternatives(subject=subject, body=text, reply_to=reply_to)
        message.attach_alternative(html, "text/html")
        if kind == "reminder":
            message.attach("screening.ics", calendar.guest_calendar(screening), "text/calendar")
    return message


host_email.labels = {"contact": _("Host: message from a visitor"), "reminder": _("Host: reminder")}
