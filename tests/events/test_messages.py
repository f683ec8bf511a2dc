"""Writing to the host, the host writing to the guests, and the reminders before a screening."""

from datetime import timedelta

import pytest
from django.core import mail

from events import services
from events.models import Resource, Screening
from tests.events.test_guests import confirmed_guest
from tests.helpers import send_outbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def screening(make_screening):
    screening, token = make_screening(
        approve=True,
        title="Filmabend",
        email="gastgeberin@example.org",
        format="virtual",
        city="",
        country="",
        online_url="https://meet.example.org/raum",
        expected_attendees=10,
        places=5,
    )
    screening.token = token
    mail.outbox.clear()
    return screening


def contact(client, screening, **extra):
    data = {"name": "Vera", "email": "vera@example.org", "message": "Darf ich mein Kind mitbringen?", "website": ""}
    return client.post(f"/de/tour/{screening.pk}/contact/", {**data, **extra})


def test_a_visitor_writes_to_the_host_who_can_answer_directly(client, screening):
    html = client.get(screening.get_absolute_url()).content.decode()
    assert "gastgeberin@example.org" not in html
    assert "können Ihnen direkt antworten" in html  # the form says the host sees the address
    response = contact(client, screening)
    # Redirected to the page that says so: reloading it sends nothing again.
    assert (
        response.status_code == 302 and response["Location"] == f"{screening.get_absolute_url()}?sent=1#contact-heading"
    )
    answer = client.get(response["Location"])
    assert "Ihre Nachricht ist unterwegs" in answer.content.decode() and "Darf ich" not in answer.content.decode()
    client.get(response["Location"])
    assert send_outbox() == 1
    (message,) = mail.outbox
    assert message.to == ["gastgeberin@example.org"] and message.reply_to == ["vera@example.org"]
    assert message.subject == "Eine Nachricht zu Ihrer Vorführung „Filmabend“"
    assert "Darf ich mein Kind mitbringen?" in message.body and "Vera schreibt Ihnen" in message.body


def test_refused_or_too_many_messages_keep_what_was_typed(client, screening, settings):
    response = contact(client, screening, email="kaputt")
    assert response.status_code == 400
    html = response.content.decode()
    assert "<title>Fehler:" in html and "Darf ich mein Kind mitbringen?" in html
    settings.CONTACT_HOST_RATE_LIMIT = "2/d"  # per host, whoever writes
    for n in range(2):
        assert contact(client, screening, REMOTE_ADDR=f"198.51.100.{n}").status_code == 302
    response = contact(client, screening, REMOTE_ADDR="198.51.100.9")
    html = response.content.decode()
    assert response.status_code == 429 and "Darf ich mein Kind mitbringen?" in html
    # Said as it is: the host has had many messages (not "your connection sent many forms").
    assert "Diese Gastgeber haben heute viele Nachrichten" in html and "Ihr Formular wurde nicht gesendet" in html
    assert send_outbox() == 2


def test_a_bot_writing_to_the_host_sends_nothing(client, screening):
    assert contact(client, screening, website="http://spam.example").status_code == 302
    assert send_outbox() == 0


def test_the_host_writes_to_every_guest_with_a_place(client, screening):
    confirmed_guest(client, screening, "eins@example.org")
    confirmed_guest(client, screening, "zwei@example.org")
    mail.outbox.clear()
    response = client.post(
        f"/de/screenings/manage/{screening.token}/message/", {"message": "Bitte 10 Minuten früher kommen."}
    )
    assert response.status_code == 302 and response["Location"].endswith("?messaged=2#guests-heading")
    assert "ist unterwegs an 2 Gäste" in client.get(response["Location"]).content.decode()
    send_outbox()
    assert sorted(message.to[0] for message in mail.outbox) == ["eins@example.org", "zwei@example.org"]
    for message in mail.outbox:
        assert "Bitte 10 Minuten früher kommen." in message.body
        assert "gastgeberin@example.org" not in message.body and not message.reply_to


def test_the_hosts_messages_are_limited(client, screening, settings):
    settings.HOST_MESSAGE_RATE_LIMIT = "1/d"
    confirmed_guest(client, screening, "eins@example.org")
    url = f"/de/screenings/manage/{screening.token}/message/"
    assert client.post(url, {"message": "Erste Nachricht"}).status_code == 302
    response = client.post(url, {"message": "Zweite Nachricht"})
    assert response.status_code == 429 and "Zweite Nachricht" in response.content.decode()
    assert client.post(url, {"message": ""}).status_code == 400


def test_reminders_go_out_once_a_day_before(client, screening, settings):
    Resource.objects.create(kind="discussion_guide", title="Leitfaden", url="https://example.org/leitfaden.pdf")
    confirmed_guest(client, screening, "eins@example.org")
    mail.outbox.clear()
    # The clock is moved in the test (the time passed in), never slept through.
    assert services.screenings_send_reminders(now=screening.starts_at - timedelta(hours=30)) == 0
    at = screening.starts_at - timedelta(hours=settings.REMINDER_HOURS_BEFORE - 1)
    assert services.screenings_send_reminders(now=at) == 1
    assert services.screenings_send_reminders(now=at + timedelta(minutes=15)) == 0  # claimed once
    send_outbox()
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"gastgeberin@example.org", "eins@example.org"}
    host = by_recipient["gastgeberin@example.org"]
    assert host.subject == "Erinnerung: Ihre Vorführung „Filmabend“"
    assert "https://example.org/leitfaden.pdf" in host.body and "1 Gast hat einen Platz" in host.body
    guest = by_recipient["eins@example.org"]
    assert guest.subject == "Erinnerung: „Filmabend“" and "https://meet.example.org/raum" in guest.body
    assert guest.attachments[0][0] == "screening.ics"


def test_no_reminder_for_a_cancelled_screening(client, screening):
    services.screening_cancel(screening)
    at = screening.starts_at - timedelta(hours=2)
    assert services.screenings_send_reminders(now=at) == 0
    assert Screening.objects.get(pk=screening.pk).reminded_at is None
