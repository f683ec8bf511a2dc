"""The newsletter: double opt-in with proof of consent, one-click unsubscribe, nothing twice."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.core.cache import caches
from django.utils import timezone

from newsletter import services
from newsletter.models import Subscriber
from tests.helpers import send_outbox

pytestmark = pytest.mark.django_db
SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}


def subscribe(client, email="leser@example.org", language="de", page_language="de", **extra):
    data = {"email": email, "language": language, "consent": "on", "website": "", **extra}
    return client.post(f"/{page_language}/newsletter/", data, **SAME_ORIGIN)


def link(message, kind):
    return re.search(rf"http://testserver(/\w\w/newsletter/{kind}/[\w-]+/)", message.body).group(1)


def test_the_form_is_linked_from_every_page_and_the_home_page(client):
    for path in ("/de/", "/en/faq/", "/de/tour/"):
        assert 'href="/' + path.split("/")[1] + '/newsletter/"' in client.get(path).content.decode()
    page = client.get("/de/newsletter/")
    assert page.status_code == 200 and not page.cookies
    assert "Newsletter" in page.content.decode() and services.consent_text("de") in page.content.decode()


def test_double_opt_in_keeps_proof_of_consent_and_welcomes(client):
    response = subscribe(client, language="en")
    assert response.status_code == 200 and "<strong>leser@example.org</strong>" in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.status == "pending" and subscriber.confirmed_at is None
    assert subscriber.consent_text == services.consent_text("de") and subscriber.consent_version  # the page's
    assert send_outbox() == 1
    (message,) = mail.outbox
    assert message.subject == "Please confirm your newsletter subscription"
    confirm = link(message, "confirm")
    # Opening the link confirms nothing (a mail scanner might); the button does.
    assert "Yes, subscribe me" in client.get(confirm).content.decode()
    assert Subscriber.objects.get().status == "pending"
    assert "you are subscribed" in client.post(confirm).content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed" and subscriber.confirmed_at is not None
    send_outbox()
    welcome = mail.outbox[-1]
    assert welcome.subject == "Welcome to the newsletter of “The Social Dilemma”"
    assert welcome.alternatives and welcome.alternatives[0][1] == "text/html"
    unsubscribe = link(welcome, "unsubscribe")
    assert welcome.extra_headers["List-Unsubscribe"] == f"<http://testserver{unsubscribe}>"
    assert welcome.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_one_click_unsubscribes_at_once_without_cookie_or_origin(client):
    subscribe(client)
    send_outbox()
    client.post(link(mail.outbox[-1], "confirm"))
    send_outbox()
    unsubscribe = link(mail.outbox[-1], "unsubscribe")
    # RFC 8058: the mail program POSTs this body from its own servers, without Origin or cookies.
    response = client.post(unsubscribe, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and not response.cookies
    assert not Subscriber.objects.exists()
    again = client.post(unsubscribe, {"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200  # the same answer twice
    # Subscribing again needs a new double opt-in.
    caches["limits"].clear()  # the one-email-per-address records
    subscribe(client)
    assert Subscriber.objects.get().status == "pending" and send_outbox() == 1


def test_the_same_address_gets_the_same_answer_and_at_most_one_email_an_hour(client):
    first = subscribe(client, email="Leser@Example.org")
    second = subscribe(client, email="leser@example.org")
    assert first.status_code == second.status_code == 200
    assert Subscriber.objects.count() == 1 and send_outbox() == 1
    client.post(link(mail.outbox[-1], "confirm"))
    caches["limits"].clear()  # the one-email-per-address records
    third = subscribe(client)
    assert third.status_code == 200 and Subscriber.objects.get().status == "confirmed"
    assert send_outbox() == 1  # the welcome only: no second subscription, no new request


def test_a_confirmation_expires_and_old_requests_are_removed(client, settings):
    subscribe(client)
    send_outbox()
    confirm = link(mail.outbox[-1], "confirm")
    Subscriber.objects.update(requested_at=timezone.now() - timedelta(days=settings.NEWSLETTER_CONFIRM_DAYS, hours=1))
    assert "abgelaufen" in client.post(confirm).content.decode()
    assert Subscriber.objects.get().status == "pending"
    Subscriber.objects.update(requested_at=timezone.now() - timedelta(days=settings.NEWSLETTER_UNCONFIRMED_DAYS + 1))
    assert services.subscribers_remove_unconfirmed() == 1 and not Subscriber.objects.exists()


def test_refused_and_limited_forms_keep_what_was_typed(client, settings):
    response = subscribe(client, email="kaputt", consent="")
    assert response.status_code == 400 and 'value="kaputt"' in response.content.decode()
    assert "<title>Fehler:" in response.content.decode() and not Subscriber.objects.exists()
    assert subscribe(client, website="http://spam.example").status_code == 200 and not Subscriber.objects.exists()
    settings.NEWSLETTER_RATE_LIMIT = "1/h"
    assert subscribe(client, email="a@example.org").status_code == 200
    limited = subscribe(client, email="b@example.org")
    assert limited.status_code == 429 and 'value="b@example.org"' in limited.content.decode()


def test_staff_export_confirmed_subscribers_and_the_export_is_logged(client, admin_client):
    subscribe(client, email="eins@example.org")
    subscribe(client, email="=zwei@example.org")
    send_outbox()
    for message in mail.outbox:
        client.post(link(message, "confirm"))
    subscribe(client, email="offen@example.org")
    response = admin_client.post(
        "/admin/newsletter/subscriber/",
        {"action": "export_confirmed_csv", "_selected_action": list(Subscriber.objects.values_list("pk", flat=True))},
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "email" and {row[0] for row in rows[1:]} == {"eins@example.org", "'=zwei@example.org"}
    assert LogEntry.objects.filter(change_message="Exported as CSV").count() == 1


def test_the_privacy_page_now_describes_the_newsletter(client):
    html = client.get("/en/privacy/").content.decode()
    assert "Newsletter" in html and "A confirmed subscription, with the proof of your consent" in html


def test_the_faqs_newsletter_mentions_lead_here(client):
    import importlib

    from django.apps import apps

    from faq.models import Entry

    for language in ("de", "en"):
        html = client.get(f"/{language}/faq/").content.decode()
        assert html.count(f'href="/{language}/newsletter/"') >= 5
        assert "newsletter on TheSocialDilemma" not in html and "Newsletter auf TheSocialDilemma" not in html
    # A database seeded before the newsletter existed gets the links, staff edits elsewhere kept.
    migration = importlib.import_module("faq.migrations.0007_newsletter_links")
    entry = Entry.objects.filter(answer_en__contains="site:newsletter").first()
    entry.answer_en = entry.answer_en.replace(
        "subscribe to [our newsletter](site:newsletter)",
        "subscribe to the newsletter on [TheSocialDilemma.com](https://www.thesocialdilemma.com/)",
    )
    entry.save()
    migration.link_newsletter(apps, None)
    entry.refresh_from_db()
    assert "subscribe to [our newsletter](site:newsletter)" in entry.answer_en


def test_unsubscribe_links_survive_a_new_secret_key(client, settings):
    subscribe(client)
    send_outbox()
    client.post(link(mail.outbox[-1], "confirm"))
    settings.SECRET_KEY = "a-rotated-secret-" + "y" * 40
    send_outbox()
    unsubscribe = link(mail.outbox[-1], "unsubscribe")
    client.post(unsubscribe, {"List-Unsubscribe": "One-Click"})
    assert not Subscriber.objects.exists()


def test_the_consent_kept_is_the_text_the_page_showed_and_domains_keep_their_letters(client):
    subscribe(client, email="x@straße.de", language="en", page_language="de")
    subscriber = Subscriber.objects.get()
    assert subscriber.consent_text == services.consent_text("de") and subscriber.language == "en"
    assert subscriber.email == "x@xn--strae-oqa.de"  # not x@strasse.de, another domain


def test_the_export_log_names_no_address(client, admin_client):
    subscribe(client, email="eins@example.org")
    send_outbox()
    client.post(link(mail.outbox[-1], "confirm"))
    admin_client.post(
        "/admin/newsletter/subscriber/",
        {"action": "export_confirmed_csv", "_selected_action": list(Subscriber.objects.values_list("pk", flat=True))},
    )
    entry = LogEntry.objects.get(change_message="Exported as CSV")
    assert entry.object_repr == "1 subscribers" and "eins" not in entry.object_repr
