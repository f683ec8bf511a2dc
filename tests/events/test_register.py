import re
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from events import services
from events.models import NetflixTerms, Screening
from tests.helpers import future_local, send_outbox

pytestmark = pytest.mark.django_db

CONTRACT_FIELDS = [
    "host_name",
    "email",
    "organisation",
    "title",
    "description",
    "format",
    "starts_at",
    "timezone",
    "expected_attendees",
    "city",
    "country",
    "online_url",
    "language",
    "publish_on_tour",
    "accept_terms",
    "accept_distancing",
    "website",
]


@pytest.mark.parametrize("language", ["de", "en"])
def test_form_has_the_contract_field_names(client, language):
    html = client.get(f"/{language}/screenings/register/").content.decode()
    for name in CONTRACT_FIELDS:
        assert f'name="{name}"' in html, name
    assert re.search(r'<input type="datetime-local" name="starts_at"', html)
    label = {"de": "Deutschland – Berlin", "en": "Germany – Berlin"}[language]
    assert f'<option value="Europe/Berlin" data-country="DE" data-main selected>{label}</option>' in html
    assert re.search(rf'<option value="{language}" selected>', html)
    assert 'value="virtual"' in html and 'value="in_person"' in html
    assert 'class="hp" aria-hidden="true"' in html
    title = (
        "Bedingungen von Netflix für einmalige Vorführungen"
        if language == "de"
        else "Netflix's terms for one-time screenings"
    )
    assert title in unescape(html)


