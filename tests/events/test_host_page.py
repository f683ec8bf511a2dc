import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from events import services
from events.models import Resource, Screening
from tests.helpers import send_outbox

pytestmark = pytest.mark.django_db


def manage_url(token, language="de"):
    return f"/{language}/screenings/manage/{token}/"


def edit_data(screening, **overrides):
    data = {
        "host_name": screening.host_name,
        "organisation": screening.organisation,
        "title": screening.title,
        "description": screening.description,
        "format": screening.format,
        "starts_at": screening.local_start.strftime("%Y-%m-%dT%H:%M"),
        "timezone": screening.timezone,
        "expected_attendees": str(screening.expected_attendees),
        "city": screening.city,
        "country": screening.country.code or "",
        "online_url": screening.online_url,
        "language": screening.language,
        "publish_on_tour": "on" if screening.publish_on_tour else "",
        "accept_distancing": "on",
    }
    data.update(overrides)
    return data


def test_host_page_shows_details_status_and_is_private(client, make_screening):
    screening, token = make_screening(confirm=False, title="Filmabend im Hof")
    # Opening the link (or a mail program's link scanner) confirms nothing: the host's button does.
    response = client.get(manage_url(token))
    html = response.content.decode()
    assert response.status_code == 200 and "<h1>Filmabend im Hof</h1>" in html
    assert "Meine Registrierung bestätigen" in html and "Änderungen speichern" not in html
    assert "nach 14 Tagen gelöscht" in html and response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer" and "noindex" in response["X-Robots-Tag"]
    client.post(manage_url(token), {"title": "Übernommen?"})  # a stale edit form confirms and saves nothing
    screening.refresh_from_db()
    assert screening.status == Screening.Status.REGISTERED and screening.email_confirmed_at is None
    assert screening.title == "Filmabend im Hof"
    response = client.post(manage_url(token), {"action": "confirm"})
    assert response.status_code == 302 and response["Location"] == manage_url(token) + "?saved=confirmed"
    # Sent twice (a double click): the same answer, not a refused edit.
    again = client.post(manage_url(token), {"action": "confirm"})
    assert again.status_code == 302 and again["Location"] == response["Location"]
    # Nothing else under the link acts before the confirmation: a message to guests leads to it.
    other, other_token = make_screening(confirm=False, title="Noch offen", email="b@example.org")
    refused = client.post(f"/de/screenings/manage/{other_token}/message/", {"message": ""})
    assert refused.status_code == 302 and refused["Location"] == manage_url(other_token)
    # A cancelled registration that was never confirmed is not said to be confirmed.
    services.screening_cancel(other)
    refused = client.post(manage_url(other_token), {"action": "confirm"})
    assert "?saved=confirmed" not in refused.headers.get("Location", "")
    other.refresh_from_db()
    assert other.email_confirmed_at is None
    response = client.get(response["Location"])
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ihre E-Mail-Adresse ist bestätigt" in html
    assert "<h1>Filmabend im Hof</h1>" in html
    assert "Version 2020-09" in html
    assert "Wartet auf die Prüfung durch unser Team" in html
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]
    screening.refresh_from_db()
    assert screening.status == Screening.Status.CONFIRMED
    english = client.get(manage_url(token, "en")).content.decode()
    assert "Waiting for our team" in english


@pytest.mark.parametrize("token", ["not-a-token", "x" * 43, "a" * 500])
def test_unknown_or_forged_tokens_find_nothing(client, make_screening, token):
    make_screening()
    response = client.get(manage_url(token))
    assert response.status_code == 404
    assert "Dieser Link funktioniert nicht" in response.content.decode()


def test_the_link_expires_some_time_after_the_screening(client, make_screening, settings):
    settings.SCREENING_HOST_LINK_DAYS = 30
    screening, token = make_screening()
    Screening.objects.filter(pk=screening.pk).update(starts_at=timezone.now() - timedelta(days=29))
    assert client.get(manage_url(token)).status_code == 200
    Screening.objects.filter(pk=screening.pk).update(starts_at=timezone.now() - timedelta(days=31))
    assert client.get(manage_url(token)).status_code == 404


