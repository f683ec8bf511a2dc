"""Registrations under load and through a database outage, against real gunicorn servers.

The outage test runs a throwaway PostgreSQL cluster of its own (initdb into a temporary folder, another
port), which it starts, stops and removes: the shared server is never touched.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from tests.helpers import future_local
from tests.servers import ROOT, fetch, free_port, gunicorn, production_env

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


REGISTERED = "registered"


def register(base, n, language="de"):
    """One visitor: load the form, then post a registration from it as a browser does.

    Returns REGISTERED when the answer is the thank-you page naming the address, else the status."""
    status, headers, _html = fetch(f"{base}/{language}/screenings/register/")
    assert status == 200 and "Set-Cookie" not in headers
    body = urllib.parse.urlencode(
        {
            "host_name": f"Host {n}",
            "email": f"host{n}@example.org",
            "title": f"Screening {n}",
            "format": "virtual",
            "starts_at": future_local(),
            "timezone": "Europe/Berlin",
            "expected_attendees": "10",
            "language": language,
            "accept_terms": "on",
        }
    ).encode()
    status, _headers, html = fetch(
        f"{base}/{language}/screenings/register/",
        data=body,
        headers={"Sec-Fetch-Site": "same-origin", "Content-Type": "application/x-www-form-urlencoded"},
    )
    return REGISTERED if status == 200 and f"<strong>host{n}@example.org</strong>" in html else status


def in_parallel(clients, jobs, work):
    results, lock = {}, threading.Lock()
    queue = list(jobs)

    def run():
        while True:
            with lock:
                if not queue:
                    return
                job = queue.pop()
            outcome = work(job)
            with lock:
                results[job] = outcome

    threads = [threading.Thread(target=run) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


@pytest.mark.django_db(transaction=True)
def test_200_registrations_by_16_concurrent_clients_are_stored_exactly_once(site_content):
    from events.models import Screening

    env = production_env(SCREENING_RATE_LIMIT="100000/h")
    with gunicorn(workers=5, env=env) as base:
        results = in_parallel(16, range(200), lambda n: register(base, n))
        # Every form sent twice more (a double click, a reload) adds nothing.
        again = in_parallel(16, range(0, 200, 10), lambda n: register(base, n))
    assert set(results.values()) == {REGISTERED}, results
    assert set(again.values()) == {REGISTERED}
    titles = list(Screening.objects.values_list("title", flat=True))
    assert len(titles) == 200 and len(set(titles)) == 200


@contextmanager
def throwaway_postgresql():
    """A PostgreSQL cluster of the test's own, on its own port; yields (url, start, stop)."""
    if not (PG_BIN / "initdb").exists():
        pytest.fail(f"PostgreSQL's initdb not found in {PG_BIN}: `make test` installs PostgreSQL")
    folder = Path(tempfile.mkdtemp(prefix="pg-outage-"))
    data = folder / "data"
    port = free_port()
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    os.chmod(folder, 0o777)  # noqa: S103 - the postgres user writes the throwaway cluster here
    subprocess.run(
        [*as_postgres, str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"],
        check=True,
        capture_output=True,
        timeout=120,
    )

    def start():
        subprocess.run(
            [
                *as_postgres,
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(data),
                "-w",
                "-l",
                str(folder / "log"),
                "-o",
                f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off",
                "start",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def stop():
        subprocess.run(
            [*as_postgres, str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-m", "fast", "stop"],
            check=True,
            capture_output=True,
            timeout=120,
        )

    start()
    try:
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-c", "CREATE DATABASE site"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield f"postgres://postgres@127.0.0.1:{port}/site", start, stop
    finally:
        subprocess.run(
            [*as_postgres, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=120,
        )
        shutil.rmtree(folder, ignore_errors=True)


def test_a_database_outage_answers_503_loses_no_accepted_registration_and_recovers_by_itself(tmp_path):
    with throwaway_postgresql() as (url, start, stop):
        env = production_env(DATABASE_URL=url, SCREENING_RATE_LIMIT="100000/h", CACHE_DIR=str(tmp_path / "cache"))
        subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
        with gunicorn(workers=2, env=env) as base:
            accepted, outcomes, running = [], [], threading.Event()
            running.set()

            def keep_registering():
                n = 0
                while running.is_set():
                    n += 1
                    try:
                        status = register(base, n)
                    except (AssertionError, AttributeError, OSError):
                        status = "form unavailable"
                    outcomes.append(status)
                    if status == REGISTERED:
                        accepted.append(f"Screening {n}")
                    time.sleep(0.02)

            worker = threading.Thread(target=keep_registering)
            worker.start()
            time.sleep(1.5)
            stop()
            time.sleep(1.5)
            status, headers, body = fetch(base + "/de/tour/")
            assert status == 503 and "Vorübergehend nicht verfügbar" in body and "Traceback" not in body
            assert fetch(base + "/en/faq/?q=cookie")[0] in (200, 503)  # a cached page may still be served
            assert fetch(base + "/healthz")[0] == 503
            start()
            deadline = time.monotonic() + 30
            while fetch(base + "/healthz")[0] != 200:
                assert time.monotonic() < deadline, "the site did not recover by itself"
                time.sleep(0.2)
            time.sleep(1.5)
            running.clear()
            worker.join(timeout=60)
            assert fetch(base + "/de/tour/")[0] == 200
        assert any(status != REGISTERED for status in outcomes), "the outage was not noticed"
        assert all(status in (REGISTERED, 503, "form unavailable") for status in outcomes), set(outcomes)
        with psycopg.connect(url) as connection:
            stored = {row[0] for row in connection.execute("SELECT title FROM events_screening")}
        assert accepted and set(accepted) <= stored


@pytest.mark.django_db(transaction=True)
def test_a_redis_outage_slows_the_site_down_but_breaks_nothing_and_serves_nothing_stale(site_content, tmp_path):
    from events.models import Screening

    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes"]
    command += ["--appendfsync", "always", "--dir", str(tmp_path)]
    servers = [subprocess.Popen(command, stdout=subprocess.DEVNULL)]
    env = production_env(REDIS_URL=f"redis://127.0.0.1:{port}/0", CACHE_KEY_PREFIX="outage-test")

    def faq():
        return fetch(base + "/de/faq/")[2]

    try:
        with gunicorn(workers=2, env=env) as base:
            assert all("Wie lang ist der Film?" in faq() for _ in range(10))  # cached by both workers
            servers[0].terminate()
            servers[0].wait(timeout=10)
            # Pages, forms and staff edits go on without Redis: rendered, not cached.
            for path in ("/de/", "/en/faq/", "/de/faq/?q=daten", "/de/tour/", "/en/cookies/"):
                assert fetch(base + path)[0] == 200, path
            assert register(base, 1) == REGISTERED
            edit = (
                "from faq.models import Entry; e = Entry.objects.get(slug_de='wie-lang-ist-der-film'); "
                "e.question_de = 'Wie viele Minuten dauert der Film?'; e.save()"
            )
            staff_edit = [sys.executable, "manage.py", "shell", "-c", edit]
            subprocess.run(staff_edit, cwd=ROOT, env=env, check=True, timeout=60)
            assert all("Wie viele Minuten dauert der Film?" in faq() for _ in range(10))
            # Redis is back (with the version from before the edit): the pages cached before the outage
            # are never served again.
            servers.append(subprocess.Popen(command, stdout=subprocess.DEVNULL))
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                assert "Wie viele Minuten dauert der Film?" in faq()
    finally:
        for server in servers:
            server.kill()
            server.wait(timeout=10)
    assert Screening.objects.count() == 1