@pytest.mark.parametrize("language", ["de", "en"])
def test_valid_registration_is_saved_with_the_terms_and_emails_the_host_in_their_language(
    client, form_data, terms, language
):
    data = form_data(language=language, title="Abend <b>eins</b>")
    response = client.post(f"/{language}/screenings/register/", data)
    # The answer is the thank-you page itself, naming the address the email goes to.
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    thanks = " ".join(response.content.decode().split())
    heading = "Vielen Dank für Ihre Registrierung" if language == "de" else "Thank you for registering"
    assert f"<h1>{heading}</h1>" in thanks and "<strong>ana@example.org</strong>" in thanks
    screening = Screening.objects.get()
    assert screening.host_name == "Ana Beispiel" and screening.language == language
    assert screening.terms == terms and screening.terms_accepted_at is not None
    expected_title = terms.title_de if language == "de" else terms.title_en
    assert screening.terms_text.startswith(expected_title)
    assert "https://help.netflix.com/legal/termsofuse" in screening.terms_text
    assert screening.status == Screening.Status.REGISTERED
    assert screening.local_start.strftime("%Y-%m-%dT%H:%M") == data["starts_at"]
    assert not mail.outbox  # the worker sends it
    assert send_outbox() == 1
    (message,) = mail.outbox
    assert message.to == ["ana@example.org"]
    greeting = "Guten Tag Ana Beispiel," if language == "de" else "Hello Ana Beispiel,"
    assert message.body.startswith(greeting)
    html, mime = message.alternatives[0]
    assert mime == "text/html" and "Abend &lt;b&gt;eins&lt;/b&gt;" in html
    link = re.search(r"http://testserver(/\w\w/screenings/manage/[\w-]+/)", message.body).group(1)
    assert link.startswith(f"/{language}/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 40 and token not in str(Screening.objects.values().get())
    # The thank-you page's own address (an old bookmark) cannot know the address.
    page = " ".join(client.get("/" + language + "/screenings/registered/").content.decode().split())
    assert ("Wir senden Ihnen eine E-Mail" if language == "de" else "We are sending you an email") in page
    assert "ana@example.org" not in page


def test_the_email_subject_is_plain_text(client, form_data):
    client.post("/en/screenings/register/", form_data(language="en", title='Film & "Talk" <3'))
    send_outbox()
    assert mail.outbox[0].subject == 'Your screening “Film & "Talk" <3”: please confirm'


def test_the_link_in_the_email_confirms_the_address(client, form_data):
    client.post("/de/screenings/register/", form_data())
    send_outbox()
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    assert client.get(link).status_code == 200
    assert Screening.objects.get().email_confirmed_at is None  # a link scanner's visit confirms nothing
    response = client.post(link, {"action": "confirm"})
    assert response.status_code == 302
    screening = Screening.objects.get()
    assert screening.status == Screening.Status.CONFIRMED and screening.email_confirmed_at


REFUSALS = [
    (
        {"starts_at": future_local(days=-1)},
        "starts_at",
        "Die Vorführung muss in der Zukunft beginnen.",
        "The screening must start in the future.",
    ),
    ({"starts_at": future_local(days=800)}, "starts_at", "höchstens 2 Jahre im Voraus", "at most 2 years ahead"),
    (
        {"starts_at": "morgen abend"},
        "starts_at",
        "Bitte geben Sie Datum und Uhrzeit ein",
        "Please enter a date and time",
    ),
    ({"expected_attendees": "0"}, "expected_attendees", "größer oder gleich 1", "greater than or equal to 1"),
    (
        {
            "format": "in_person",
            "online_url": "",
            "city": "Köln",
            "country": "DE",
            "accept_distancing": "on",
            "expected_attendees": "26",
        },
        "expected_attendees",
        "höchstens 25 Personen",
        "at most 25 people",
    ),
    (
        {"format": "in_person", "online_url": "", "city": "Köln", "country": "DE"},
        "accept_distancing",
        "strenge Abstandsregeln: Bitte bestätigen",
        "need strict distancing",
    ),
    (
        {"format": "in_person", "online_url": "", "accept_distancing": "on", "country": "DE"},
        "city",
        "Bitte geben Sie den Ort",
        "Please enter the city",
    ),
    (
        {"format": "in_person", "online_url": "", "accept_distancing": "on", "city": "Köln"},
        "country",
        "Bitte wählen Sie das Land",
        "Please choose the country",
    ),
    (
        {"format": "in_person", "city": "Köln", "country": "DE", "accept_distancing": "on"},
        "online_url",
        "nur für virtuelle Vorführungen",
        "only for virtual screenings",
    ),
    ({"online_url": "javascript:alert(1)"}, "online_url", "gültige Adresse", "valid URL"),
    ({"email": "not-an-address"}, "email", "gültige E-Mail-Adresse", "valid email address"),
    ({"title": "x" * 201}, "title", "höchstens 200 Zeichen", "at most 200 characters"),
    ({"title": ""}, "title", "Dieses Feld ist zwingend erforderlich.", "This field is required."),
    (
        {"title": "Abend\r\nBcc: victim@example.org"},
        "title",
        "ohne Steuerzeichen",
        "without special control characters",
    ),
    ({"host_name": "Ana\x00"}, "host_name", "Nullzeichen", "Null characters"),
    (
        {"accept_terms": None},
        "accept_terms",
        "Bitte akzeptieren Sie die Bedingungen von Netflix",
        "Please accept Netflix's terms",
    ),
    ({"timezone": "Mars/Olympus"}, "timezone", "Bitte eine gültige Auswahl treffen", "Select a valid choice"),
    (
        {"starts_at": "2027-03-28T02:30", "timezone": "Europe/Berlin"},
        "starts_at",
        "gibt es in dieser Zeitzone nicht",
        "does not exist in that time zone",
    ),
    ({"description": "y" * 2001}, "description", "höchstens 2000 Zeichen", "at most 2000 characters"),
]


@pytest.mark.parametrize(("overrides", "field", "german", "english"), REFUSALS)
@pytest.mark.parametrize("language", ["de", "en"])
def test_refusals_have_a_clear_message_in_the_visitors_language_and_keep_what_was_typed(
    client, form_data, overrides, field, german, english, language
):
    data = form_data(**overrides)
    response = client.post(f"/{language}/screenings/register/", data)
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert (german if language == "de" else english) in html
    assert f'id="id_{field}_error"' in html or field == "format"
    assert 'aria-invalid="true"' in html
    assert not Screening.objects.exists()
    assert not mail.outbox
    # Everything typed is still there.
    assert 'value="Ana Beispiel"' in html or field == "host_name"
    assert "Wir schauen den Film und sprechen danach." in html or field == "description"


def test_the_small_group_limit_is_configurable(client, form_data, settings):
    settings.SCREENING_MAX_IN_PERSON = 10
    data = form_data(
        format="in_person", online_url="", city="Köln", country="DE", accept_distancing="on", expected_attendees="11"
    )
    assert "höchstens 10 Personen" in client.post("/de/screenings/register/", data).content.decode()
    data["expected_attendees"] = "10"
    assert client.post("/de/screenings/register/", data).status_code == 200
    assert Screening.objects.get().distancing_accepted_at is not None


def test_the_honeypot_saves_nothing_and_tells_the_bot_nothing(client, form_data):
    response = client.post("/de/screenings/register/", form_data(website="http://spam.example"))
    assert response.status_code == 200 and "Vielen Dank für Ihre Registrierung" in response.content.decode()
    assert not Screening.objects.exists() and not mail.outbox


def test_registrations_are_rate_limited_per_client_without_storing_the_address(client, form_data, settings):
    settings.SCREENING_RATE_LIMIT = "3/h"
    # Refused forms do not count: a host correcting mistakes is never locked out.
    for _ in range(5):
        client.post("/de/screenings/register/", form_data(title=""), REMOTE_ADDR="198.51.100.23")
    for n in range(3):
        response = client.post("/de/screenings/register/", form_data(title=f"Abend {n}"), REMOTE_ADDR="198.51.100.23")
        assert response.status_code == 200
    response = client.post("/de/screenings/register/", form_data(title="Abend 4"), REMOTE_ADDR="198.51.100.23")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Bitte versuchen Sie es in einer Stunde noch einmal" in html
    assert 'value="Abend 4"' in html  # nothing typed is lost
    assert Screening.objects.count() == 3
    # Another client is not affected.
    other = client.post("/en/screenings/register/", form_data(title="Other"), REMOTE_ADDR="198.51.100.99")
    assert other.status_code == 200
    again = client.post("/en/screenings/register/", form_data(), REMOTE_ADDR="198.51.100.23")
    assert "Please try again in an hour" in again.content.decode()
    # The shared caches (the site's and, in a folder inside it, the limits') hold only keyed hashes: the
    # address appears in no stored key or value.
    folder = Path(settings.CACHES["default"]["LOCATION"])
    assert Path(settings.CACHES["limits"]["LOCATION"]).parent == folder
    stored = b"".join(path.read_bytes() for path in folder.rglob("*") if path.is_file())
    assert stored and b"198.51.100" not in stored


def test_a_new_terms_version_applies_to_new_registrations_only(client, form_data, terms, committed):
    client.post("/de/screenings/register/", form_data(title="Vorher"))
    with committed():
        newer = NetflixTerms.objects.create(
            version="2027-01",
            title_de="Neue Bedingungen",
            title_en="New terms",
            summary_de="Neu.",
            summary_en="New.",
            official_url="https://help.netflix.com/",
            valid_from=timezone.now() - timedelta(minutes=1),
        )
    client.post("/de/screenings/register/", form_data(title="Nachher"))
    assert Screening.objects.get(title="Vorher").terms == terms
    after = Screening.objects.get(title="Nachher")
    assert after.terms == newer and after.terms_text.startswith("Neue Bedingungen")
    assert "Neue Bedingungen" in client.get("/de/screenings/register/").content.decode()


def test_future_terms_do_not_apply_yet(client, form_data, terms):
    NetflixTerms.objects.create(
        version="2099",
        title_de="Zukunft",
        title_en="Future",
        summary_de="x",
        summary_en="x",
        official_url="https://help.netflix.com/",
        valid_from=timezone.now() + timedelta(days=5),
    )
    client.post("/de/screenings/register/", form_data())
    assert Screening.objects.get().terms == terms


def test_registration_is_closed_without_terms(client):
    NetflixTerms.objects.all().delete()
    response = client.get("/en/screenings/register/")
    assert response.status_code == 503 and "Registration is not open yet" in response.content.decode()


def test_screenings_page_tells_the_seed_facts_in_both_languages(client):
    german = client.get("/de/screenings/").content.decode()
    for fact in (
        "einmalige Genehmigung",
        "über 190 Ländern",
        "15. Oktober 2021",
        "40-minütige",
        "3–4-minütige",
        "iPad",
        "HDMI",
        "höchstens 25",
    ):
        assert fact in german, fact
    english = client.get("/en/screenings/").content.decode()
    for fact in (
        "one-time permission",
        "over 190 countries",
        "15 October 2021",
        "40-minute",
        "3–4-minute",
        "iPad",
        "HDMI",
        "at most 25",
    ):
        assert fact in english, fact


@pytest.mark.parametrize(
    ("language", "when"),
    [
        ("de", "20. Januar 2027, 19:30 Uhr (Vereinigte Staaten von Amerika – New York)"),
        ("en", "20 January 2027, 19:30 (United States of America – New York)"),
    ],
)
def test_the_email_gives_the_start_in_the_screenings_own_time_zone_and_language(make_screening, language, when):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from events.services import link_email

    screening, _ = make_screening(
        language=language,
        timezone="America/New_York",
        starts_at=datetime(2027, 1, 20, 19, 30, tzinfo=ZoneInfo("America/New_York")),
        # Text that looks like the email's own placeholders stays what the host typed.
        host_name="email-value-title-5b1e9c",
        title="Kino & <Gespräch>",
    )
    subject, text, html = link_email(screening, link="https://example.org/x?a=1&b=2", kind="confirmation")
    assert when in text and when in html
    assert "email-value-title-5b1e9c" in text and "Kino & <Gespräch>" in subject
    assert "Kino &amp; &lt;Gespräch&gt;" in html and "<Gespräch>" not in html
    assert 'href="https://example.org/x?a=1&amp;b=2"' in html and "https://example.org/x?a=1&b=2" in text
    assert f'<html lang="{language}">' in html


def test_an_integrity_error_that_is_not_a_double_submit_is_not_taken_for_one(form_data, terms):
    from unittest import mock

    from django.db import IntegrityError

    from events import services
    from events.forms import ScreeningForm

    form = ScreeningForm(form_data(), language="de")
    assert form.is_valid()
    with (
        mock.patch.object(Screening.objects, "create", side_effect=IntegrityError("another constraint")),
        pytest.raises(IntegrityError),
    ):
        services.screening_register(data=form.screening_data(), terms=terms, language="de")


def test_registrations_in_one_address_send_it_a_few_emails_an_hour_and_the_answer_stays(client, form_data, settings):
    settings.SCREENING_ADDRESS_RATE_LIMIT = "2/h"
    for n in range(4):
        response = client.post(
            "/de/screenings/register/",
            form_data(email="Opfer@Example.org", title=f"Abend {n}"),
            REMOTE_ADDR=f"203.0.113.{n}",
        )
        assert response.status_code == 200 and "Opfer@Example.org" in response.content.decode()
    assert Screening.objects.count() == 4  # every registration is saved; its host can ask for the link
    assert send_outbox() == 2


def test_asking_for_the_link_again_sends_one_email_with_a_link_for_each_screening(client, make_screening, settings):
    """A stranger's newer registrations in the host's name hide neither the host's confirmed screening nor
    the host's own registration that is not confirmed yet; one email lists them all, within a bound."""
    settings.SCREENING_UNCONFIRMED_LINKS_PER_EMAIL = 3
    make_screening(email="host@example.org", title="Bestätigt")
    make_screening(confirm=False, email="host@example.org", title="Meine eigene")
    for n in range(2):
        make_screening(confirm=False, email="HOST@example.org", title=f"Fremd <{n}>")
    send_outbox()
    mail.outbox.clear()
    assert services.screenings_send_links_to(email="host@example.org", language="en") == 4
    assert send_outbox() == 1
    (message,) = mail.outbox
    # To the address as the confirmed registration spelled it.
    assert message.to == ["host@example.org"] and message.subject == "The links to your screenings"
    text, html = message.body, message.alternatives[0][0]
    assert "Bestätigt" in text and "Meine eigene" in text and "Fremd <1>" in text
    assert "Fremd &lt;1&gt;" in html and "<1>" not in html and '<html lang="en">' in html
    assert text.count("Not confirmed yet") == 3 and "deleted after 14 days" in text
    entry = r"^(.+)\nWhen: .+\n(?:Not confirmed yet.+\n)?http://testserver(/en/screenings/manage/\S+/)"
    links = dict(re.findall(entry, text, re.M))
    assert len(links) == 4 and len(set(links.values())) == 4
    buttons = re.findall(r'href="http://testserver(/en/screenings/manage/[\w:-]+/)"', html)
    assert sorted(buttons) == sorted(links.values())
    # However many a stranger makes, the email lists the newest few unconfirmed ones, and all confirmed.
    for n in range(2, 4):
        make_screening(confirm=False, email="host@example.org", title=f"Fremd <{n}>")
    send_outbox()
    mail.outbox.clear()
    assert services.screenings_send_links_to(email="host@example.org", language="de") == 4
    send_outbox()
    assert mail.outbox[0].subject == "Die Links zu Ihren Vorführungen"
    assert "Bestätigt" in mail.outbox[0].body and "Meine eigene" not in mail.outbox[0].body
    # Each link opens its own screening; an unconfirmed one only by the host's button, never by a link
    # scanner opening them all. While a screening's link in use stays the same, every request emails the
    # same new link, so a stranger's request cannot replace one the host has opened and kept.
    second = re.findall(r"http://testserver(/de/screenings/manage/\S+/)", mail.outbox[0].body)
    assert links["Bestätigt"].replace("/en/", "/de/") in second
    for link in [*second, links["Meine eigene"], links["Fremd <0>"]]:
        assert client.get(link).status_code == 200
    assert Screening.objects.filter(email_confirmed_at__isnull=True).count() == 5
    client.post(links["Meine eigene"], {"action": "confirm"})
    confirmed = Screening.objects.filter(email_confirmed_at__isnull=False)
    assert set(confirmed.values_list("title", flat=True)) == {"Bestätigt", "Meine eigene"}


def test_a_link_request_for_one_screening_names_it_and_sends_the_same_link_on_every_attempt(make_screening):
    from events import emails
    from socialdilemma.taskqueue.models import Email

    screening, _token = make_screening(email="host@example.org", title="Abend")
    mail.outbox.clear()
    assert services.screenings_send_links_to(email="host@example.org") == 1
    email = Email.objects.get(renderer=services.HOST_LINKS_RENDERER)
    first, again = emails.host_links(email), emails.host_links(email)
    assert first.body == again.body and first.subject == "Der Link zu Ihrer Vorführung „Abend“"
    assert "Noch nicht bestätigt" not in first.body
    # A screening cancelled meanwhile has no link any more: the email is dropped.
    services.screening_cancel(screening)
    assert emails.host_links(email) is None


def test_asking_for_the_link_finds_the_registration_under_either_spelling_of_its_domain(make_screening):
    make_screening(email="Anna@bücher.example", title="Lesung")
    mail.outbox.clear()
    assert services.screenings_send_links_to(email="anna@xn--bcher-kva.example") == 1
    assert services.screenings_send_links_to(email="anna@BÜCHER.example") == 1
    assert services.screenings_send_links_to(email="anna@buecher.example") == 0
