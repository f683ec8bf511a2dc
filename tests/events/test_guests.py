"""Guests join a screening from its page: double opt-in, places and the waiting list, the host's view."""

import re
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from events import services
from events.models import Guest, Screening
from tests.helpers import send_outbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def screening(make_screening):
    screening, _token = make_screening(
        approve=True,
        title="Filmabend",
        format="virtual",
        city="",
        country="",
        online_url="https://meet.example.org/geheimer-raum",
        expected_attendees=10,
    )
    Screening.objects.filter(pk=screening.pk).update(places=2)
    screening.refresh_from_db()
    mail.outbox.clear()
    return screening


def sign_up(client, screening, email="gast@example.org", name="Gabi", language="de", **extra):
    data = {"email": email, "name": name, "accept_conduct": "on", "website": "", **extra}
    return client.post(f"/{language}/tour/{screening.pk}/join/", data)


def guest_link(message):
    return re.search(r"http://testserver(/\w\w/screenings/guest/[\w-]+/)", message.body).group(1)


def confirmed_guest(client, screening, email):
    sign_up(client, screening, email=email, name=email.split("@")[0])
    send_outbox()
    link = guest_link(mail.outbox[-1])
    client.post(link, {"action": "confirm"})
    send_outbox()
    return link


def test_signing_up_asks_to_confirm_and_holds_no_place_until_then(client, screening):
    response = sign_up(client, screening)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert "<strong>gast@example.org</strong>" in response.content.decode()
    guest = Guest.objects.get()
    assert guest.status == Guest.Status.UNCONFIRMED and guest.name == "Gabi" and guest.language == "de"
    assert services.screening_places_taken(screening) == 0
    assert send_outbox() == 1
    (message,) = mail.outbox
    assert message.to == ["gast@example.org"] and message.subject == "Bitte bestätigen Sie Ihre Anmeldung: „Filmabend“"
    assert "meet.example.org" not in message.body  # the online link comes with the place
    link = guest_link(message)
    # Opening the link (or a mail scanner fetching it) confirms nothing: the button does.
    page = client.get(link)
    assert page.status_code == 200 and "Anmeldung bestätigen" in page.content.decode()
    assert page["Cache-Control"] == "private, no-store"
    guest.refresh_from_db()
    assert guest.status == Guest.Status.UNCONFIRMED


def test_confirming_gives_a_place_the_details_and_a_calendar_file(client, screening):
    link = confirmed_guest(client, screening, "gast@example.org")
    guest = Guest.objects.get()
    assert guest.status == Guest.Status.CONFIRMED and guest.confirmed_at is not None
    message = mail.outbox[-1]
    assert message.subject == "Ihr Platz bei „Filmabend“"
    assert "https://meet.example.org/geheimer-raum" in message.body
    (name, ics, mime) = message.attachments[0]
    assert name == "screening.ics" and mime == "text/calendar" and "geheimer-raum" in str(ics)
    page = client.get(link).content.decode()
    assert "Sie haben einen Platz bei dieser Vorführung." in page and "geheimer-raum" in page
    # The public page still never shows the link, and counts the place.
    public = client.get(screening.get_absolute_url()).content.decode()
    assert "geheimer-raum" not in public and "Noch 1 Platz frei." in public


def test_the_same_address_twice_is_one_sign_up_with_the_same_answer(client, screening, settings):
    first = sign_up(client, screening, email="Gast@Example.org")
    second = sign_up(client, screening, email="gast@example.org", name="Jemand anderes")
    assert first.content.replace(b"Gast@Example.org", b"gast@example.org") == second.content
    assert Guest.objects.count() == 1 and Guest.objects.get().email == "gast@example.org"
    assert send_outbox() == 1  # one email per address and screening per hour, whoever asks
    settings.GUEST_EMAIL_INTERVAL_SECONDS = 1
    from django.core.cache import caches

    caches["limits"].clear()  # the one-email-per-address records
    sign_up(client, screening, email="gast@example.org")
    assert send_outbox() == 1 and mail.outbox[-1].subject.startswith("Bitte bestätigen")


