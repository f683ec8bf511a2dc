"""Freshness across gunicorn workers and across instances sharing PostgreSQL and Redis."""

import subprocess
import sys
import uuid

import pytest
import redis

from tests.servers import ROOT, fetch, gunicorn, production_env

pytestmark = pytest.mark.django_db(transaction=True)


def questions_seen(base, times):
    return [fetch(base + "/de/faq/")[2] for _ in range(times)]


RENAME_ENTRY = (
    "from faq.models import Entry; e = Entry.objects.get(slug_de='wie-lang-ist-der-film'); "
    "e.question_de = 'Wie viele Minuten dauert der Film?'; e.save()"
)


def edit_in_another_process(env):
    """A staff edit made by another process of the site with this configuration."""
    command = [sys.executable, "manage.py", "shell", "-c", RENAME_ENTRY]
    subprocess.run(command, cwd=ROOT, env=env, check=True, timeout=60)


def redis_env():
    return production_env(REDIS_URL="redis://127.0.0.1:6379/0", CACHE_KEY_PREFIX=f"test-{uuid.uuid4().hex}")


@pytest.mark.parametrize("shared_cache", ["file cache", "Redis"])
def test_an_edit_reaches_every_worker_of_an_instance_at_once(site_content, shared_cache):
    env = redis_env() if shared_cache == "Redis" else production_env()
    with gunicorn(workers=2, env=env) as base:
        # Warm both workers' page caches with the current page.
        assert all("Wie lang ist der Film?" in page for page in questions_seen(base, 20))
        edit_in_another_process(env)
        pages = questions_seen(base, 20)
        assert all("Wie viele Minuten dauert der Film?" in page for page in pages)
        assert not any("Wie lang ist der Film?" in page for page in pages)


def test_two_instances_sharing_postgresql_and_redis_behave_as_one(site_content):
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    client.ping()
    env = redis_env()
    with gunicorn(env=env) as first, gunicorn(env=env) as second:
        for base in (first, second, first, second):
            assert "Wie lang ist der Film?" in fetch(base + "/de/faq/")[2]
        # An edit through the first instance's configuration ...
        edit_in_another_process(env)
        # ... is on the second at once.
        assert "Wie viele Minuten dauert der Film?" in fetch(second + "/de/faq/")[2]
        assert "Wie viele Minuten dauert der Film?" in fetch(first + "/de/faq/")[2]
        # Consent given through one instance is honoured by the other.
        status, headers, _ = fetch(
            first + "/de/cookies/decline/",
            data=b"next=/de/",
            headers={"Origin": first, "Sec-Fetch-Site": "same-origin"},
        )
        assert status == 302
        cookie = headers["Set-Cookie"].split(";")[0]
        assert cookie.startswith("cookie_consent=")
        page = fetch(second + "/de/", headers={"Cookie": cookie})[2]
        assert 'id="consent-banner"' not in page
        assert 'id="consent-banner"' in fetch(second + "/de/")[2]
