from datetime import timedelta

import pytest
from django.utils import timezone


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