def test_places_fill_then_the_waiting_list_and_a_cancellation_moves_the_first_up(client, screening):
    first = confirmed_guest(client, screening, "eins@example.org")
    confirmed_guest(client, screening, "zwei@example.org")
    third = confirmed_guest(client, screening, "drei@example.org")
    fourth = confirmed_guest(client, screening, "vier@example.org")
    statuses = dict(Guest.objects.values_list("email", "status"))
    assert statuses == {
        "eins@example.org": "confirmed",
        "zwei@example.org": "confirmed",
        "drei@example.org": "waiting",
        "vier@example.org": "waiting",
    }
    assert "Nummer 2 auf der Warteliste" in client.get(fourth).content.decode()
    assert "Warteliste" in mail.outbox[-1].subject and "geheimer-raum" not in mail.outbox[-1].body
    public = client.get(screening.get_absolute_url()).content.decode()
    assert "Alle Plätze sind vergeben" in public
    mail.outbox.clear()
    client.post(first, {"action": "cancel"})
    send_outbox()
    assert Guest.objects.get(email="drei@example.org").status == Guest.Status.CONFIRMED
    (message,) = mail.outbox
    assert message.to == ["drei@example.org"] and "geheimer-raum" in message.body
    assert "Nummer 1 auf der Warteliste" in client.get(fourth).content.decode()
    assert "Sie haben einen Platz" in client.get(third).content.decode()


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_confirmations_for_ten_places_never_overbook(site_content, make_screening):
    screening, _token = make_screening(approve=True, expected_attendees=10)
    Screening.objects.filter(pk=screening.pk).update(places=10)
    guests = [
        Guest.objects.create(
            screening=screening,
            email=f"gast{n}@example.org",
            language="de",
            conduct_accepted_at=timezone.now(),
            link_key=str(n),
            token_hash=str(n),
        )
        for n in range(50)
    ]
    start = threading.Barrier(50)

    def confirm(guest):
        try:
            start.wait()
            services.guest_confirm(guest)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(guest,)) for guest in guests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = list(Guest.objects.values_list("status", flat=True))
    assert statuses.count("confirmed") == 10 and statuses.count("waiting") == 40


def test_an_unconfirmed_sign_up_expires_and_is_removed(client, screening, settings):
    sign_up(client, screening)
    send_outbox()
    link = guest_link(mail.outbox[-1])
    Guest.objects.update(created_at=timezone.now() - timedelta(hours=settings.GUEST_CONFIRM_HOURS, minutes=1))
    client.post(link, {"action": "confirm"})
    assert Guest.objects.get().status == Guest.Status.UNCONFIRMED
    assert "abgelaufen" in client.get(link).content.decode()
    assert services.guests_remove_unconfirmed() == 1 and not Guest.objects.exists()
    assert client.get(link).status_code == 404


def test_the_host_sees_names_never_addresses_and_can_offer_more_places(client, make_screening):
    screening, token = make_screening(approve=True, expected_attendees=10, format="virtual", city="", country="")
    Screening.objects.filter(pk=screening.pk).update(places=1)
    confirmed_guest(client, screening, "erste@example.org")
    confirmed_guest(client, screening, "zweite@example.org")
    html = client.get(f"/de/screenings/manage/{token}/").content.decode()
    assert "1 von 1 Plätzen" in html and "1 Gast auf der Warteliste" in html
    assert "erste" in html and "zweite" in html and "@example.org" not in html.replace("host@example.org", "")
    form = {
        "host_name": "Host",
        "organisation": "Org",
        "title": "Screening",
        "format": "virtual",
        "starts_at": screening.local_start.strftime("%Y-%m-%dT%H:%M"),
        "timezone": "Europe/Berlin",
        "expected_attendees": "10",
        "language": "de",
        "publish_on_tour": "on",
    }
    refused = client.post(f"/de/screenings/manage/{token}/", {**form, "places": "0"})
    assert refused.status_code == 400 and "1 Gast hat bereits einen Platz" in refused.content.decode()
    mail.outbox.clear()
    assert client.post(f"/de/screenings/manage/{token}/", {**form, "places": "2"}).status_code == 302
    assert Guest.objects.get(email="zweite@example.org").status == Guest.Status.CONFIRMED
    send_outbox()
    assert [message.to for message in mail.outbox] == [["zweite@example.org"]]


