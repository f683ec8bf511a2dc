from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from events.models import Screening

pytestmark = pytest.mark.django_db


def test_personal_data_is_removed_after_the_configured_days_keeping_anonymous_counts(make_screening, settings):
    settings.SCREENING_PERSONAL_DATA_DAYS = 90
    old, old_token = make_screening(title="Alt", host_name="Ana", email="ana@example.org", approve=True)
    recent, _ = make_screening(title="Neu", host_name="Ben", email="ben@example.org")
    Screening.objects.filter(pk=old.pk).update(starts_at=timezone.now() - timedelta(days=91))
    Screening.objects.filter(pk=recent.pk).update(starts_at=timezone.now() - timedelta(days=89))
    out = __import__("io").StringIO()
    call_command("events_remove_personal_data", stdout=out)
    assert "1 screening(s)" in out.getvalue()
    old.refresh_from_db()
    recent.refresh_from_db()
    for field in ("host_name", "email", "organisation", "title", "description", "online_url", "token_hash"):
        assert getattr(old, field) == "", field
    assert old.anonymised_at and not old.publish_on_tour
    assert old.expected_attendees == 10 and old.country.code == "DE" and old.format == "in_person"
    assert recent.host_name == "Ben" and recent.anonymised_at is None
    assert Screening.objects.count() == 2
    assert str(old).startswith("Screening") or str(old).startswith("Vorführung")


def test_the_days_are_a_command_option(make_screening):
    screening, _ = make_screening()
    Screening.objects.filter(pk=screening.pk).update(starts_at=timezone.now() - timedelta(days=11))
    call_command("events_remove_personal_data", "--days", "10", stdout=__import__("io").StringIO())
    screening.refresh_from_db()
    assert screening.email == ""


def test_registrations_nobody_confirmed_are_deleted_after_two_weeks(make_screening, settings):
    from events import tasks

    confirmed, _ = make_screening(title="Bestätigt")
    recent, _ = make_screening(confirm=False, title="Neu", email="neu@example.org")
    old, _ = make_screening(confirm=False, title="Alt", email="opfer@example.org")
    Screening.objects.filter(pk__in=[old.pk, confirmed.pk]).update(
        created_at=timezone.now() - timedelta(days=settings.SCREENING_UNCONFIRMED_DAYS, hours=1)
    )
    result = tasks.remove_personal_data.call()
    assert result["unconfirmed_deleted"] == 1
    assert set(Screening.objects.values_list("title", flat=True)) == {"Bestätigt", "Neu"}
    assert not Screening.objects.filter(email="opfer@example.org").exists()
