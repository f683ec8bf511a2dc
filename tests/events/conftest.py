from datetime import timedelta

import pytest
from django.utils import timezone

from events import services
from events.models import NetflixTerms, Screening


def future_local(days=30, hour="19:30"):
    return (timezone.localdate() + timedelta(days=days)).isoformat() + "T" + hour


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
        registration = services.screening_register(
            data=data, terms=terms, language=data["language"], base_url="http://testserver/"
        )
        screening = registration.screening
        token = _last_token(screening)
        if confirm:
            services.screening_confirm_email(screening)
        if approve:
            services.screening_review(screenings=Screening.objects.filter(pk=screening.pk), approve=True)
        screening.refresh_from_db()
        return screening, token

    return make


def _last_token(screening):
    from django.core import mail

    for message in reversed(mail.outbox):
        if screening.email in message.to:
            return message.body.split("/screenings/manage/")[1].split("/")[0]
    return None