def test_when_the_host_cancels_every_guest_is_told(client, make_screening):
    screening, token = make_screening(approve=True, expected_attendees=10, format="virtual", city="", country="")
    Screening.objects.filter(pk=screening.pk).update(places=1)
    confirmed_guest(client, screening, "erste@example.org")
    confirmed_guest(client, screening, "zweite@example.org")
    sign_up(client, screening, email="unbestaetigt@example.org")
    send_outbox()
    mail.outbox.clear()
    client.post(f"/de/screenings/manage/{token}/cancel/")
    send_outbox()
    assert sorted(message.to[0] for message in mail.outbox) == ["erste@example.org", "zweite@example.org"]
    assert all(message.subject.startswith("Abgesagt") for message in mail.outbox)


def test_refused_sign_ups_keep_what_was_typed_and_say_why(client, screening):
    response = sign_up(client, screening, email="kein-at", name="Gabi", accept_conduct="")
    assert response.status_code == 400 and not Guest.objects.exists()
    html = response.content.decode()
    assert "<title>Fehler: Filmabend" in html
    assert 'value="kein-at"' in html and 'value="Gabi"' in html
    assert "Verhaltenskodex: Bitte akzeptieren Sie den Verhaltenskodex" in html


def test_a_bot_gets_the_same_answer_and_nothing_is_kept(client, screening):
    response = sign_up(client, screening, website="http://spam.example")
    assert response.status_code == 200 and not Guest.objects.exists() and send_outbox() == 0


def test_sign_ups_are_rate_limited_per_client(client, screening, settings):
    settings.GUEST_RATE_LIMIT = "2/h"
    for n in range(2):
        assert sign_up(client, screening, email=f"g{n}@example.org", REMOTE_ADDR="198.51.100.5").status_code == 200
    response = sign_up(client, screening, email="g3@example.org")
    assert response.status_code == 429 and 'value="g3@example.org"' in response.content.decode()


def test_a_screening_without_places_or_already_begun_takes_no_sign_ups(client, screening):
    Screening.objects.filter(pk=screening.pk).update(places=0)
    assert "nimmt auf dieser Website keine Anmeldungen an" in client.get(screening.get_absolute_url()).content.decode()
    response = sign_up(client, screening)
    assert response.status_code == 409 and not Guest.objects.exists()
    Screening.objects.filter(pk=screening.pk).update(places=5, starts_at=timezone.now() - timedelta(minutes=10))
    assert sign_up(client, screening).status_code == 409


def test_guests_personal_data_goes_with_the_hosts(client, screening):
    confirmed_guest(client, screening, "gast@example.org")
    Screening.objects.filter(pk=screening.pk).update(starts_at=timezone.now() - timedelta(days=200))
    services.screenings_remove_personal_data()
    guest = Guest.objects.get()
    assert (guest.email, guest.name, guest.token_hash) == ("", "", "") and guest.status == "confirmed"


def test_a_guests_name_is_escaped_on_the_host_page(client, make_screening):
    screening, token = make_screening(approve=True, format="virtual", city="", country="", places=5)
    sign_up(client, screening, email="x@example.org", name='<img src=x onerror="alert(1)">')
    send_outbox()
    client.post(guest_link(mail.outbox[-1]), {"action": "confirm"})
    html = client.get(f"/de/screenings/manage/{token}/").content.decode()
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_the_admin_shows_guests_read_only_and_the_export_counts_them(admin_client, client, screening):
    import csv
    import io

    confirmed_guest(client, screening, "erste@example.org")
    confirmed_guest(client, screening, "zweite@example.org")
    confirmed_guest(client, screening, "dritte@example.org")  # waiting: two places
    listing = admin_client.get("/admin/events/screening/").content.decode()
    assert "2 / 2" in listing
    detail = admin_client.get(f"/admin/events/screening/{screening.pk}/change/").content.decode()
    assert "erste" in detail and "Auf der Warteliste" in detail
    assert "erste@example.org" not in detail and 'name="guests-0-name"' not in detail  # read-only, no addresses
    response = admin_client.post(
        "/admin/events/screening/", {"action": "export_csv", "_selected_action": [screening.pk]}
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text)))
    values = dict(zip(header, row, strict=True))
    assert (values["places"], values["guests_with_place"], values["guests_waiting"]) == ("2", "2", "1")
    assert "erste@example.org" not in text


