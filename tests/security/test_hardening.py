"""What an outsider's attack on the running site found (issue #14), each class with its variants."""

import logging
from datetime import datetime
from pathlib import Path

import pytest
from cookie_consent.models import LogItem
from django.core import mail
from django.test import Client

from consent.models import DailyCount
from events.models import Screening
from socialdilemma.emailaddress import OrdinaryEmailValidator
from socialdilemma.taskqueue.models import Email
from tests.servers import gunicorn, production_env

pytestmark = pytest.mark.django_db

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}


# 2. No third-party script on a private page.
def test_the_optional_analytics_script_is_never_on_a_private_page(client, settings, make_screening):
    settings.ANALYTICS_SCRIPT_URL = "https://analytics.example/script.js"
    _screening, token = make_screening()
    client.post("/de/cookies/accept/", **SAME_ORIGIN)
    assert "https://analytics.example/script.js" in client.get("/de/faq/").content.decode()
    for path in (f"/de/screenings/manage/{token}/", f"/en/screenings/manage/{token}/", "/de/screenings/manage/x/"):
        response = client.get(path)
        assert "analytics.example" not in response.content.decode(), path
        assert response["Cache-Control"] == "private, no-store" and response["Referrer-Policy"] == "no-referrer"


# 6. "Send me my link again" as a weapon: one link email per address per period, the same answer.
def test_link_requests_send_one_email_per_address_per_period(
    client, make_screening, settings, django_capture_on_commit_callbacks
):
    settings.SCREENING_RATE_LIMIT = "1000/h"
    make_screening(email="host@example.org")
    mail.outbox.clear()
    answers = []
    for address in ("host@example.org", "HOST@example.org", " host@example.org ", "host@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/de/screenings/link/", {"email": address}, REMOTE_ADDR=f"203.0.113.{len(answers)}")
        answers.append((response.status_code, response["Location"]))
    assert len(set(answers)) == 1
    assert len(mail.outbox) == 1
    # Links point to SITE_URL whatever Host the request named.
    settings.SITE_URL = "https://example.org"
    from django.core.cache import caches

    caches["limits"].clear()  # the one-email-per-address records
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/de/screenings/link/", {"email": "host@example.org"}, HTTP_HOST="localhost:31337")
    assert "https://example.org/de/screenings/manage/" in mail.outbox[-1].body
    assert "31337" not in mail.outbox[-1].body


# 8. Consent statistics cannot be inflated.
def test_consent_and_trailer_posts_over_the_limit_take_effect_but_are_not_logged(client, settings):
    """The limit keeps one client from inflating the consent log and the play counts; the visitor's own
    choice still takes effect (a school or an office shares one address)."""
    settings.CONSENT_RATE_LIMIT = "3/h"
    for _ in range(3):
        assert client.post("/de/cookies/decline/", **SAME_ORIGIN).status_code == 302
    logged = LogItem.objects.count()
    for endpoint in ("trailer", "accept", "decline"):
        response = client.post(f"/de/cookies/{endpoint}/", **SAME_ORIGIN)
        assert response.status_code == 302 and "cookie_consent" in response.cookies, endpoint
    assert LogItem.objects.count() == logged
    other = client.post("/de/cookies/accept/", REMOTE_ADDR="198.51.100.1", **SAME_ORIGIN)
    assert other.status_code == 302 and LogItem.objects.count() > logged
    assert DailyCount.objects.filter(kind="trailer_play").count() == 0


def test_a_screening_approved_before_its_host_confirmed_is_on_the_cached_tour_at_once(
    client, make_screening, committed
):
    with committed():
        _screening, token = make_screening(confirm=False, approve=True, title="Spät bestätigt")
    assert "Spät bestätigt" not in client.get("/de/tour/").content.decode()  # now cached without it
    with committed():
        client.post(f"/de/screenings/manage/{token}/", {"action": "confirm"})  # the host confirms
    assert "Spät bestätigt" in client.get("/de/tour/").content.decode()


# 10. Only ordinary addresses at a domain name.
@pytest.mark.parametrize(
    "address",
    [
        "a@[127.0.0.1]",
        "a@[IPv6:::1]",
        '"<script>x</script>"@example.org',
        '"a b"@example.org',
        "a@localhost",
        "a@example",
        "a@-example.org",
    ],
)
def test_unusual_addresses_are_refused_everywhere(client, form_data, address):
    for path, data in (
        ("/de/screenings/register/", form_data(email=address)),
        ("/en/screenings/link/", {"email": address}),
    ):
        response = client.post(path, data)
        assert response.status_code == 400, (path, address)
    assert not Screening.objects.exists()
    with pytest.raises(Exception, match="valid email"):
        OrdinaryEmailValidator()(address)


def test_ordinary_addresses_are_accepted():
    for address in ("ana@example.org", "ana.beispiel+film@sub.example.co.uk", "o'neil@example.ie", "juergen@müller.de"):
        OrdinaryEmailValidator()(address)


