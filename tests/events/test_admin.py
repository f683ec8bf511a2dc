import csv
import io
import re

import pytest

from events.models import Screening

pytestmark = pytest.mark.django_db


def test_registrations_list_with_filters_search_and_hierarchy(admin_client, make_screening):
    make_screening(title="Filmabend Köln", city="Köln")
    for query in (
        "",
        "?q=Köln",
        "?status__exact=confirmed",
        "?format__exact=in_person",
        "?tour_status__exact=pending",
        "?when=upcoming",
        "?country__exact=DE",
        "?tour_wish=yes",
        "?changed=no",
    ):
        response = admin_client.get("/admin/events/screening/" + query)
        assert response.status_code == 200, query
        assert "Filmabend Köln" in response.content.decode(), query
    assert "Filmabend Köln" not in admin_client.get("/admin/events/screening/?tour_wish=no").content.decode()
    assert "Filmabend Köln" not in admin_client.get("/admin/events/screening/?changed=yes").content.decode()
    # Each filter's title reads well after "By" ("Nach"), in both languages.
    german = admin_client.get("/admin/events/screening/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Nach Tour-Wunsch der Gastgeber" in german and "Nach Änderung seit der Prüfung" in german
    assert "Nach auf der virtuellen Tour" not in german and "Nach seit der Prüfung" not in german


def test_approval_never_publishes_a_screening_whose_host_did_not_opt_in(admin_client, make_screening):
    opted_in, _ = make_screening(title="Ja")
    opted_out, _ = make_screening(title="Nein", publish_on_tour=False)
    response = admin_client.post(
        "/admin/events/screening/",
        {"action": "approve_for_tour", "_selected_action": [opted_in.pk, opted_out.pk]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="de",
    )
    html = response.content.decode()
    assert "1 Vorführung freigegeben." in html and "1 Vorführung übersprungen" in html
    opted_in.refresh_from_db()
    opted_out.refresh_from_db()
    assert opted_in.tour_status == "approved" and opted_out.tour_status == "pending"
    assert opted_in.shown_on_tour and not opted_out.shown_on_tour


def test_reject(admin_client, make_screening):
    screening, _ = make_screening(approve=True)
    admin_client.post("/admin/events/screening/", {"action": "reject_for_tour", "_selected_action": [screening.pk]})
    screening.refresh_from_db()
    assert screening.tour_status == "rejected" and not screening.shown_on_tour


def test_terms_acceptance_is_read_only_and_staff_cannot_add_registrations(admin_client, make_screening):
    screening, _ = make_screening()
    html = admin_client.get(f"/admin/events/screening/{screening.pk}/change/").content.decode()
    assert 'name="terms_text"' not in html and "Bedingungen von Netflix für einmalige Vorführungen" in html
    assert admin_client.get("/admin/events/screening/add/").status_code == 403


def test_csv_export_streams_the_selection_and_defuses_formulas(admin_client, make_screening):
    first, _ = make_screening(title='=HYPERLINK("http://evil")')
    second, _ = make_screening(title="Zweiter")
    response = admin_client.post(
        "/admin/events/screening/", {"action": "export_csv", "_selected_action": [first.pk, second.pk]}
    )
    assert response.streaming
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8's byte order mark: Excel reads "Köln" right
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:4] == ["id", "title", "host_name", "email"]
    assert len(rows) == 3
    assert rows[1][1].startswith("'=HYPERLINK")
    assert rows[2][1] == "Zweiter"


HOSTILE_CELLS = [
    "Verein;=1+1;",
    "Verein,=1+1",
    'x";=cmd|" /C calc"!A0',
    "a\t+SUM(1)",
    "a|@SUM(1)",
    "a; -2+3",
    'a;"=1"',
    "\t=1",
    "a\n=1",
    "-@x",
]


def test_csv_cells_are_quoted_and_no_part_a_spreadsheet_splits_off_starts_a_formula(admin_client, make_screening):
    screenings = [make_screening(title=text, organisation=text, host_name="Host")[0] for text in HOSTILE_CELLS]
    response = admin_client.post(
        "/admin/events/screening/", {"action": "export_csv", "_selected_action": [s.pk for s in screenings]}
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert text.startswith('"id","title","host_name","email"')  # every field quoted
    assert {row[1].replace("'", "") for row in rows[1:]} == set(HOSTILE_CELLS)  # nothing else is lost
    # A spreadsheet that assumes another separator, or ignores the quotes, still finds no formula.
    for delimiter in (",", ";", "\t", "|", "\n"):
        for part in text.split(delimiter):
            assert not part.lstrip(' "').startswith(("=", "+", "-", "@")), (delimiter, part)


def test_accepted_terms_cannot_be_edited(admin_client, make_screening, terms):
    make_screening()
    html = admin_client.get(f"/admin/events/netflixterms/{terms.pk}/change/").content.decode()
    assert 'name="summary_de"' not in html


def test_screening_list_queries_are_bounded(admin_client, make_screening, django_assert_max_num_queries):
    for n in range(30):
        make_screening(title=f"S{n}")
    with django_assert_max_num_queries(12):
        assert admin_client.get("/admin/events/screening/").status_code == 200
    assert Screening.objects.count() == 30


def test_the_admin_shows_starts_in_the_events_zone_and_lists_only_countries_with_screenings(
    admin_client, make_screening
):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    screening, _ = make_screening(
        title="London",
        timezone="Europe/London",
        starts_at=datetime(2027, 3, 1, 18, 0, tzinfo=ZoneInfo("Europe/London")),
    )
    make_screening(title="Wien", country="AT", city="Wien")
    listing = admin_client.get("/admin/events/screening/").content.decode()
    assert "01.03.2027, 18:00 Uhr (Vereinigtes Königreich – London)" in listing
    detail = admin_client.get(f"/admin/events/screening/{screening.pk}/change/").content.decode()
    assert "01.03.2027, 18:00 Uhr (Vereinigtes Königreich – London)" in detail
    filters = re.findall(r'href="\?country=(\w\w)"', listing)
    assert sorted(filters) == ["AT", "DE"]
    for header in ("Status", "Prüfung für die Tour"):
        assert header in listing


def test_approval_neither_approves_nor_counts_a_cancelled_screening(admin_client, make_screening):
    from events import services

    open_one, _ = make_screening(title="Offen")
    cancelled, _ = make_screening(title="Abgesagt")
    services.screening_cancel(cancelled)
    response = admin_client.post(
        "/admin/events/screening/", {"action": "approve_for_tour", "_selected_action": [open_one.pk, cancelled.pk]}
    )
    assert "1 Vorführung freigegeben" in admin_client.get(response["Location"]).content.decode()
    cancelled.refresh_from_db()
    assert cancelled.tour_status == Screening.TourStatus.PENDING


def test_consent_admin_sections_have_distinct_names_and_a_translated_version_column(admin_client):
    index = admin_client.get("/admin/").content.decode()
    assert index.count(">Cookie-Einwilligung<") == 1
    for path in ("/admin/cookie_consent/cookiegroup/", "/admin/cookie_consent/cookie/"):
        page = admin_client.get(path).content.decode()
        assert "get version" not in page.lower() and "Version" in page