def test_only_a_hash_of_the_token_is_stored(make_screening):
    screening, token = make_screening()
    stored = " ".join(str(value) for value in Screening.objects.filter(pk=screening.pk).values().get().values())
    assert token not in stored
    assert Screening.hash_token(token) in stored


def test_resources_are_listed_with_their_availability(client, make_screening):
    Resource.objects.create(
        kind="discussion_guide",
        title_de="Diskussionsleitfaden",
        title_en="Discussion guide",
        url_de="https://example.org/de.pdf",
        url_en="https://example.org/en.pdf",
    )
    Resource.objects.create(
        kind="short_version",
        title_de="Kurzfassung",
        title_en="Short version",
        url_de="https://example.org/kurz",
        available_from=timezone.localdate() + timedelta(days=3),
    )
    Resource.objects.create(kind="bonus_clip", title_de="Versteckt", url_de="https://example.org/x", published=False)
    _screening, token = make_screening()
    html = client.get(manage_url(token)).content.decode()
    assert '<a href="https://example.org/de.pdf" rel="noopener noreferrer">Diskussionsleitfaden</a>' in html
    assert "Kurzfassung – verfügbar ab" in html and "https://example.org/kurz" not in html
    assert "Versteckt" not in html
    english = client.get(manage_url(token, "en")).content.decode()
    assert '<a href="https://example.org/en.pdf" rel="noopener noreferrer">Discussion guide</a>' in english
    assert "Short version – available from" in english


def test_editing_saves_and_a_public_change_is_looked_at_again_while_the_page_stays(client, make_screening, committed):
    screening, token = make_screening(approve=True)
    assert screening.tour_status == Screening.TourStatus.APPROVED
    response = client.post(manage_url(token), edit_data(screening, host_name="Neuer Name"))
    assert response.status_code == 302 and response["Location"].endswith("?saved=1")
    screening.refresh_from_db()
    assert screening.host_name == "Neuer Name" and screening.tour_changed_at is None
    # A typo fixed in the title: the page, its printed QR code and the guests' links keep working;
    # staff see the change in the admin and look at it afterwards.
    response = client.post(manage_url(token), edit_data(screening, title="Neuer Titel"))
    assert response["Location"].endswith("?saved=shown")
    screening.refresh_from_db()
    assert screening.title == "Neuer Titel" and screening.shown_on_tour and screening.tour_changed_at is not None
    assert "Ihre Vorführungsseite zeigt sie jetzt" in client.get(response["Location"]).content.decode()
    assert client.get(screening.get_absolute_url()).status_code == 200
    services.screening_review(screenings=Screening.objects.filter(pk=screening.pk), approve=True)
    screening.refresh_from_db()
    assert screening.tour_changed_at is None and screening.shown_on_tour


def test_a_screening_not_yet_reviewed_waits_for_the_review_after_an_edit(client, make_screening):
    screening, token = make_screening()
    response = client.post(manage_url(token), edit_data(screening, title="Neuer Titel"))
    assert response["Location"].endswith("?saved=review")
    screening.refresh_from_db()
    assert not screening.shown_on_tour and screening.tour_status == Screening.TourStatus.PENDING
    assert "Unser Team prüft Ihre Vorführung" in client.get(response["Location"]).content.decode()


def test_an_edit_that_changes_nothing_public_keeps_every_cached_page(client, make_screening, committed):
    with committed():
        screening, token = make_screening(approve=True)
    places = str(screening.places)
    with committed() as callbacks:
        client.post(manage_url(token), edit_data(screening, host_name="Neuer Name", places=places))
    assert callbacks == []  # no replacement of the content version (which empties every page cache)
    with committed() as callbacks:
        client.post(manage_url(token), edit_data(screening, title="Neu", places=places))
    assert callbacks


