import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from socialdilemma import settings as site_settings

BASE_ENV = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "socialdilemma.settings"}


def load_settings(**env):
    """Import the settings in a fresh process with exactly this environment."""
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        ],
        env={**BASE_ENV, **env},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=site_settings.BASE_DIR,
    )


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"DJANGO_ALLOWED_HOSTS": "example.org", "EMAIL_URL": "smtp://mail"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "x" * 50, "EMAIL_URL": "smtp://mail"}, "DJANGO_ALLOWED_HOSTS"),
        ({"DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "example.org"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": "example.org"}, "EMAIL_URL"),
        (
            {"DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": "example.org", "EMAIL_URL": "smtp://mail"},
            "SITE_URL",
        ),
    ],
)
def test_production_refuses_to_start_without_required_settings(env, missing):
    result = load_settings(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{missing} must be set when DJANGO_DEBUG is off" in result.stderr


def test_production_starts_with_its_required_settings():
    result = load_settings(
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="example.org",
        EMAIL_URL="smtp://mail",
        SITE_URL="https://example.org",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("written", "dialled"),
    [("+49 (0)30 123 45-67", "tel:+49301234567"), ("030 / 123 456", "tel:030123456"), ("", "tel:")],
)
def test_the_imprint_dials_the_phone_number_as_written_without_its_punctuation(written, dialled):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; print(s.IMPRINT['phone_uri'])",
        ],
        env={**BASE_ENV, "DJANGO_DEBUG": "1", "IMPRINT_PHONE": written},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=site_settings.BASE_DIR,
    )
    assert result.stdout.strip() == dialled, result.stderr


def test_development_starts_without_any_setting():
    result = load_settings(DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_the_file_cache_lives_in_a_private_memory_folder_and_never_in_one_others_can_write(tmp_path, monkeypatch):
    tmp_path.chmod(0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    private = Path(site_settings._default_cache_dir())
    assert private.parent == tmp_path and private.name.startswith("socialdilemma-")
    assert stat.S_IMODE(private.stat().st_mode) == 0o700
    assert site_settings._default_cache_dir() == str(private)  # the same folder for every worker
    # A folder others could have filled with pickles, or a link to one, is not used.
    private.chmod(0o777)
    assert site_settings._default_cache_dir() == str(site_settings.BASE_DIR / "var" / "cache")
    private.rmdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    private.symlink_to(elsewhere)
    assert site_settings._default_cache_dir() == str(site_settings.BASE_DIR / "var" / "cache")
    # Nor in a parent that others may empty (world-writable without the sticky bit).
    private.unlink()
    tmp_path.chmod(0o777)
    monkeypatch.setattr(site_settings.os, "getuid", lambda: tmp_path.stat().st_uid + 1)
    assert site_settings._default_cache_dir() == str(site_settings.BASE_DIR / "var" / "cache")
    tmp_path.chmod(0o700)


SQLITE_SMOKE = """
import django
django.setup()
from datetime import timedelta
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from events.models import NetflixTerms, Screening
call_command("migrate", verbosity=0)
now = timezone.now()
Screening.objects.create(
    host_name="Host", email="host@example.org", title="Filmabend", format="in_person", city="Graz", country="AT",
    starts_at=now + timedelta(days=3), timezone="Europe/Vienna", expected_attendees=8, language="de",
    publish_on_tour=True, terms=NetflixTerms.objects.get(), terms_accepted_at=now, terms_text="x",
    status="confirmed", tour_status="approved",
)
client = Client(HTTP_HOST="127.0.0.1")
for path in ["/de/", "/de/faq/", "/en/faq/?q=data", "/de/tour/", "/de/tour/?country=AT", "/de/screenings/register/"]:
    response = client.get(path)
    print(path, response.status_code, '<option value="AT"' in response.content.decode())
"""


SQLITE_OUTBOX = """
import django
django.setup()
from datetime import timedelta
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from socialdilemma.taskqueue import services
from socialdilemma.taskqueue.models import Email
call_command("migrate", verbosity=0)
def enqueue(n, **values):
    email = services.email_enqueue(cause=f"test:{n}", renderer="tests.socialdilemma.renderers.numbered",
                                   to=f"person{n}@example.org", language="de", params={"n": n})
    Email.objects.filter(pk=email.pk).update(**values)
    return email
due, later = enqueue(1), enqueue(2, next_attempt_at=timezone.now() + timedelta(hours=1))
print("sent", services.emails_deliver([due.pk, later.pk]), services.emails_deliver([due.pk, later.pk]))
print("outbox", [message.subject for message in mail.outbox])
print("claimed", services._claim(later.pk))
Email.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now())
claimed = services._claim(later.pk)
print("claimed", claimed.status, claimed.attempts, claimed.lease_expires_at > timezone.now(), services._claim(later.pk))
"""


def test_the_worker_claims_and_sends_on_make_runs_default_sqlite_database(tmp_path):
    # The claim is raw SQL (UPDATE … RETURNING): it must take each email once on SQLite too, and not early.
    result = subprocess.run(
        [sys.executable, "-c", SQLITE_OUTBOX],
        env={
            **BASE_ENV,
            "DJANGO_DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
            "EMAIL_URL": "memorymail://",
            "CACHE_DIR": str(tmp_path / "cache"),
        },
        capture_output=True,
        text=True,
        timeout=120,
        cwd=site_settings.BASE_DIR,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "sent 1 0",
        "outbox ['Test 1']",
        "claimed None",
        "claimed sending 1 True None",
    ]


def test_make_run_serves_every_public_page_on_its_default_sqlite_database(tmp_path):
    # `make run` without DATABASE_URL uses SQLite: raw SQL (the tour's country list) must run there too.
    result = subprocess.run(
        [sys.executable, "-c", SQLITE_SMOKE],
        env={**BASE_ENV, "DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=site_settings.BASE_DIR,
    )
    assert result.returncode == 0, result.stderr
    pages = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert set(pages) == {
        "/de/",
        "/de/faq/",
        "/en/faq/?q=data",
        "/de/tour/",
        "/de/tour/?country=AT",
        "/de/screenings/register/",
    }
    assert all(outcome.startswith("200 ") for outcome in pages.values()), pages
    assert pages["/de/tour/"] == "200 True" and pages["/de/tour/?country=AT"] == "200 True"


@pytest.mark.parametrize(("port", "site_url"), [(None, "http://127.0.0.1:8000"), ("8301", "http://127.0.0.1:8301")])
def test_make_run_emails_links_to_the_port_it_serves_on(tmp_path, port, site_url):
    """honcho gives each process of `make run` a PORT of its own (the worker, which writes the emails,
    8100): SITE_URL comes from make's PORT, the web server's, for all of them."""
    seen = tmp_path / "seen"
    for program in ("python", "honcho"):
        fake = tmp_path / program
        fake.write_text(f'#!/bin/sh\necho "{program} $SITE_URL" >> {seen}\n')
        fake.chmod(0o755)
    arguments = [f"PORT={port}"] if port else []
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    result = subprocess.run(
        ["make", "-s", "run", f"BIN={tmp_path}", *arguments],
        cwd=site_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert f"honcho {site_url}" in seen.read_text().splitlines()
