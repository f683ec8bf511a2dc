"""The virtual tour as iCalendar (RFC 5545), with each screening in its own time zone."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .models import SCREENING_DURATION, Screening


def screenings_calendar(screenings, *, request):
    calendar = Calendar()
    calendar.add("prodid", "-//Das soziale Dilemma//Virtual tour//DE")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("The Social Dilemma – virtual tour"))
    host = request.get_host().split(":")[0]
    generated = timezone.now()
    tour_url = request.build_absolute_uri(reverse("events:tour"))
    for screening in screenings:
        event = Event()
        event.add("uid", f"screening-{screening.pk}@{host}")
        event.add("summary", screening.title)
        start = screening.local_start
        event.add("dtstart", start)
        event.add("dtend", start + SCREENING_DURATION)
        event.add("dtstamp", generated)
        event.add("location", _location(screening))
        description = [_("Screening of “The Social Dilemma”.")]
        if screening.organisation:
            description.append(_("Hosted by %(organisation)s.") % {"organisation": screening.organisation})
        event.add("description", " ".join(description))
        event.add("url", tour_url)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _location(screening):
    if screening.format == Screening.Format.VIRTUAL:
        return _("Online")
    return ", ".join(part for part in (screening.city, screening.country.name if screening.country else "") if part)