def test_once_the_screening_has_begun_its_time_stays_and_it_cannot_be_cancelled(client, make_screening):
    screening, token = make_screening()
    Screening.objects.filter(pk=screening.pk).update(starts_at=timezone.now() - timedelta(hours=3))
    screening.refresh_from_db()
    page = client.get(manage_url(token)).content.decode()
    assert f"/screenings/manage/{token}/cancel/" not in page
    later = (timezone.now() + timedelta(days=30)).astimezone(screening.zone).strftime("%Y-%m-%dT%H:%M")
    response = client.post(manage_url(token), edit_data(screening, starts_at=later))
    assert response.status_code == 400 and "hat begonnen" in response.content.decode()
    assert client.post(f"/de/screenings/manage/{token}/cancel/").status_code == 302
    screening.refresh_from_db()
    assert not screening.is_cancelled and not services.screening_cancel(screening)


def test_a_date_typed_the_german_way_is_understood(client, make_screening):
    screening, token = make_screening()
    later = (timezone.now() + timedelta(days=40)).astimezone(screening.zone).replace(hour=19, minute=30)
    response = client.post(manage_url(token), edit_data(screening, starts_at=later.strftime("%d.%m.%Y %H:%M")))
    assert response.status_code == 302
    screening.refresh_from_db()
    assert screening.local_start.replace(second=0, microsecond=0) == later.replace(second=0, microsecond=0)
    response = client.post(manage_url(token), edit_data(screening, starts_at="morgen"))
    # The example is a date to come, written as the reader writes dates.
    example = (timezone.localdate() + timedelta(days=30)).strftime("%d.%m.%Y 19:30")
    assert f"z. B. {example}" in response.content.decode()


def test_an_invalid_online_link_is_refused_once(client, make_screening):
    screening, token = make_screening(format="virtual", city="", country="")
    html = client.post(manage_url(token), edit_data(screening, online_url="kein link bisher")).content.decode()
    error = re.search(r'id="id_online_url_error"[^>]*>(.*?)</ul>', html, re.S)
    assert error and error.group(1).count("gültige") == 1


def test_a_refused_message_to_the_guests_opens_at_its_form_with_the_errors(client, make_screening):
    screening, token = make_screening()
    screening.guests.create(
        email="g@example.org", name="G", language="de", status="confirmed", conduct_accepted_at=timezone.now()
    )
    html = client.get(manage_url(token)).content.decode()
    assert f'action="/de/screenings/manage/{token}/message/#guests-heading"' in html
    html = client.post(f"/de/screenings/manage/{token}/message/", {"message": ""}).content.decode()
    assert 'class="error-summary"' in html and "Bitte prüfen Sie Ihre Angaben" in html


def test_cancelling_and_undoing_is_limited_per_screening(client, make_screening, settings):
    settings.SCREENING_GUEST_NOTICE_RATE_LIMIT = "2/d"
    screening, token = make_screening()
    client.post(f"/de/screenings/manage/{token}/cancel/")
    client.post(f"/de/screenings/manage/{token}/restore/")
    response = client.post(f"/de/screenings/manage/{token}/cancel/")
    assert response["Location"].endswith("?saved=too-many")
    screening.refresh_from_db()
    assert not screening.is_cancelled
    assert "nur wenige Male am Tag" in client.get(response["Location"]).content.decode()


