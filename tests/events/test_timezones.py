"""The time zone a host chooses: a curated list in the reader's language, the country's zones first."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from events import timezones
from events.models import Screening

pytestmark = pytest.mark.django_db


def zone_options(html):
    select = re.search(r'<select[^>]* name="timezone".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


@pytest.mark.parametrize(
    ("language", "vienna", "new_york"),
    [
        ("de", "Österreich – Wien", "Vereinigte Staaten von Amerika – New York"),
        ("en", "Austria – Vienna", "United States of America – New York"),
    ],
)
def test_the_list_has_one_zone_per_place_named_in_the_pages_language(client, language, vienna, new_york):
    options = dict(zone_options(client.get(f"/{language}/screenings/register/").content.decode()))
    assert options["Europe/Vienna"] == vienna and options["America/New_York"] == new_york
    # No aliases, no administrative or Etc/ zones (Etc/GMT+1 means UTC−1), but UTC itself.
    for name in ("Africa/Asmera", "Europe/Kiev", "US/Eastern", "Etc/GMT+1", "GMT", "Asia/Calcutta"):
        assert name not in options
    assert not [name for name in options if name.startswith("Etc/")]
    assert "UTC" in options and 400 < len(options) < 450
    labels = list(options.values())
    assert len(set(labels)) == len(labels)  # no two alike


def test_the_list_is_sorted_as_a_reader_looks_for_a_country():
    labels = [label for _zone, label in timezones.zone_choices("de")]
    # "Österreich" between "Oman" and "Osttimor", not after "Zypern".
    austria = labels.index("Österreich – Wien")
    assert labels[austria - 1].startswith("Oman") and labels[austria + 1].startswith("Osttimor")
    assert labels[-1] == "Koordinierte Weltzeit (UTC)"


@pytest.mark.parametrize("zone", ["Africa/Asmera", "Etc/GMT+1", "US/Eastern", "Mars/Olympus", ""])
def test_unlisted_zones_are_refused_with_a_clear_message(client, form_data, zone):
    response = client.post("/de/screenings/register/", form_data(timezone=zone))
    assert response.status_code == 400 and not Screening.objects.exists()
    html = response.content.decode()
    assert '<a href="#id_timezone">Zeitzone:' in html


def test_an_in_person_screening_takes_a_zone_of_its_country_listed_first(client, form_data):
    data = form_data(
        format="in_person", online_url="", city="Wien", country="AT", accept_distancing="on", timezone="Europe/Berlin"
    )
    response = client.post("/de/screenings/register/", data)
    assert response.status_code == 400 and not Screening.objects.exists()
    html = response.content.decode()
    assert "Diese Zeitzone gehört nicht zum gewählten Land (Österreich)" in html
    assert zone_options(html)[0] == ("Europe/Vienna", "Österreich – Wien")
    data["timezone"] = "Europe/Vienna"
    assert client.post("/de/screenings/register/", data).status_code == 200
    assert Screening.objects.get().timezone == "Europe/Vienna"


def test_a_country_with_many_zones_lists_its_main_zone_first(client, form_data):
    data = form_data(format="in_person", online_url="", city="Denver", country="US", timezone="Asia/Tokyo")
    options = zone_options(client.post("/en/screenings/register/", data).content.decode())
    us = [zone for zone, _label in options[:29]]
    assert us[0] == "America/New_York" and {"America/Denver", "Pacific/Honolulu"} <= set(us)
    assert all(timezones.zone_country(zone) == "US" for zone in us)


def test_utc_suits_every_country(client, form_data):
    data = form_data(format="in_person", online_url="", city="Reykjavík", country="IS", accept_distancing="on")
    assert client.post("/de/screenings/register/", {**data, "timezone": "UTC"}).status_code == 200


def test_a_screening_registered_with_an_old_zone_name_keeps_it_on_the_host_page(client, make_screening):
    screening, token = make_screening(format="virtual", city="", country="", timezone="Europe/Berlin")
    Screening.objects.filter(pk=screening.pk).update(timezone="Europe/Kiev")  # stored before the list was curated
    html = client.get(f"/de/screenings/manage/{token}/").content.decode()
    assert zone_options(html)[0] == ("Europe/Kiev", "Europe/Kiev")
    assert re.search(r'<option value="Europe/Kiev"[^>]* selected>', html)
    form = {
        "host_name": "Host",
        "organisation": "Org",
        "title": "Neuer Titel",
        "format": "virtual",
        "starts_at": screening.local_start.strftime("%Y-%m-%dT%H:%M"),
        "timezone": "Europe/Kiev",
        "expected_attendees": "10",
        "language": "de",
    }
    assert client.post(f"/de/screenings/manage/{token}/", form).status_code == 302
    screening.refresh_from_db()
    assert screening.title == "Neuer Titel" and screening.timezone == "Europe/Kiev"
    # Another screening cannot choose that name.
    assert (
        client.post("/de/screenings/register/", {**form, "email": "b@example.org", "accept_terms": "on"}).status_code
        == 400
    )


def test_german_times_read_uhr_and_name_the_zone(client, make_screening):
    start = datetime(2030, 3, 1, 19, 30, tzinfo=ZoneInfo("Europe/Vienna"))
    make_screening(approve=True, starts_at=start, timezone="Europe/Vienna", city="Wien", country="AT")
    german = " ".join(client.get("/de/tour/").content.decode().split())
    assert "1. März 2030, 19:30 Uhr</time> (Österreich – Wien)" in german
    english = " ".join(client.get("/en/tour/").content.decode().split())
    assert "1 March 2030, 19:30</time> (Austria – Vienna)" in english


def test_an_in_person_screening_with_an_old_zone_name_can_still_be_changed(client, make_screening):
    screening, token = make_screening(city="Kyjiw", country="UA", timezone="Europe/Kyiv")
    Screening.objects.filter(pk=screening.pk).update(timezone="Europe/Kiev")  # stored before the curated list
    form = {
        "host_name": "Host",
        "title": "Neuer Titel",
        "format": "in_person",
        "starts_at": screening.local_start.strftime("%Y-%m-%dT%H:%M"),
        "timezone": "Europe/Kiev",
        "expected_attendees": "10",
        "city": "Kyjiw",
        "country": "UA",
        "language": "de",
        "accept_distancing": "on",
    }
    assert client.post(f"/de/screenings/manage/{token}/", form).status_code == 302
    screening.refresh_from_db()
    assert screening.title == "Neuer Titel" and screening.timezone == "Europe/Kiev"


def test_the_host_page_names_zones_in_the_pages_language(client, make_screening):
    _screening, token = make_screening(language="en", city="Wien", country="AT", timezone="Europe/Vienna")
    options = dict(zone_options(client.get(f"/de/screenings/manage/{token}/").content.decode()))
    assert options["Europe/Vienna"] == "Österreich – Wien"
    options = dict(zone_options(client.get(f"/en/screenings/manage/{token}/").content.decode()))
    assert options["Europe/Vienna"] == "Austria – Vienna"


def test_the_forms_script_maps_the_browsers_old_zone_names_to_listed_ones():
    """Browsers report some zones by CLDR's old names (Asia/Calcutta): the script's table turns each into
    the listed zone that is the same zone (the same tzdata file)."""
    from importlib.resources import files
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / "static/js/screening-form.js").read_text()
    table = re.search(r"RENAMED_ZONES = \{(.*?)\};", script, re.S).group(1)
    pairs = re.findall(r'"([\w/+-]+)": "([\w/+-]+)"', table)
    assert ("Asia/Calcutta", "Asia/Kolkata") in pairs and len(pairs) >= 15
    zoneinfo = files("tzdata.zoneinfo")
    for old, new in pairs:
        assert timezones.is_listed(new) and not timezones.is_listed(old)
        assert zoneinfo.joinpath(old).read_bytes() == zoneinfo.joinpath(new).read_bytes(), old


def test_a_mistyped_zone_is_refused_by_the_model_so_the_admin_never_stores_one(make_screening):
    from django.core.exceptions import ValidationError

    screening, _token = make_screening()
    screening.timezone = "Europe/Berln"
    with pytest.raises(ValidationError) as refused:
        screening.full_clean()
    assert "timezone" in refused.value.message_dict
    screening.timezone = "Asia/Calcutta"  # an old name Python still computes with stays possible
    screening.full_clean()


def test_country_names_are_spelt_right_in_german_in_the_form_and_its_time_zones(client):
    html = client.get("/de/screenings/register/").content.decode()
    for right in ("Kiribati", "Grenada", "Färöer", "Saudi-Arabien", "Mosambik", "Papua-Neuguinea", "Eswatini"):
        assert f">{right}</option>" in html, right
        assert f">{right} – " in html, right  # its time zones
    for wrong in (
        "Kirivati",
        "Granada",
        "Faröerinseln",
        "Saudi Arabien",
        "Mozambique",
        "Papua Neu Guinea",
        "Swasiland",
    ):
        assert wrong not in html, wrong