def test_the_tour_and_a_screening_page_keep_their_query_counts_as_guests_grow(client, make_screening, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_CACHE_SECONDS = 0  # rendered every time

    def queries(path):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    screening, _token = make_screening(approve=True, format="virtual", city="", country="", places=100)
    small = (queries("/de/tour/"), queries(screening.get_absolute_url()))
    now = timezone.now()
    Guest.objects.bulk_create(
        Guest(
            screening=screening,
            email=f"g{n}@example.org",
            language="de",
            status=Guest.Status.CONFIRMED if n < 100 else Guest.Status.WAITING,
            conduct_accepted_at=now,
            confirmed_at=now,
            link_key=str(n),
            token_hash=str(n),
        )
        for n in range(150)
    )
    for n in range(30):
        make_screening(approve=True, title=f"Weitere {n}", email=f"h{n}@example.org")
    assert (queries("/de/tour/"), queries(screening.get_absolute_url())) == small


def test_waiting_guests_never_receive_the_link_when_a_cancellation_is_undone(client, screening):
    confirmed_guest(client, screening, "eins@example.org")
    confirmed_guest(client, screening, "zwei@example.org")
    confirmed_guest(client, screening, "drei@example.org")  # waiting: two places
    services.screening_cancel(Screening.objects.get(pk=screening.pk))
    mail.outbox.clear()
    assert services.screening_restore(Screening.objects.get(pk=screening.pk))
    send_outbox()
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert "geheimer-raum" in by_recipient["eins@example.org"].body
    waiting = by_recipient["drei@example.org"]
    assert "geheimer-raum" not in waiting.body and not waiting.attachments


def test_a_place_freed_while_cancelled_goes_to_the_first_waiting_when_undone(client, screening):
    first = confirmed_guest(client, screening, "eins@example.org")
    confirmed_guest(client, screening, "zwei@example.org")
    confirmed_guest(client, screening, "drei@example.org")
    services.screening_cancel(Screening.objects.get(pk=screening.pk))
    client.post(first, {"action": "cancel"})
    services.screening_restore(Screening.objects.get(pk=screening.pk))
    assert Guest.objects.get(email="drei@example.org").status == Guest.Status.CONFIRMED


def test_an_edit_never_drops_places_below_the_guests_with_one_nor_undoes_what_happened_meanwhile(client, screening):
    confirmed_guest(client, screening, "eins@example.org")
    stale = Screening.objects.get(pk=screening.pk)  # the host page's copy, loaded before...
    confirmed_guest(client, screening, "zwei@example.org")  # ...a second guest took the other place
    Screening.objects.filter(pk=screening.pk).update(reminded_at=timezone.now())
    services.screening_update(screening=stale, data={"places": 1, "title": "Neu"})
    current = Screening.objects.get(pk=screening.pk)
    assert current.places == 2 and current.title == "Neu"  # not below the two guests with a place
    assert current.reminded_at is not None  # the reminder's claim stands


def test_a_moved_screening_is_reminded_again(client, screening):
    confirmed_guest(client, screening, "eins@example.org")
    at = screening.starts_at - timedelta(hours=2)
    assert services.screenings_send_reminders(now=at) == 1
    later = screening.starts_at + timedelta(days=3)
    services.screening_update(screening=Screening.objects.get(pk=screening.pk), data={"starts_at": later})
    assert services.screenings_send_reminders(now=later - timedelta(hours=2)) == 1


def test_spellings_of_one_mailbox_are_one_sign_up_and_emails_per_address_are_capped(client, make_screening, settings):
    screening, _token = make_screening(approve=True, format="virtual", city="", country="", places=5)
    for spelling in ("v@bücher.de", "V@xn--bcher-kva.de", " v@BÜCHER.de "):
        assert sign_up(client, screening, email=spelling).status_code == 200
    assert list(Guest.objects.values_list("email", flat=True)) == ["v@xn--bcher-kva.de"]
    assert send_outbox() == 1
    settings.GUEST_ADDRESS_RATE_LIMIT = "2/h"
    others = [
        make_screening(approve=True, format="virtual", city="", country="", places=5, title=f"S{n}")[0]
        for n in range(3)
    ]
    answers = {sign_up(client, other, email="w@example.org").content.count(b"w@example.org") for other in others}
    assert answers == {1}  # the same answer each time
    assert send_outbox() == 2  # but only two emails to that address this hour


def test_a_guest_who_cancels_is_forgotten_at_once_and_cannot_cancel_after_the_start(client, screening):
    link = confirmed_guest(client, screening, "eins@example.org")
    second = confirmed_guest(client, screening, "zwei@example.org")
    client.post(link, {"action": "cancel"})
    gone = Guest.objects.get(status=Guest.Status.CANCELLED)
    assert (gone.email, gone.name) == ("", "")
    assert "Sie haben Ihre Anmeldung abgesagt" in client.get(link).content.decode()
    Screening.objects.filter(pk=screening.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    client.post(second, {"action": "cancel"})
    assert Guest.objects.get(email="zwei@example.org").status == Guest.Status.CONFIRMED


def test_the_guests_calendar_file_has_the_link_and_only_guests_with_a_place_get_it(client, screening):
    link = confirmed_guest(client, screening, "eins@example.org")
    confirmed_guest(client, screening, "zwei@example.org")
    confirmed_guest(client, screening, "drei@example.org")  # two places: this one waits
    ics = client.get(link + "screening.ics")
    assert ics.status_code == 200 and "geheimer-raum" in ics.content.decode()
    third = Guest.objects.get(email="drei@example.org")
    assert third.status == Guest.Status.WAITING
    third_link = f"/de/screenings/guest/{services.guest_link_token(third.link_key)}/"
    assert client.get(third_link + "screening.ics").status_code == 404


def test_guests_are_told_when_the_host_changes_the_time_or_the_place(client, screening):
    confirmed_guest(client, screening, "eins@example.org")
    confirmed_guest(client, screening, "zwei@example.org")
    confirmed_guest(client, screening, "drei@example.org")  # on the waiting list (two places)
    mail.outbox.clear()
    services.screening_update(screening=screening, data={"description": "Mit Popcorn."})
    assert send_outbox() == 0  # nothing a guest needs to be there
    later = screening.starts_at + timedelta(days=1)
    services.screening_update(
        screening=screening, data={"starts_at": later, "online_url": "https://meet.example.org/neu"}
    )
    assert send_outbox() == 3
    by_address = {message.to[0]: message for message in mail.outbox}
    assert all(message.subject == "Geändert: „Filmabend“" for message in by_address.values())
    with_place = by_address["eins@example.org"]
    assert "https://meet.example.org/neu" in with_place.body and with_place.attachments
    waiting = by_address["drei@example.org"]
    assert "meet.example.org" not in waiting.body and not waiting.attachments


def test_each_calendar_file_updates_the_guests_event_and_a_cancellation_cancels_it(client, screening):
    from icalendar import Calendar

    def event_of(message):
        (attachment,) = message.attachments
        (event,) = Calendar.from_ical(attachment[1]).walk("VEVENT")
        return event

    confirmed_guest(client, screening, "eins@example.org")
    confirmed_guest(client, screening, "zwei@example.org")
    confirmed_guest(client, screening, "drei@example.org")  # on the waiting list (two places)
    first = event_of(mail.outbox[-3])  # "eins" got a place
    assert first["status"] == "CONFIRMED" and str(first["summary"]) == "Filmabend"
    mail.outbox.clear()
    Screening.objects.filter(pk=screening.pk).update(created_at=screening.created_at - timedelta(minutes=5))
    screening.refresh_from_db()
    services.screening_update(screening=screening, data={"starts_at": screening.starts_at + timedelta(days=1)})
    send_outbox()
    changed = event_of(next(message for message in mail.outbox if message.to == ["eins@example.org"]))
    assert changed["uid"] == first["uid"] and changed["sequence"] > first["sequence"]
    mail.outbox.clear()
    Screening.objects.filter(pk=screening.pk).update(created_at=screening.created_at - timedelta(minutes=5))
    screening.refresh_from_db()
    services.screening_cancel(screening)
    send_outbox()
    by_address = {message.to[0]: message for message in mail.outbox}
    cancelled = event_of(by_address["eins@example.org"])
    assert cancelled["uid"] == first["uid"] and cancelled["sequence"] > changed["sequence"]
    assert cancelled["status"] == "CANCELLED" and str(cancelled["summary"]) == "Abgesagt: Filmabend"
    assert not by_address["drei@example.org"].attachments  # never had the event


def test_a_guest_is_asked_before_giving_up_a_place_and_asking_changes_nothing(client, screening):
    link = confirmed_guest(client, screening, "eins@example.org")
    page = client.get(link).content.decode()
    assert 'href="?cancel=ask#cancel-heading"' in page and 'value="cancel"' not in page
    asked = client.get(link + "?cancel=ask").content.decode()
    assert "Möchten Sie wirklich absagen?" in asked and 'value="cancel"' in asked
    assert Guest.objects.get().status == Guest.Status.CONFIRMED
    client.post(link, {"action": "cancel"})
    assert Guest.objects.get().status == Guest.Status.CANCELLED


def test_a_cancellation_undone_before_its_emails_went_out_is_not_sent_after_the_undoing(client, screening):
    confirmed_guest(client, screening, "eins@example.org")
    mail.outbox.clear()
    services.screening_cancel(screening)
    screening.refresh_from_db()
    services.screening_restore(screening)
    send_outbox()
    # Only the undoing: a late cancellation (with its calendar file) would leave the guest thinking it is off.
    (message,) = mail.outbox
    assert "Abgesagt" not in message.subject and "STATUS:CANCELLED" not in str(message.attachments)


def test_a_guest_who_cancelled_can_sign_up_again_at_once(client, screening):
    link = confirmed_guest(client, screening, "gast@example.org")
    client.post(link, {"action": "cancel"})
    mail.outbox.clear()
    sign_up(client, screening, email="gast@example.org")
    assert send_outbox() == 1 and "bestätigen" in mail.outbox[0].subject


def test_a_broken_guest_link_says_what_to_do_as_a_guest(client):
    response = client.get("/de/screenings/guest/kaputt/")
    html = response.content.decode()
    assert response.status_code == 404 and "Anmeldung" in html and 'href="/de/tour/"' in html
    assert "Gastgeberseite" not in html


def test_after_the_host_cancels_a_guest_is_not_asked_to_cancel(client, screening):
    link = confirmed_guest(client, screening, "gast@example.org")
    services.screening_cancel(screening)
    html = client.get(link).content.decode()
    assert "abgesagt" in html and 'value="cancel"' not in html


def test_the_answers_to_the_pages_forms_switch_language_to_the_page_itself(client, screening):
    html = sign_up(client, screening, email="kaputt").content.decode()
    assert re.search(rf'rel="alternate" hreflang="en" href="[^"]*/en/tour/{screening.pk}-filmabend/"', html)
    assert f"/en/tour/{screening.pk}/join/" not in html
    # The tour is marked in the navigation on a screening's pages.
    page = client.get(screening.get_absolute_url()).content.decode()
    assert re.search(r'<a href="/de/tour/"[^>]*aria-current="page"', page)


def test_a_full_screening_says_a_sign_up_joins_the_waiting_list(client, screening):
    confirmed_guest(client, screening, "eins@example.org")
    confirmed_guest(client, screening, "zwei@example.org")
    html = client.get(screening.get_absolute_url()).content.decode()
    assert "Warteliste" in html and "Ein Platz gehört Ihnen, sobald" not in html


def test_change_notices_to_guests_are_limited_per_screening_and_end_when_it_begins(client, make_screening, settings):
    from tests.events.test_host_page import edit_data, manage_url

    settings.SCREENING_GUEST_NOTICE_RATE_LIMIT = "1/d"
    screening, token = make_screening(approve=True, title="Filmabend")
    Screening.objects.filter(pk=screening.pk).update(places=2)
    screening.refresh_from_db()
    confirmed_guest(client, screening, "eins@example.org")
    mail.outbox.clear()
    first = screening.local_start + timedelta(hours=1)
    response = client.post(
        manage_url(token), edit_data(screening, starts_at=first.strftime("%Y-%m-%dT%H:%M"), places="2")
    )
    assert response["Location"].endswith("?saved=shown") and send_outbox() == 1
    screening.refresh_from_db()
    second = screening.local_start + timedelta(hours=1)
    response = client.post(
        manage_url(token), edit_data(screening, starts_at=second.strftime("%Y-%m-%dT%H:%M"), places="2")
    )
    # Saved, but the guests are not mailed again today; the host is told so.
    assert response["Location"].endswith("?saved=untold") and send_outbox() == 0
    screening.refresh_from_db()
    assert screening.local_start.replace(second=0, microsecond=0) == second.replace(second=0, microsecond=0)
    assert "nicht per E-Mail benachrichtigt" in client.get(response["Location"]).content.decode()
    # Once the screening has begun, no change reaches the guests.
    Screening.objects.filter(pk=screening.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    screening.refresh_from_db()
    services.screening_update(screening=screening, data={"online_url": "https://meet.example.org/spaeter"})
    assert send_outbox() == 0


def test_whoever_owns_the_address_decides_the_name_the_host_sees(client, screening, make_screening):
    """Anyone may sign a stranger's address up under any name: the owner sees that name when confirming
    and corrects it, and may change it later on the guest's page."""
    sign_up(client, screening, email="anna@example.org", name="Troll <b>", language="en")
    sign_up(client, screening, email="anna@example.org", name="Anna")  # the same sign-up, the same answer
    send_outbox()
    link = guest_link(mail.outbox[0]).replace("/en/", "/de/")
    page = client.get(link).content.decode()
    assert 'value="Troll &lt;b&gt;"' in page and "Die Gastgeber sehen ihn in der Gästeliste." in page
    # A name that is too long is refused with what was typed; nothing is confirmed.
    response = client.post(link, {"action": "confirm", "name": "A" * 121})
    html = response.content.decode()
    assert response.status_code == 400 and "<title>Fehler:" in html and 'value="' + "A" * 121 + '"' in html
    assert 'href="#guest_name">Ihr Name:' in html
    assert Guest.objects.get().status == Guest.Status.UNCONFIRMED
    response = client.post(link, {"action": "confirm", "name": " Anna Beispiel "})
    assert response.status_code == 302 and response["Location"] == link + "?done=confirm"
    guest = Guest.objects.get()
    # Confirmed in German: the emails that follow are German too.
    assert (guest.status, guest.name, guest.language) == (Guest.Status.CONFIRMED, "Anna Beispiel", "de")
    send_outbox()
    assert mail.outbox[-1].subject == "Ihr Platz bei „Filmabend“"
    # Later, on the guest's page: another name, or none.
    page = client.get(link).content.decode()
    assert 'id="name-heading"' in page and 'value="Anna Beispiel"' in page
    response = client.post(link, {"action": "name", "name": ""})
    assert response["Location"] == link + "?done=name"
    assert "Ihr Name wurde gespeichert." in client.get(response["Location"]).content.decode()
    assert Guest.objects.get().name == ""
    response = client.post(link, {"action": "name", "name": "Anna\x00"})
    assert response.status_code == 400 and Guest.objects.get().name == ""
    # A confirmation sent again from a page left open (with another name) changes the name.
    assert client.post(link, {"action": "confirm", "name": "Anna B."})["Location"] == link + "?done=confirm"
    assert Guest.objects.get().name == "Anna B."
    # Nothing to change once the screening has begun (from a page opened before), and the guest is told.
    Screening.objects.filter(pk=screening.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    assert 'id="name-heading"' not in client.get(link).content.decode()
    response = client.post(link, {"action": "name", "name": "Spät"})
    assert response["Location"] == link + "?done=name-refused"
    assert "Ihr Name konnte nicht geändert werden" in client.get(response["Location"]).content.decode()
    assert Guest.objects.get().name == "Anna B."


def test_a_cancelled_guest_cannot_be_renamed(client, screening):
    link = confirmed_guest(client, screening, "gast@example.org")
    client.post(link, {"action": "cancel"})
    assert 'id="name-heading"' not in client.get(link).content.decode()
    client.post(link, {"action": "name", "name": "Neu"})
    guest = Guest.objects.get()
    assert guest.status == Guest.Status.CANCELLED and guest.name == ""
