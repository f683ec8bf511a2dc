"""The host's journey in real Chromium: register, confirm by email link, edit; staff approve; the tour shows it."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from events.models import Resource, Screening
from tests.helpers import send_outbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_host_registers_confirms_edits_and_staff_approve_for_the_tour(page, browser, live_server, settings):
    settings.SITE_URL = live_server.url  # the links in emails lead to the site the browser uses
    Resource.objects.create(
        kind="discussion_guide",
        title_de="Diskussionsleitfaden",
        title_en="Discussion guide",
        url_de="https://example.org/leitfaden.pdf",
        url_en="https://example.org/guide.pdf",
    )
    start = (timezone.localdate() + timedelta(days=20)).isoformat() + "T19:30"

    page.goto("/de/screenings/")
    page.get_by_role("main").get_by_role("link", name="Vorführung registrieren").click()
    page.wait_for_url("**/de/screenings/register/")
    page.get_by_label("Ihr Name").fill("Ana Beispiel")
    page.get_by_label("E-Mail-Adresse").fill("ana@example.org")
    page.get_by_label("Titel der Vorführung").fill("Filmabend im Hof")
    page.get_by_role("radio", name="Vor Ort").check()
    page.get_by_label("Datum und Beginn").fill(start)
    page.get_by_label("Erwartete Teilnehmende").fill("15")
    page.get_by_label("Ort", exact=True).fill("Leipzig")
    page.get_by_label("Land", exact=True).select_option("DE")
    page.get_by_label("Meine Vorführung auf der virtuellen Tour veröffentlichen").check()
    page.get_by_label("Ich akzeptiere die oben zusammengefassten Bedingungen").check()
    page.get_by_label("Bei einer Vorführung vor Ort").check()
    page.get_by_role("button", name="Vorführung registrieren").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Vielen Dank für Ihre Registrierung"
    assert "ana@example.org" in page.get_by_role("main").inner_text()  # where the email goes

    send_outbox()  # as the worker does (with the tests' immediate queue it has already)
    (message,) = mail.outbox
    assert message.subject == "Ihre Vorführung „Filmabend im Hof“: bitte bestätigen"
    link = re.search(r"https?://\S+/screenings/manage/[\w-]+/", message.body).group(0)
    page.goto(link)
    assert page.get_by_role("heading", level=1).inner_text() == "Filmabend im Hof"
    assert Screening.objects.get().email_confirmed_at is None  # opening the link confirms nothing
    page.get_by_role("button", name="Meine Registrierung bestätigen").click()
    page.wait_for_url("**?saved=confirmed")
    assert "Ihre E-Mail-Adresse ist bestätigt" in page.get_by_role("main").inner_text()
    assert (
        page.get_by_role("link", name="Diskussionsleitfaden").get_attribute("href")
        == "https://example.org/leitfaden.pdf"
    )
    assert Screening.objects.get().status == Screening.Status.CONFIRMED

    page.get_by_label("Titel der Vorführung").fill("Filmabend im Hof mit Gespräch")
    page.get_by_role("button", name="Änderungen speichern").click()
    page.wait_for_url("**?saved=review")
    assert page.get_by_role("heading", level=1).inner_text() == "Filmabend im Hof mit Gespräch"

    # Staff approve the screening for the tour in the admin.
    get_user_model().objects.create_superuser("staff", "staff@example.org", "a-long-test-password")
    staff = browser.new_context(base_url=live_server.url, locale="de-DE")
    admin_page = staff.new_page()
    admin_page.goto("/admin/events/screening/")
    admin_page.get_by_label("Benutzername").fill("staff")
    admin_page.get_by_label("Passwort").fill("a-long-test-password")
    admin_page.get_by_role("button", name="Anmelden").click()
    admin_page.wait_for_url("**/admin/events/screening/")
    admin_page.locator("input[name=_selected_action]").first.check()
    admin_page.locator("select[name=action]").select_option("approve_for_tour")
    admin_page.get_by_role("button", name="Ausführen").click()
    admin_page.get_by_text("1 Vorführung freigegeben.").wait_for()
    staff.close()

    for language, text in (("de", "Leipzig, Deutschland"), ("en", "Leipzig, Germany")):
        page.goto(f"/{language}/tour/")
        item = page.locator(".tour__item").filter(has_text="Filmabend im Hof mit Gespräch")
        assert item.count() == 1
        assert text in item.inner_text()
        assert "19:30" in item.inner_text() or "7:30" in item.inner_text()


def test_a_refused_registration_keeps_everything_typed(page):
    page.goto("/en/screenings/register/")
    page.get_by_label("Your name").fill("Ben")
    page.get_by_label("Email address").fill("ben@example.org")
    page.get_by_label("Title of the screening").fill("Movie night")
    page.get_by_role("radio", name="In person").check()
    page.get_by_label("Date and start time").fill((timezone.localdate() + timedelta(days=5)).isoformat() + "T20:00")
    page.get_by_label("Expected attendees").fill("200")
    page.get_by_label("I accept Netflix's terms").check()
    page.get_by_role("button", name="Register screening").click()
    summary = page.get_by_role("alert")
    assert "at most 25 people" in summary.inner_text()
    assert "Please enter the city" in summary.inner_text()
    # The summary has the focus (a screen reader reads it first) and the title says what happened.
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.title().startswith("Error: Register your screening")
    # Fields are named briefly, and each entry leads to its field.
    assert "Distancing: In-person screenings need strict distancing" in summary.inner_text()
    summary.get_by_role("link", name=re.compile("^City:")).click()
    assert page.evaluate("document.activeElement.id") == "id_city"
    assert page.get_by_label("Title of the screening").input_value() == "Movie night"
    assert page.get_by_label("Expected attendees").input_value() == "200"
    assert page.get_by_role("radio", name="In person").is_checked()
    assert not Screening.objects.exists()


def test_the_time_zone_starts_as_the_visitors_own_and_follows_the_country(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="America/Chicago")
    page = context.new_page()
    page.goto("/en/screenings/register/")
    zone = page.get_by_label("Time zone")
    assert zone.input_value() == "America/Chicago"
    assert zone.locator("option:checked").inner_text() == "United States of America – Chicago"
    # An in-person screening in Austria: its zone is chosen and Austria's zones lead the list.
    page.get_by_label("Country", exact=True).select_option("AT")
    assert zone.input_value() == "Europe/Vienna"
    assert zone.locator("option").first.inner_text() == "Austria – Vienna"
    # Back in the United States, the visitor's own zone is there again.
    page.get_by_label("Country", exact=True).select_option("US")
    assert zone.input_value() == "America/Chicago"
    assert zone.locator("option").first.inner_text() == "United States of America – New York"
    context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_a_visitor_finds_a_screening_on_the_tour_and_prints_its_flyer(browser, live_server, make_screening, javascript):
    start = timezone.now().replace(microsecond=0) + timedelta(days=12)
    screening, _token = make_screening(
        approve=True, title="Kino im Hof", city="Wien", country="AT", timezone="Europe/Vienna", starts_at=start
    )
    context = browser.new_context(
        base_url=live_server.url, locale="de-DE", timezone_id="America/New_York", java_script_enabled=javascript
    )
    page = context.new_page()
    page.goto("/de/tour/")
    page.get_by_role("link", name="Kino im Hof", exact=True).click()
    page.wait_for_url(f"**{screening.get_absolute_url()}")
    assert page.get_by_role("heading", level=1).inner_text() == "Kino im Hof"
    when = page.locator("dd").filter(has=page.locator("time")).inner_text()
    # With a script the reader in New York also sees the start in their own time, written as the site
    # writes times (the 24-hour clock, "Uhr" in German, British English dates).
    assert ("Ihre Ortszeit:" in when) is javascript
    if javascript:
        local = start.astimezone(ZoneInfo("America/New_York"))
        assert re.search(rf"Ihre Ortszeit: {local.day}\. \w+ {local.year}, {local:%H:%M} Uhr \(\S+\)", when), when
        page.goto(screening.get_absolute_url().replace("/de/", "/en/"))
        when = page.locator("dd").filter(has=page.locator("time")).inner_text()
        assert re.search(rf"Your local time: {local.day} {local:%B} {local.year}, {local:%H:%M} \(\S+\)", when), when
        page.go_back()
    assert page.get_by_role("img", name="QR-Code dieser Seite").is_visible()
    assert context.cookies() == []
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.get_by_role("heading", name="In Ihren Kalender eintragen").is_visible()
    assert page.get_by_role("img", name="QR-Code dieser Seite").is_visible()
    context.close()


def _sign_up(page, screening, email, name):
    page.goto("/de/tour/")
    page.get_by_role("link", name=screening.title, exact=True).click()
    page.get_by_label("E-Mail-Adresse", exact=True).fill(email)
    page.get_by_label("Ihr Name (optional)").fill(name)
    page.get_by_label("Ich akzeptiere den Verhaltenskodex").check()
    page.get_by_role("button", name="Anmelden").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Bitte bestätigen Sie Ihre Adresse"
    assert email in page.get_by_role("main").inner_text()
    send_outbox()
    return re.search(r"https?://\S+/screenings/guest/[\w-]+/", mail.outbox[-1].body).group(0)


@pytest.mark.parametrize("javascript", [True, False])
def test_guests_join_fill_the_screening_wait_and_move_up(browser, live_server, settings, make_screening, javascript):
    settings.SITE_URL = live_server.url
    screening, host_token = make_screening(
        approve=True,
        title="Kino im Hof",
        format="virtual",
        city="",
        country="",
        online_url="https://meet.example.org/kino",
        places=1,
    )
    contexts = []

    def visitor():
        # Each person in a browser of their own (the pages' HTTP caching is per browser).
        context = browser.new_context(base_url=live_server.url, locale="de-DE", java_script_enabled=javascript)
        contexts.append(context)
        return context.new_page()

    page = visitor()
    first = _sign_up(page, screening, "erste@example.org", "Erste")
    page.goto(first)
    page.get_by_role("button", name="Anmeldung bestätigen").click()
    assert "Sie haben einen Platz bei dieser Vorführung." in page.get_by_role("main").inner_text()
    assert page.get_by_role("link", name="https://meet.example.org/kino").is_visible()
    send_outbox()
    assert "https://meet.example.org/kino" in mail.outbox[-1].body
    # Full now: the next visitor waits.
    page = visitor()
    page.goto(screening.get_absolute_url())
    assert "Alle Plätze sind vergeben" in page.get_by_role("main").inner_text()
    second = _sign_up(page, screening, "zweite@example.org", "Zweite")
    page.goto(second)
    page.get_by_role("button", name="Anmeldung bestätigen").click()
    assert "Nummer 1 auf der Warteliste" in page.get_by_role("main").inner_text()
    assert "meet.example.org" not in page.content()
    # The first guest cancels; the second moves up and is told.
    page = contexts[0].pages[0]
    page.goto(first)
    page.get_by_role("link", name="Meine Anmeldung absagen").click()
    # Asked first: the place goes to the next guest at once.
    assert "Ihre Anmeldung ist abgesagt" not in page.get_by_role("main").inner_text()
    page.get_by_role("button", name="Ja, meine Anmeldung absagen").click()
    assert "Ihre Anmeldung ist abgesagt" in page.get_by_role("main").inner_text()
    send_outbox()
    assert mail.outbox[-1].to == ["zweite@example.org"] and "https://meet.example.org/kino" in mail.outbox[-1].body
    # The host sees the names and writes to the guests with a place.
    page = visitor()
    page.goto(f"/de/screenings/manage/{host_token}/")
    guests = page.get_by_role("region", name="Gäste")
    assert "Zweite" in guests.inner_text() and "@example.org" not in guests.inner_text()
    page.get_by_label("Nachricht an Ihre Gäste").fill("Bis heute Abend!")
    page.get_by_role("button", name="An meine Gäste senden").click()
    assert "Ihre Nachricht ist unterwegs an 1 Gast." in page.get_by_role("main").inner_text()
    send_outbox()
    assert mail.outbox[-1].to == ["zweite@example.org"] and "Bis heute Abend!" in mail.outbox[-1].body
    for context in contexts:
        assert context.cookies() == []
        context.close()
