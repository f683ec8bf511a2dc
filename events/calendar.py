"""The virtual tour as iCalendar (RFC 5545), with each screening in its own time zone."""

from datetime import UTC
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .models import SCREENING_DURATION, Screening


def screenings_calendar(screenings):
    calendar = Calendar()
    calendar.add("prodid", "-//Das soziale Dilemma//Virtual tour//DE")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("The Social Dilemma – virtual tour"))
    # The site's own name, not the request's: the same event keeps its UID however the feed was reached.
    host = _site_host()
    generated = timezone.now()
    for screening in screenings:
        event = Event()
        event.add("uid", f"screening-{screening.pk}@{host}")
        event.add("summary", screening.title)
        start = screening.local_start
        event.add("dtstart", start)
        event.add("dtend", start + SCREENING_DURATION)
        event.add("dtstamp", generated)
        event.add("location", _location(screening))
        event.add("description", _description(screening))
        event.add("url", settings.SITE_URL + screening.get_absolute_url())
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _site_host():
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _location(screening):
    if screening.format == Screening.Format.VIRTUAL:
        return _("Online")
    return ", ".join(part for part in (screening.city, screening.country.name if screening.country else "") if part)


def _description(screening):
    description = [_("Screening of “The Social Dilemma”.")]
    if screening.organisation:
        hosted_by = _("Hosted by %(organisation)s") % {"organisation": screening.organisation}
        # "… e.V." ends the sentence with its own full stop.
        description.append(hosted_by if hosted_by.endswith((".", "!", "?")) else hosted_by + ".")
    return " ".join(description)


def _utc(moment, pattern):
    return moment.astimezone(UTC).strftime(pattern)


def google_calendar_url(screening, *, page_url):
    """A plain link that opens Google Calendar's "new event" form filled in (nothing is loaded from Google
    until the visitor follows it). Parameters as Google's event publisher guide describes them."""
    end = screening.starts_at + SCREENING_DURATION
    query = {
        "action": "TEMPLATE",
        "text": screening.title,
        "dates": f"{_utc(screening.starts_at, '%Y%m%dT%H%M%SZ')}/{_utc(end, '%Y%m%dT%H%M%SZ')}",
        "ctz": screening.timezone,
        "details": f"{_description(screening)}\n{page_url}",
        "location": _location(screening),
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def outlook_calendar_url(screening, *, page_url):
    """The same for Outlook on the web (outlook.live.com's compose deep link)."""
    end = screening.starts_at + SCREENING_DURATION
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "startdt": _utc(screening.starts_at, "%Y-%m-%dT%H:%M:%SZ"),
        "enddt": _utc(end, "%Y-%m-%dT%H:%M:%SZ"),
        "subject": screening.title,
        "body": f"{_description(screening)}\n{page_url}",
        "location": _location(screening),
    }
    return "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(query)


def guest_calendar(screening, *, cancelled=False):
    """The screening for a guest with a place: with the online link or the venue details, which the
    public calendar never carries. Every file for one screening has the same UID and a higher SEQUENCE
    than the files before it, so that a calendar that already has the event updates it (a new time, a
    cancellation: `cancelled`, STATUS:CANCELLED) instead of adding a second one."""
    calendar = Calendar()
    calendar.add("prodid", "-//Das soziale Dilemma//Screening//DE")
    calendar.add("version", "2.0")
    event = Event()
    now = timezone.now()
    event.add("uid", f"screening-{screening.pk}-guest@{_site_host()}")
    # Seconds since the registration: each file written later has a higher number (RFC 5545, 3.8.7.4).
    event.add("sequence", max(int((now - screening.created_at).total_seconds()), 0))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    # Calendars that ignore STATUS still show the cancellation in the title.
    event.add("summary", _("Cancelled: %(title)s") % {"title": screening.title} if cancelled else screening.title)
    start = screening.local_start
    event.add("dtstart", start)
    event.add("dtend", start + SCREENING_DURATION)
    event.add("dtstamp", now)
    if screening.format == Screening.Format.VIRTUAL:
        event.add("location", screening.online_url or _("Online"))
        if screening.online_url:
            event.add("url", screening.online_url)
    else:
        venue = " ".join(screening.venue_details.split())
        event.add("location", ", ".join(part for part in (venue, _location(screening)) if part))
    event.add("description", _description(screening))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
