import os

# The environment's defaults for the suite are set in tests/envdefaults.py, before Django's settings load.
# Playwright's sync API keeps an event loop running in the test thread; Django's ORM calls made by
# browser tests from that thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from events import services as event_services
from events.models import NetflixTerms, Screening
from tests.helpers import future_local, send_outbox


@pytest.fixture(autouse=True)
def _reset_language():
    """Each test starts in the default language, whatever the previous one activated."""
    translation.activate("de")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _site_url_and_task_queue(settings):
    """Links in emails point to SITE_URL: in tests, the test client's own host. Tasks run at once when
    they are enqueued (after the commit that enqueues them, which tests of the `db` fixture only reach
    through django_capture_on_commit_callbacks); the tests of the real worker use the database queue."""
    settings.SITE_URL = "http://testserver"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with empty caches: the shared ones (the site's, the limits') and this process's page cache."""
    from django.core.cache import caches

    from socialdilemma.pagecache import local_pages

    for alias in caches:
        caches[alias].clear()
    local_pages.clear()
    yield


# Screenings, for the tests of every app that shows them.
@pytest.fixture
def committed(db):
    """`with committed(): ...` does what a commit of the block's changes would do (the tests'
    transaction never commits): it runs the on-commit callbacks the block registered, above all the
    content version's replacement after a staff edit, and forgets them. Yields the list of them."""
    from contextlib import contextmanager

    from django.db import connection

    @contextmanager
    def commit():
        start = len(connection.run_on_commit)
        callbacks = []
        yield callbacks
        callbacks.extend(callback for _sids, callback, _robust in connection.run_on_commit[start:])
        del connection.run_on_commit[start:]
        for callback in callbacks:
            callback()

    return commit


@pytest.fixture
def terms(db):
    return NetflixTerms.objects.get(version="2020-09")


@pytest.fixture
def make_screening(db, terms):
    """Register a screening through the service (as the form would), returning (screening, token)."""

    def make(*, approve=False, confirm=True, **fields):
        start = fields.pop("starts_at", timezone.now() + timedelta(days=10))
        data = {
            "host_name": "Host",
            "email": "host@example.org",
            "organisation": "Org",
            "title": "Screening",
            "description": "",
            "format": Screening.Format.IN_PERSON,
            "starts_at": start,
            "timezone": "Europe/Berlin",
            "expected_attendees": 10,
            "city": "Berlin",
            "country": "DE",
            "online_url": "",
            "language": "de",
            "publish_on_tour": True,
            **fields,
        }
        registration = event_services.screening_register(data=data, terms=terms, language=data["language"])
        screening = registration.screening
        send_outbox()
        token = _last_token(screening)
        if confirm:
            event_services.screening_confirm_email(screening)
        if approve:
            event_services.screening_review(screenings=Screening.objects.filter(pk=screening.pk), approve=True)
        screening.refresh_from_db()
        return screening, token

    return make


def _last_token(screening):
    from django.core import mail

    for message in reversed(mail.outbox):
        if screening.email in message.to:
            return message.body.split("/screenings/manage/")[1].split("/")[0]
    return None


@pytest.fixture
def site_content(transactional_db):
    """The content the migrations bring, which transactional tests lose when tables are flushed."""
    from cookie_consent.cache import delete_cache
    from cookie_consent.models import Cookie, CookieGroup

    from consent.seed import consent_groups_create
    from events.models import NetflixTerms
    from events.seed import netflix_terms_create
    from faq.models import Entry
    from faq.services import faq_import_seed

    if not Entry.objects.exists():
        faq_import_seed()
    consent_groups_create(cookie_group_model=CookieGroup, cookie_model=Cookie)
    netflix_terms_create(terms_model=NetflixTerms)
    delete_cache()


@pytest.fixture
def form_data():
    """A valid registration as a browser would post it; tests override single fields."""

    def make(**overrides):
        data = {
            "host_name": "Ana Beispiel",
            "email": "ana@example.org",
            "organisation": "Medienwerkstatt",
            "title": "Filmabend mit Gespräch",
            "description": "Wir schauen den Film und sprechen danach.",
            "format": "virtual",
            "starts_at": future_local(),
            "timezone": "Europe/Berlin",
            "expected_attendees": "12",
            "city": "",
            "country": "",
            "online_url": "https://meet.example.org/filmabend",
            "language": "de",
            "publish_on_tour": "on",
            "accept_terms": "on",
            "website": "",
        }
        data.update(overrides)
        return {key: value for key, value in data.items() if value is not None}

    return make