# 11. gunicorn's control socket, shared by every instance of one user, is off.
@pytest.mark.django_db(transaction=True)
def test_gunicorn_opens_no_shared_control_socket(site_content, tmp_path):
    with gunicorn(env=production_env(HOME=str(tmp_path))) as base:
        assert base
        assert not (Path(tmp_path) / ".gunicorn").exists()


# 5. Requests that used to end in a 500 are a 400 with the site's own page, headers and one log line.
@pytest.fixture
def site_log(settings):
    """What the site's console handler (settings.LOGGING, with its filters) writes during the test."""
    import io

    from django.utils.module_loading import import_string

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    for name in settings.LOGGING["handlers"]["console"].get("filters", []):
        handler.addFilter(import_string(settings.LOGGING["filters"][name]["()"])())
    logging.getLogger().addHandler(handler)
    yield stream
    logging.getLogger().removeHandler(handler)


def _assert_own_400(response, site_log):
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ungültige Anfrage" in html or "Bad request" in html or "gültige" in html
    assert response["Content-Security-Policy"] and response["X-Content-Type-Options"] == "nosniff"
    # One line about the request in the site's log (stderr), no traceback.
    log = site_log.getvalue().strip().splitlines()
    assert len(log) == 1 and "Traceback" not in log[0], log


@pytest.mark.parametrize(
    ("zone", "start"),
    [
        ("Etc/GMT+12", "9999-12-31T23:59"),
        ("America/Adak", "9999-12-31T20:00"),
        ("Pacific/Kiritimati", "0001-01-01T00:00"),
        ("Pacific/Kiritimati", "0001-01-01T13:59"),
        ("Pacific/Pago_Pago", "9999-12-31T23:59"),
        ("Asia/Tokyo", "0001-01-01T08:00"),
    ],
)
def test_starts_at_the_ends_of_the_calendar_in_far_time_zones_are_refused(
    client, form_data, make_screening, zone, start, site_log
):
    response = Client(raise_request_exception=False).post(
        "/de/screenings/register/", form_data(starts_at=start, timezone=zone)
    )
    assert response.status_code == 400 and "starts_at" in response.content.decode()
    assert not Screening.objects.exists()
    _screening, token = make_screening()
    edit = Client(raise_request_exception=False).post(
        f"/de/screenings/manage/{token}/",
        {
            "host_name": "H",
            "title": "T",
            "format": "virtual",
            "starts_at": start,
            "timezone": zone,
            "expected_attendees": "5",
            "language": "de",
            "online_url": "",
        },
    )
    assert edit.status_code == 400


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:80", "127.0.0.1.evil.example", "localhost:31337@evil", "[::1", "a" * 300]
)
@pytest.mark.parametrize("path", ["/de/", "/en/faq/", "/de/screenings/register/", "/de/gibt-es-nicht/"])
def test_a_host_header_outside_allowed_hosts_gets_the_400_page(path, host, site_log):
    response = Client(raise_request_exception=False).get(path, HTTP_HOST=host)
    _assert_own_400(response, site_log)


@pytest.mark.parametrize("charset", ["x-unknown", "utf-16", "utf-32", "latin-1", "cp1252", "UTF-7", '"utf-16le"'])
@pytest.mark.parametrize("path", ["/de/screenings/register/", "/de/screenings/link/", "/de/cookies/accept/"])
def test_a_form_in_a_charset_the_site_does_not_read_gets_the_400_page(path, charset, site_log):
    # generic(): the test client's post() would itself fail to encode for an unknown charset.
    response = Client(raise_request_exception=False).generic(
        "POST",
        path,
        b"title=%FF%FE&email=a%40example.org",
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    _assert_own_400(response, site_log)


def test_utf8_forms_with_the_charset_named_are_read(client, form_data):
    from urllib.parse import urlencode

    body = urlencode(form_data()).encode()
    for charset in ("UTF-8", "utf-8", '"utf-8"'):
        response = client.post(
            "/de/screenings/register/", data=body, content_type=f"application/x-www-form-urlencoded; charset={charset}"
        )
        assert response.status_code == 200 and Screening.objects.count() == 1
        Screening.objects.all().delete()


# 1. No private link, email address or search word in any log line.
@pytest.mark.django_db(transaction=True)
def test_the_log_of_real_requests_holds_no_private_link_address_or_search_word(site_content, tmp_path):
    from events import services
    from events.models import NetflixTerms
    from tests.helpers import future_local
    from tests.servers import fetch

    screening = services.screening_register(
        data={
            "host_name": "Host",
            "email": "geheim.host@example.org",
            "organisation": "",
            "title": "Abend",
            "description": "",
            "format": "virtual",
            "starts_at": datetime.fromisoformat(future_local()).astimezone(),
            "timezone": "Europe/Berlin",
            "expected_attendees": 5,
            "city": "",
            "country": "",
            "online_url": "",
            "language": "de",
            "publish_on_tour": False,
        },
        terms=NetflixTerms.objects.get(),
        language="de",
    ).screening
    token = services.host_link_token(Email.objects.get(about=screening.email_about).message_id)
    log = tmp_path / "gunicorn.log"
    form = {"Sec-Fetch-Site": "same-origin", "Content-Type": "application/x-www-form-urlencoded"}
    with gunicorn(env=production_env(), log_path=log) as base:
        assert fetch(f"{base}/de/screenings/manage/{token}/")[0] == 200
        requests = [
            (f"/de/screenings/manage/{token}/", b"action=confirm", 302),  # the host confirms
            (f"/de/screenings/manage/{token}/", b"title=", 400),  # a refused edit
            (f"/de/screenings/manage/{token}/nope/", None, 404),  # a 404 under a host link
            (f"/de/screenings/manage/{token}x/cancel/", b"", 404),  # a cancel without a valid token
            (f"/de/screenings/manage/{token}/restore/?q=geheimwort", None, 405),
            ("/de/gibt-es-nicht/?q=geheimwort&email=geheim.host@example.org", None, 404),
            ("/de/faq/?q=geheimwort", None, 200),
            ("/de/screenings/link/", b"email=geheim.host%40example", 400),
            (f"/de/screenings/guest/{token}/", None, 404),  # a guest's link (this one unknown)
            (f"/de/screenings/guest/{token}/", b"action=confirm", 404),
        ]
        for path, data, status in requests:
            assert fetch(base + path, data=data, headers=form if data is not None else {})[0] == status, path
    text = log.read_text()
    assert "Not Found" in text and "Bad Request" in text  # the lines are there, redacted
    for secret in (token, "geheimwort", "geheim.host"):
        assert secret not in text, secret
    assert "/screenings/manage/[private]/" in text and "/screenings/guest/[private]/" in text


def test_the_filter_redacts_messages_arguments_and_tracebacks(settings):
    from socialdilemma.logfilters import RedactPrivateData

    try:
        raise ValueError("refused recipient ana.b@example.org on /de/screenings/manage/SECRETTOKEN/?q=wort")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "x",
            logging.ERROR,
            __file__,
            1,
            "Path %s for %s",
            ("/en/screenings/manage/T0KEN/", "a@b.de"),
            sys.exc_info(),
        )
    RedactPrivateData().filter(record)
    line = logging.Formatter().format(record)
    for secret in ("SECRETTOKEN", "T0KEN", "ana.b@", "a@b.de", "wort"):
        assert secret not in line, secret
    assert "ValueError" in line and "/en/screenings/manage/[private]/" in line


