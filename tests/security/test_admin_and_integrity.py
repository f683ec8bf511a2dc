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


def test_a_lockout_is_per_account_and_client_so_staff_elsewhere_still_sign_in(staff, settings):
    settings.ADMIN_LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        sign_in(Client(), "redaktion", "wrong", REMOTE_ADDR="203.0.113.9")
    locked = sign_in(Client(), "redaktion", "a-long-secret-password-1", REMOTE_ADDR="203.0.113.9")
    assert "Zu viele" in locked.content.decode()
    # The attacker's client is locked out of this account; the real person, elsewhere, is not.
    assert sign_in(Client(), "redaktion", "a-long-secret-password-1", REMOTE_ADDR="198.51.100.7").status_code == 302


def test_a_client_guessing_many_accounts_is_locked_out(staff, settings):
    settings.ADMIN_LOGIN_MAX_FAILURES = 3
    for n in range(12):  # 4 × the limit, on as many names
        sign_in(Client(), f"someone{n}", "wrong", REMOTE_ADDR="203.0.113.9")
    response = sign_in(Client(), "redaktion", "a-long-secret-password-1", REMOTE_ADDR="203.0.113.9")
    assert "Zu viele" in response.content.decode()
    assert sign_in(Client(), "redaktion", "a-long-secret-password-1", REMOTE_ADDR="203.0.113.10").status_code == 302


@pytest.mark.parametrize(
    "look_alikes", [["ｒｅｄａｋｔｉｏｎ", "REDAKTION", " Redaktion ", "ｒｅｄａｋｔｉｏｎ ", "reDaktion"]]
)
def test_look_alike_names_count_as_the_account_they_sign_in_as(staff, settings, look_alikes):
    settings.ADMIN_LOGIN_MAX_FAILURES = 5
    client = Client()
    for name in look_alikes:
        assert "Zu viele" not in sign_in(client, name, "wrong").content.decode()
    # Five tries in all: the account is locked for this client, under any of its spellings, even with
    # the right password (the full-width name signs in as "redaktion" once it is allowed to).
    for name in ("redaktion", "ｒｅｄａｋｔｉｏｎ"):
        response = sign_in(client, name, "a-long-secret-password-1")
        assert "Zu viele" in response.content.decode() and "_auth_user_id" not in client.session


def test_failures_from_rotating_addresses_slow_the_account_down_without_locking_staff_out(staff, settings):
    import time

    settings.ADMIN_LOGIN_MAX_FAILURES = 3
    settings.ADMIN_LOGIN_ACCOUNT_SECONDS = 1
    for n in range(6):  # 2 × the limit, each from another address
        sign_in(Client(), "redaktion", "wrong", REMOTE_ADDR=f"203.0.113.{n}")
    # Now one try per ADMIN_LOGIN_ACCOUNT_SECONDS for this account, from any address.
    sign_in(Client(), "redaktion", "wrong", REMOTE_ADDR="203.0.113.50")  # takes this second's try
    slowed = sign_in(Client(), "redaktion", "wrong", REMOTE_ADDR="203.0.113.51")
    assert "Bitte warten Sie 1 Sekunden" in slowed.content.decode()
    # The real person waits that long and signs in: slowed down, never locked out.
    time.sleep(1.1)
    assert sign_in(Client(), "redaktion", "a-long-secret-password-1", REMOTE_ADDR="198.51.100.7").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_simultaneous_attempts_cannot_pass_the_limit_together(site_content):
    """Against real gunicorn workers sharing the file cache: 20 attempts at once from one client check at
    most ADMIN_LOGIN_MAX_FAILURES passwords."""
    import re
    import threading
    import urllib.parse

    from tests.servers import fetch, gunicorn, production_env

    get_user_model().objects.create_superuser("redaktion", "r@example.org", "a-long-secret-password-1")
    with gunicorn(workers=4, env=production_env(ADMIN_LOGIN_MAX_FAILURES="5")) as base:
        _status, headers, page = fetch(base + "/admin/login/", headers={"Accept-Language": "en"})
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "redaktion", "password": "x"})
        answers, start = [], threading.Barrier(20)

        def attempt():
            start.wait()
            answers.append(
                fetch(
                    base + "/admin/login/",
                    data=body.encode(),
                    headers={
                        "Cookie": f"csrftoken={cookie}",
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Accept-Language": "en",
                        "Referer": base + "/admin/login/",
                    },
                )[2]
            )

        threads = [threading.Thread(target=attempt) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    checked = sum("Please enter the correct username and password" in answer for answer in answers)
    locked = sum("Too many failed sign-in attempts" in answer for answer in answers)
    assert checked <= 5 and checked + locked == 20, (checked, locked)


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
    assert first.status_code == second.status_code == 200
    assert first.content == second.content  # the same answer: "we are sending you an email"
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
    assert response.status_code == 200 and "Thank you for registering" in response.content.decode()
    assert Screening.objects.get().title == "Filmabend mit Gespräch"
    assert send_outbox() == 0
    email = Email.objects.get()
    assert email.status == Email.Status.WAITING and email.attempts == 1
    assert "ConnectionRefusedError" in email.last_error