def test_an_invalid_edit_is_refused_with_everything_kept(client, make_screening):
    screening, token = make_screening()
    response = client.post(manage_url(token), edit_data(screening, title="Neu", expected_attendees="500"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "höchstens 25 Personen" in html and 'value="Neu"' in html
    screening.refresh_from_db()
    assert screening.title == "Screening"


def test_an_unchanged_start_in_the_past_does_not_block_other_edits(client, make_screening):
    screening, token = make_screening()
    Screening.objects.filter(pk=screening.pk).update(starts_at=timezone.now() - timedelta(days=1))
    screening.refresh_from_db()
    response = client.post(manage_url(token), edit_data(screening, description="Nachbericht"))
    assert response.status_code == 302


def test_cancelling_asks_first_and_can_be_undone_until_the_screening_starts(client, make_screening, committed):
    with committed():
        screening, token = make_screening(approve=True, title="Hofkino")
    assert screening.shown_on_tour
    # The host page links to a confirmation; only its POST cancels.
    page = client.get(f"/de/screenings/manage/{token}/").content.decode()
    assert f'href="/de/screenings/manage/{token}/cancel/"' in page
    question = client.get(f"/de/screenings/manage/{token}/cancel/")
    assert question.status_code == 200 and "Hofkino" in question.content.decode()
    assert "Ja, Vorführung absagen" in question.content.decode() and question["Cache-Control"] == "private, no-store"
    screening.refresh_from_db()
    assert screening.status == Screening.Status.CONFIRMED
    with committed():
        response = client.post(f"/de/screenings/manage/{token}/cancel/")
    assert response.status_code == 302
    screening.refresh_from_db()
    assert screening.status == Screening.Status.CANCELLED and not screening.shown_on_tour
    html = client.get(response["Location"]).content.decode()
    assert "Ihre Vorführung wurde abgesagt." in html and "Änderungen speichern" not in html
    assert "Hofkino" not in client.get("/de/tour/").content.decode()
    # Undone: confirmed again, on the tour again (the review stands), and its double-submit guard back.
    with committed():
        response = client.post(f"/de/screenings/manage/{token}/restore/")
    assert response["Location"].endswith("?saved=restored")
    screening.refresh_from_db()
    assert screening.status == Screening.Status.CONFIRMED and screening.shown_on_tour and screening.fingerprint
    assert "Hofkino" in client.get("/de/tour/").content.decode()
    assert "Absage ist rückgängig gemacht" in client.get(response["Location"]).content.decode()


def test_a_cancellation_cannot_be_undone_once_the_screening_has_started(client, make_screening):
    screening, token = make_screening()
    client.post(f"/de/screenings/manage/{token}/cancel/")
    Screening.objects.filter(pk=screening.pk).update(starts_at=timezone.now() - timedelta(minutes=1))
    assert "Absage rückgängig machen" not in client.get(f"/de/screenings/manage/{token}/").content.decode()
    client.post(f"/de/screenings/manage/{token}/restore/")
    screening.refresh_from_db()
    assert screening.status == Screening.Status.CANCELLED


def test_send_me_my_link_again_answers_the_same_for_known_and_unknown_addresses(
    client, make_screening, django_capture_on_commit_callbacks
):
    screening, old_token = make_screening(email="known@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/de/screenings/link/", {"email": "Known@Example.org"})
        unknown = client.post("/de/screenings/link/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert "Falls mit dieser Adresse eine Vorführung registriert ist" in client.get(known["Location"]).content.decode()
    (message,) = mail.outbox
    assert message.to == ["known@example.org"]
    new_token = re.search(r"/screenings/manage/([\w-]+)/", message.body).group(1)
    # The link in use keeps working until the new one is used to send a form: opening it (a mail program's
    # link scanner, a preview, the host looking) changes nothing; then only the new one works.
    assert client.get(manage_url(old_token)).status_code == 200
    assert client.get(manage_url(new_token)).status_code == 200
    assert client.head(manage_url(new_token)).status_code == 200
    assert client.get(manage_url(old_token)).status_code == 200
    screening.refresh_from_db()
    assert client.post(manage_url(new_token), edit_data(screening, title="Neu")).status_code == 302
    assert client.get(manage_url(old_token)).status_code == 404
    assert client.get(manage_url(new_token)).status_code == 200


def test_a_new_link_the_host_opened_is_not_replaced_by_anyone_asking_again(client, make_screening):
    from socialdilemma.ratelimit import recipient_first_in_forget

    screening, old_token = make_screening(email="host@example.org")

    def ask_again():
        recipient_first_in_forget("events.link-request", "host@example.org")  # past the 10-minute wait
        mail.outbox.clear()
        services.screenings_send_links_to(email="host@example.org", language="de")
        send_outbox()
        return re.search(r"/screenings/manage/([\w-]+)/", mail.outbox[-1].body).group(1)

    new_token = ask_again()
    assert client.get(manage_url(new_token)).status_code == 200  # opened, bookmarked
    assert ask_again() == new_token  # a stranger asks again: the same link, the bookmark still works
    assert client.get(manage_url(new_token)).status_code == 200
    assert client.get(manage_url(old_token)).status_code == 200
    # Used (a form sent with it): the only link; the next request emails another.
    screening.refresh_from_db()
    client.post(manage_url(new_token), edit_data(screening, title="Neu"))
    assert client.get(manage_url(old_token)).status_code == 404
    newer = ask_again()
    assert newer != new_token and client.get(manage_url(new_token)).status_code == 200


def test_send_link_form_refuses_an_invalid_address_in_both_languages(client):
    assert "gültige E-Mail-Adresse" in client.post("/de/screenings/link/", {"email": "nope"}).content.decode()
    assert "valid email address" in client.post("/en/screenings/link/", {"email": "nope"}).content.decode()


def test_send_link_is_rate_limited(client, settings):
    settings.SCREENING_RATE_LIMIT = "2/h"
    for _ in range(2):
        client.post("/en/screenings/link/", {"email": "a@example.org"})
    response = client.post("/en/screenings/link/", {"email": "a@example.org"})
    assert response.status_code == 429
    assert 'value="a@example.org"' in response.content.decode()
    assert "We received many forms from your connection" in response.content.decode()


def test_one_address_receives_one_link_email_however_it_is_spelled(
    client, make_screening, django_capture_on_commit_callbacks
):
    make_screening(email="host1@example.org")
    mail.outbox.clear()
    spellings = ["host1@example.org", "HOST1@EXAMPLE.ORG", "host1@\uff45xample.org", "host1@e\uff58ample.org"]
    with django_capture_on_commit_callbacks(execute=True):
        for n, spelling in enumerate(spellings):
            # From different addresses, so that only the limit per recipient can hold them back.
            response = client.post("/de/screenings/link/", {"email": spelling}, REMOTE_ADDR=f"198.51.100.{n + 1}")
            assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["host1@example.org"]]


def test_a_client_is_counted_by_its_ipv6_network_not_by_each_of_its_addresses(client, settings):
    settings.SCREENING_RATE_LIMIT = "2/h"
    answers = [
        client.post("/en/screenings/link/", {"email": f"a{n}@example.org"}, REMOTE_ADDR=f"2001:db8:1:2::{n:x}")
        for n in range(1, 4)
    ]
    assert [answer.status_code for answer in answers] == [302, 302, 429]
    # Another network, and an IPv4 client, are counted on their own.
    assert (
        client.post("/en/screenings/link/", {"email": "b@example.org"}, REMOTE_ADDR="2001:db8:1:3::1").status_code
        == 302
    )
    assert (
        client.post("/en/screenings/link/", {"email": "c@example.org"}, REMOTE_ADDR="198.51.100.7").status_code == 302
    )


def test_send_link_looks_the_address_up_in_the_worker_after_answering(
    client, make_screening, django_capture_on_commit_callbacks
):
    """The request only enqueues a task: its work and timing are the same for any address."""
    from django_tasks_db.models import DBTaskResult

    from socialdilemma.taskqueue.models import Email

    make_screening(email="known@example.org")
    mail.outbox.clear()
    emails_before = Email.objects.count()
    with django_capture_on_commit_callbacks() as callbacks:
        assert client.post("/de/screenings/link/", {"email": "known@example.org"}).status_code == 302
    assert len(callbacks) == 1 and Email.objects.count() == emails_before and not mail.outbox
    assert not DBTaskResult.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()
    assert len(mail.outbox) == 1


def test_a_failed_email_keeps_the_working_link(client, make_screening, settings, django_capture_on_commit_callbacks):
    screening, token = make_screening()
    settings.EMAIL_BACKEND = "tests.events.failing_mail.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/de/screenings/link/", {"email": screening.email})
    assert client.get(manage_url(token)).status_code == 200


def test_without_a_rate_count_links_are_not_sent_but_registrations_are_taken(client, form_data, make_screening):
    """As while Redis is unreachable: django-ratelimit then knows no count (and fails open)."""
    from unittest import mock

    from django.core import mail

    make_screening(email="gast@example.org")
    mail.outbox.clear()
    with mock.patch("socialdilemma.ratelimit.get_usage", return_value=None):
        response = client.post("/de/screenings/link/", {"email": "gast@example.org"})
        assert response.status_code == 503
        assert "Wir können im Moment keine Links senden" in response.content.decode()
        assert 'value="gast@example.org"' in response.content.decode()  # nothing typed is lost
        assert mail.outbox == []
        assert client.post("/de/screenings/register/", form_data()).status_code == 200


def test_a_cancelled_screening_can_be_registered_again_and_its_email_goes_out(
    client, form_data, django_capture_on_commit_callbacks
):
    data = form_data(title="Noch einmal")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/de/screenings/register/", data)
    (first,) = Screening.objects.all()
    client.post(f"/de/screenings/manage/{_token_from(mail.outbox[-1])}/cancel/")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/de/screenings/register/", data)
    assert response.status_code == 200
    assert Screening.objects.count() == 2 and Screening.objects.exclude(pk=first.pk).get().status == "registered"
    (message,) = mail.outbox
    assert "Noch einmal" in message.subject


def _token_from(message):
    return re.search(r"/screenings/manage/([\w-]+)/", message.body).group(1)


def test_taking_a_screening_off_the_tour_empties_the_cached_pages(client, make_screening, committed):
    with committed():
        screening, token = make_screening(approve=True)
    with committed() as callbacks:
        client.post(manage_url(token), edit_data(screening, publish_on_tour="", places=str(screening.places)))
    assert callbacks  # the content version is replaced: no cached tour still shows it
    screening.refresh_from_db()
    assert not screening.shown_on_tour


def test_changing_the_time_of_a_screening_without_guests_uses_no_guest_notice(client, make_screening, settings):
    settings.SCREENING_GUEST_NOTICE_RATE_LIMIT = "1/d"
    screening, token = make_screening()
    for hours in (1, 2, 3):
        later = (screening.local_start + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")
        response = client.post(manage_url(token), edit_data(screening, starts_at=later, places=str(screening.places)))
        assert "untold" not in response["Location"]


def test_the_tour_status_of_a_screening_says_when_it_is_shown_waiting_or_over(client, make_screening):
    approved, approved_token = make_screening(approve=True, title="Approved")
    pending, pending_token = make_screening(title="Pending")
    shown, waiting = "Shown on the virtual tour.", "review before it appears on the virtual tour"
    over = "The screening is over, so it is no longer shown on the virtual tour."
    assert shown in client.get(manage_url(approved_token, "en")).content.decode()
    assert waiting in client.get(manage_url(pending_token, "en")).content.decode()
    # Over: neither shown nor waiting for a review (whether or not staff had approved it).
    Screening.objects.update(starts_at=timezone.now() - timedelta(hours=3))
    for token in (approved_token, pending_token):
        page = client.get(manage_url(token, "en")).content.decode()
        assert over in page and shown not in page and waiting not in page


def test_a_screening_without_places_says_so_instead_of_counting_none_of_none(client, make_screening):
    screening, token = make_screening(approve=True)
    Screening.objects.filter(pk=screening.pk).update(places=0)
    page = " ".join(client.get(manage_url(token, "en")).content.decode().split())
    assert "You offer no places for sign-ups on this site (0 places)." in page
    assert "0 of 0 places" not in page and "Guests sign up on" not in page
    Screening.objects.filter(pk=screening.pk).update(places=5)
    page = " ".join(client.get(manage_url(token, "en")).content.decode().split())
    assert "0 of 5 places taken" in page and "Guests sign up on" in page
