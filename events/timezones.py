"""The time zones a host can choose: one per place people live, named in the reader's language.

Python knows about 600 zone names, among them obsolete aliases (Africa/Asmera), administrative zones
(US/Eastern) and Etc/GMT+1, which means UTC−1. Hosts choose from the zones that the time zone
database's own zone.tab assigns to a country (about 420), plus UTC, each labelled "country – city"
in the page's language from the Unicode CLDR (Babel): "Österreich – Wien", "Austria – Vienna".
"""

import unicodedata
from functools import cache
from importlib.resources import files
from zoneinfo import available_timezones

from babel.dates import get_timezone_location
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext
from django_countries import countries

UTC = "UTC"


@cache
def _zones_by_country():
    """{zone name: country code} from the zone.tab of the pinned tzdata package (the same on every machine)."""
    table = files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    known = available_timezones()
    zones = {}
    for line in table.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        country, _coordinates, zone, *_comment = line.split("\t")
        if zone in known:
            zones.setdefault(zone, country)
    return zones


def zone_country(zone):
    """The country code of a listed zone ("Europe/Vienna" -> "AT"), or "" (UTC, unlisted names)."""
    return _zones_by_country().get(zone, "")


def zones_of_country(country_code):
    """The country's zones in zone.tab's order, whose first is the zone of most of the country."""
    return [zone for zone, country in _zones_by_country().items() if country == country_code]


def is_main_zone(zone):
    """Whether the zone is its country's main one ("America/New_York": "Eastern (most areas)")."""
    return zone in _main_zones()


@cache
def _main_zones():
    first = {}
    for zone, country in _zones_by_country().items():
        first.setdefault(country, zone)
    return frozenset(first.values())


def validate_known_zone(value):
    """A zone name Python can compute with (the admin may keep an old, unlisted one, never a typo: every
    page that shows the screening's time would fail)."""
    if value not in _known_zones():
        raise ValidationError(
            gettext("“%(zone)s” is not a time zone name; use one such as Europe/Berlin."), params={"zone": value}
        )


@cache
def _known_zones():
    return frozenset(available_timezones())


def is_listed(zone):
    return zone == UTC or zone in _zones_by_country()


def _city(zone, language):
    return get_timezone_location(zone, locale=translation.to_locale(language), return_city=True)


def zone_label(zone, language=None):
    """ "Österreich – Wien" in German, "Austria – Vienna" in English; the raw name for an unlisted zone."""
    language = language or translation.get_language() or "de"
    return _zone_label(zone, language)


@cache
def _zone_label(zone, language):
    with translation.override(language):
        if zone == UTC:
            return gettext("Coordinated Universal Time (UTC)")
        country = zone_country(zone)
        if not country:
            return zone.replace("_", " ")
        return f"{countries.name(country)} – {_city(zone, language)}"


def _sort_key(label):
    # "Österreich" between "Oman" and "Pakistan", as a German reader looks for it.
    plain = unicodedata.normalize("NFKD", label)
    return "".join(char for char in plain if not unicodedata.combining(char)).casefold()


@cache
def zone_choices(language):
    """[(zone, label)] for a <select>, sorted by label in that language, UTC last."""
    listed = sorted(_zones_by_country(), key=lambda zone: _sort_key(zone_label(zone, language)))
    return tuple((zone, zone_label(zone, language)) for zone in [*listed, UTC])


def zone_choices_for(language, *, country="", current=""):
    """The choices with the zones of the given country first; a stored zone that is no longer
    listed (a screening registered before the list was curated) stays choosable."""
    choices = list(zone_choices(language))
    if country:
        # The country's main zone, then its others by name, then every other zone.
        first = sorted(
            (choice for choice in choices if zone_country(choice[0]) == country),
            key=lambda choice: not is_main_zone(choice[0]),
        )
        choices = first + [choice for choice in choices if zone_country(choice[0]) != country]
    if current and not is_listed(current):
        choices.insert(0, (current, zone_label(current, language)))
    return choices
