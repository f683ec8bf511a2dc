from unittest import mock

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from events.models import Screening
from socialdilemma.taskqueue.models import Email
from tests.helpers import send_outbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser("redaktion", "r@example.org", "a-long-secret-password-1")


def sign_in(client, username, password, **extra):
    return client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}, HTTP_ACCEPT_LANGUAGE="de", **extra
    )


def test_admin_sign_in_is_locked_after_repeated_failures(staff, settings):
    settings.ADMIN_LOGIN_MAX_FAILURES = 5
    client = Client()
    for _ in range(5):
        response = sign_in(client, "redaktion", "wrong")
        assert response.status_code == 200 and "Zu viele" not in response.content.decode()
    # Even the right password is refused now, with a clear message.
    response = sign_in(client, "redaktion", "a-long-secret-password-1")
    assert response.status_code == 200
    assert "Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie 15 Minuten" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_lockout_is_per_account_and_per_client(staff, settings):
    settings.ADMIN_LOGIN_MAX_FAILURES = 3
    for n in range(3):
        sign_in(Client(), f"someone{n}", "wrong", REMOTE_ADDR="203.0.113.9")
    # The client that tried many accounts is locked out ...
    assert (
        "Zu viele"
        in sign_in(Client(), "redaktion", "a-long-secret-password-1", REMOTE_ADDR="203.0.113.9").content.decode()
    )
    # ... another client signs in.
    response = sign_in(Client(), "redaktion", "a-long-secret-password-1", REMOTE_ADDR="203.0.113.10")
    assert response.status_code == 302


def test_without_its_failure_counts_the_sign_in_refuses_rather_than_allowing_unlimited_guesses(staff):
    from socialdilemma.cache_backends import ReusingRedisCache

    unreachable = ReusingRedisCache("redis://127.0.0.1:1/0", {})  # nothing listens on port 1
    with mock.patch("socialdilemma.adminlogin.caches", {"lockout": unreachable}):
        response = sign_in(Client(), "redaktion", "a-long-secret-password-1")
    assert response.status_code == 200
    assert "Die Anmeldung ist im Moment nicht möglich" in response.content.decode()


def test_the_admin_is_staff_only(db):
    get_user_model().objects.create_user("visitor", "v@example.org", "a-long-secret-password-2")
    response = sign_in(Client(), "visitor", "a-long-secret-password-2")
    assert response.status_code == 200 and "_auth_user_id" not in response.wsgi_request.session


def test_the_admin_address_is_configurable():
    import subprocess
    import sys

    from django.conf import settings

    code = "import django; django.setup(); from django.urls import reverse; print(reverse('admin:index'))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "socialdilemma.settings",
            "DJANGO_DEBUG": "1",
            "DJANGO_ADMIN_URL": "verwaltung-7f3/",
        },
    )
    assert result.stdout.strip() == "/verwaltung-7f3/", result.stderr


def test_staff_actions_are_logged(admin_client, make_screening):
    screening, _ = make_screening(title="Logbuch")
    admin_client.post("/admin/events/screening/", {"action": "approve_for_tour", "_selected_action": [screening.pk]})
    entry = LogEntry.objects.get(object_id=str(screening.pk))
    assert entry.get_change_message() == "Approved for the virtual tour"


def test_a_double_submit_creates_one_registration_and_one_email(client, form_data):
    data = form_data()
    first = client.post("/de/screenings/register/", data)
    second = client.post("/de/screenings/register/", data)
    assert first.status_code == second.status_code == 302
    assert Screening.objects.count() == 1 and send_outbox() == 1
    # A different screening by the same host is a new registration.
    client.post("/de/screenings/register/", {**data, "title": "Zweiter Abend"})
    assert Screening.objects.count() == 2


def test_host_typed_text_is_escaped_on_the_host_page_in_the_admin_and_in_emails(admin_client, client, make_screening):
    hostile = '<script>alert("x")</script>'
    screening, token = make_screening(title=hostile, organisation=hostile, host_name=hostile, description=hostile)
    for html in (
        client.get(f"/de/screenings/manage/{token}/").content.decode(),
        admin_client.get("/admin/events/screening/").content.decode(),
        admin_client.get(f"/admin/events/screening/{screening.pk}/change/").content.decode(),
        mail.outbox[-1].alternatives[0][0],
    ):
        assert hostile not in html
        assert "&lt;script&gt;" in html


def test_a_refusing_mail_server_loses_no_registration(client, form_data, settings):
    import socket

    with socket.socket() as closed:  # a port on which nothing listens: the connection is refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    response = client.post("/en/screenings/register/", form_data(language="en"))
    assert response["Location"] == "/en/screenings/registered/"
    assert Screening.objects.get().title == "Filmabend mit Gespräch"
    assert send_outbox() == 0
    email = Email.objects.get()
    assert email.status == Email.Status.WAITING and email.attempts == 1
    assert "ConnectionRefusedError" in email.last_error