def test_a_file_in_a_public_forms_body_is_never_written_to_disk(client, tmp_path, settings, monkeypatch):
    """Django's size limit leaves out a multipart body's files, which it would write to a temporary file:
    on public pages the reading stops at the first file."""
    import io

    from django.core.files import uploadhandler

    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # anything larger would go to disk
    files_begun = []

    def new_file(*args, **kwargs):  # Django's handlers: noted, and the body's reading ends
        files_begun.append(args)
        raise uploadhandler.StopUpload(connection_reset=True)

    for handler in (uploadhandler.TemporaryFileUploadHandler, uploadhandler.MemoryFileUploadHandler):
        monkeypatch.setattr(handler, "new_file", new_file)
    upload = io.BytesIO(b"x" * (5 * 1024 * 1024))
    upload.name = "big.bin"
    response = client.post(
        "/de/newsletter/", {"email": "leser@example.org", "language": "de", "file": upload}, **SAME_ORIGIN
    )
    assert response.status_code == 400  # the form (its consent box unticked), with what was read
    assert files_begun == [] and list(tmp_path.iterdir()) == []  # Django's own handlers never saw the file
    # The admin (which may take files) keeps Django's handlers.
    client.post("/admin/login/", {"username": "x", "file": io.BytesIO(b"x")})
    assert files_begun


def test_djangos_log_lines_are_written_once_and_through_the_redacting_filters(client, capfd):
    """With DEBUG, Django's own console handler printed each of its lines a second time, unredacted."""
    assert logging.getLogger("django").handlers == []
    client.get("/de/screenings/guest/GEHEIMESTOKEN123/")
    printed = capfd.readouterr().err
    assert "GEHEIMESTOKEN123" not in printed


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/en/tour/1/join/", "This address takes only forms"),
        ("/de/tour/1/contact/", "Diese Adresse nimmt nur Formulare entgegen"),
        ("/de/cookies/accept/", "Diese Adresse nimmt nur Formulare entgegen"),
    ],
)
def test_an_address_that_takes_only_forms_answers_a_visit_with_a_page(client, path, heading):
    response = client.get(path)
    html = response.content.decode()
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert f"<h1>{heading}</h1>" in html and 'href="/' in html


@pytest.mark.parametrize("path", ["/de/", "/en/privacy/", "/de/tour/", "/en/faq/", "/de/screenings/"])
def test_a_page_that_only_reads_refuses_a_form_post_with_the_405_page(client, path):
    response = client.post(path, {"x": "1"}, **SAME_ORIGIN)
    assert response.status_code == 405 and "GET" in response["Allow"] and "<h1>" in response.content.decode()


def test_a_405_at_a_private_address_stays_private(client, make_screening):
    _screening, token = make_screening()
    response = client.get(f"/de/screenings/manage/{token}/restore/")
    assert response.status_code == 405 and "<h1>" in response.content.decode()
    assert response["Referrer-Policy"] == "no-referrer" and response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
