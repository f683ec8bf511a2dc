import os

# `make test` sets DJANGO_DEBUG=1 (pytest-django still runs the tests with DEBUG off) and DATABASE_URL,
# the local PostgreSQL, before pytest-django loads the settings.
# Playwright's sync API keeps an event loop running in the test thread; Django's ORM calls made by
# browser tests from that thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _reset_language():
    """Each test starts in the default language, whatever the previous one activated."""
    translation.activate("de")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
