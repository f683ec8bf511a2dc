"""After the screening: the host's report, and the campaign's totals on the home page and in the admin."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from events import services
from events.models import Screening, ScreeningReport
from tests.helpers import send_outbox

pytestmark = pytest.mark.django_db


def held(make_screening, hours_ago=4, **fields):
    screening, token = make_screening(**fields)
    Screening.objects.filter(pk=screening.pk).update(starts_at=timezone.now() - timedelta(hours=hours_ago))
    screening.refresh_from_db()
    return screening, token


def test_the_host_is_asked_once_for_a_report_after_the_screening(client, make_screening):
    screening, host_token = held(make_screening, hours_ago=4, title="Abendvorführung")  # ended 2 hours ago
    soon, _ = make_screening(title="Morgen")
    long_ago, _ = held(make_screening, hours_ago=24 * 30, title="Lange her")
    mail.outbox.clear()
    # Two hours earlier it had only just ended: asked an hour after the end, not before.
    assert services.screenings_request_reports(now=timezone.now() - timedelta(hours=2)) == 0
    assert services.screenings_request_reports() == 1
    assert services.screenings_request_reports() == 0  # once
    send_outbox()
    (message,) = mail.outbox
    assert message.subject == "Wie war Ihre Vorführung „Abendvorführung“?"
    link = re.search(r"http://testserver(/de/screenings/report/[\w:-]+/)", message.body).group(1)
    page = client.get(link)
    assert page.status_code == 200 and page["Cache-Control"] == "private, no-store"
    form = {
        "attendees": "23",
        "rating": "5",
        "what_worked": "Die Diskussion.",
        "story": "Ein Schüler …",
        "may_quote": "on",
    }
    response = client.post(link, form)
    assert response.status_code == 302 and response["Location"].endswith("?saved=1")
    report = ScreeningReport.objects.get(screening=screening)
    assert (report.attendees, report.rating, report.may_quote) == (23, 5, True)
    # Corrected later: the same report.
    client.post(link, {**form, "attendees": "25"})
    assert ScreeningReport.objects.get().attendees == 25
    assert not ScreeningReport.objects.filter(screening__in=[soon, long_ago]).exists()
    # The report's link leaves the host's own link working, and a forged one leads nowhere.
    screening.refresh_from_db()
    assert screening.new_token_hash == "" and client.get(f"/de/screenings/manage/{host_token}/").status_code == 200
    assert client.get(link.replace("/report/", "/report/x")).status_code == 404


def test_a_report_is_checked_and_keeps_what_was_typed(client, make_screening):
    screening, _token = held(make_screening)
    url = f"/de/screenings/report/{services.report_token(screening)}/"
    response = client.post(url, {"attendees": "-3", "rating": "9", "story": "", "may_quote": "on"})
    assert response.status_code == 400 and not ScreeningReport.objects.exists()
    html = response.content.decode()
    assert "<title>Fehler:" in html and 'value="-3"' in html
    assert "Es gibt noch keine Geschichte zum Zitieren" in html


def test_no_report_before_the_screening_or_for_a_cancelled_one(client, make_screening):
    screening, _token = make_screening()
    url = f"/de/screenings/report/{services.report_token(screening)}/"
    assert "wenn Ihre Vorführung begonnen hat" in client.get(url).content.decode()
    client.post(url, {"attendees": "5", "rating": "3"})
    assert not ScreeningReport.objects.exists()


def test_totals_on_the_home_page_and_in_the_admin(client, admin_client, make_screening):
    first, token = held(make_screening, expected_attendees=10, country="DE", city="Berlin")
    held(make_screening, expected_attendees=7, country="AT", city="Wien", email="b@example.org", title="Zwei")
    make_screening(expected_attendees=12, email="c@example.org", title="Bald")  # registered, not held yet
    report = services.screening_report_save(screening=first, data={"attendees": 20, "rating": 4})
    # Anyone can register and report any number: a report counts in public once staff have read it.
    assert services.campaign_totals() == {"registered": 3, "held": 0, "people": 0, "countries": 0}
    listing = admin_client.get("/admin/events/screeningreport/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "1 Bericht noch nicht berücksichtigt" in listing
    admin_client.post(
        "/admin/events/screeningreport/", {"action": "count_in_public_figures", "_selected_action": [report.pk]}
    )
    totals = services.campaign_totals()
    # Held, people and countries count what hosts reported: registering alone inflates nothing.
    assert totals == {"registered": 3, "held": 1, "people": 20, "countries": 1}
    html = " ".join(client.get("/de/").content.decode().split()).replace("</dt> <dd>", "</dt><dd>")
    assert "<dt>Vorführungen, die stattgefunden haben</dt><dd>1</dd>" in html
    assert "<dt>Erreichte Menschen</dt><dd>20</dd>" in html
    listing = admin_client.get("/admin/events/screeningreport/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Vorführungen registriert: 3" in listing and "Länder (der berichteten Vorführungen): 1" in listing
    assert "noch nicht berücksichtigt" not in listing
    # The filters read well after "Nach" and find what they say.
    assert "Nach Berücksichtigung in den öffentlichen Zahlen" in listing and "Nach Erlaubnis zum Zitieren" in listing
    counted = admin_client.get("/admin/events/screeningreport/?counted=yes").context["cl"].result_list
    not_counted = admin_client.get("/admin/events/screeningreport/?counted=no").context["cl"].result_list
    assert list(counted) == [report] and not list(not_counted)
    # The host corrects the number: out of the public figures until staff have looked again.
    services.screening_report_save(screening=first, data={"attendees": 25, "rating": 4})
    assert services.campaign_totals()["people"] == 0
    # A correction of the words alone keeps it counted.
    ScreeningReport.objects.update(counted=True)
    services.screening_report_save(screening=first, data={"attendees": 25, "rating": 4, "what_worked": "Alles."})
    assert services.campaign_totals()["people"] == 25
    # An in-person report counts at most the small group the permission allows, whatever it says (a report
    # from before that rule).
    ScreeningReport.objects.update(attendees=400)
    services.screening_report_save(screening=first, data={"what_worked": "Alles!"})
    assert services.campaign_totals()["people"] == 25


def test_an_in_person_report_counts_at_most_the_small_group_the_permission_allows(client, make_screening, settings):
    in_person, _token = held(make_screening)
    virtual, _token = held(make_screening, format="virtual", city="", country="", email="v@example.org", title="Online")
    for screening, attendees, status in ((in_person, 26, 400), (in_person, 25, 302), (virtual, 400, 302)):
        url = f"/en/screenings/report/{services.report_token(screening)}/"
        response = client.post(url, {"attendees": str(attendees), "rating": "4"})
        assert response.status_code == status
        if status == 400:
            html = response.content.decode()
            assert "at most 25 people" in html and 'value="26"' in html
    assert dict(ScreeningReport.objects.values_list("screening__title", "attendees")) == {
        "Screening": 25,
        "Online": 400,
    }


def test_report_texts_go_with_the_personal_data_except_a_story_the_host_allowed_to_quote(make_screening):
    quoted, _ = held(make_screening, title="Zitierbar")
    private, _ = held(make_screening, title="Privat", email="p@example.org")
    services.screening_report_save(
        screening=quoted,
        data={"attendees": 9, "rating": 5, "what_worked": "Tee", "story": "Ein Satz", "may_quote": True},
    )
    services.screening_report_save(
        screening=private, data={"attendees": 4, "rating": 3, "what_worked": "Kekse", "story": "Anna sagte …"}
    )
    Screening.objects.update(starts_at=timezone.now() - timedelta(days=200))
    services.screenings_remove_personal_data()
    reports = {report.attendees: report for report in ScreeningReport.objects.all()}
    assert (reports[9].what_worked, reports[9].story) == ("", "Ein Satz")
    assert (reports[4].what_worked, reports[4].story, reports[4].rating) == ("", "", 3)


def test_the_host_page_leads_to_the_report_once_the_screening_is_over(client, make_screening):
    upcoming, upcoming_token = make_screening(title="Bald")
    assert "report-heading" not in client.get(f"/de/screenings/manage/{upcoming_token}/").content.decode()
    screening, token = held(make_screening, hours_ago=1, title="Läuft", email="b@example.org")
    assert "report-heading" not in client.get(f"/de/screenings/manage/{token}/").content.decode()  # under way
    Screening.objects.filter(pk=screening.pk).update(starts_at=timezone.now() - timedelta(hours=3))
    html = client.get(f"/de/screenings/manage/{token}/").content.decode()
    assert "Wie ist es gelaufen?" in html and "Bericht schreiben" in html
    link = re.search(r'href="(/de/screenings/report/[\w:-]+/)"', html).group(1)
    assert client.post(link, {"attendees": "12", "rating": "4"}).status_code == 302
    assert ScreeningReport.objects.get().screening == screening
    html = client.get(f"/de/screenings/manage/{token}/").content.decode()
    assert "Danke für Ihren Bericht." in html and "Bericht lesen oder korrigieren" in html
    # A screening cancelled beforehand asks for no report.
    cancelled, cancelled_token = make_screening(title="Abgesagt", email="c@example.org")
    assert services.screening_cancel(cancelled)
    Screening.objects.filter(pk=cancelled.pk).update(starts_at=timezone.now() - timedelta(hours=3))
    assert "report-heading" not in client.get(f"/de/screenings/manage/{cancelled_token}/").content.decode()
