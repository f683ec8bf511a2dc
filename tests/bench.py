"""`make bench`: the production configuration under load, compared with a static file in the same run.

Starts `make serve` (gunicorn, DJANGO_DEBUG off, PostgreSQL, Redis when it answers) on loopback with the
real FAQ and 1,000 approved upcoming screenings, drives it with wrk, and prints requests per second,
p50/p99 latency and compressed bytes per response for each page, with its ratio to the stylesheet.
Every row is warmed up first (5 requests; the registration POST 2 seconds of posting), then measured in
ROUNDS turns, taken in rotation with the other rows: a machine whose speed drifts (a shared host) slows
every row alike instead of the rows measured last. Then the SQL queries per page and the bytes of a
first visit to /de/faq/. Not a test: it prints figures.
"""

import atexit
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: the tests' helpers that need no Django

from tests.mailserver import smtp_sink  # noqa: E402
from tests.nginx import nginx  # noqa: E402
from tests.pages import first_visit_requests  # noqa: E402

PORT = int(os.environ.get("BENCH_PORT", "8123"))
BASE = f"http://127.0.0.1:{PORT}"
DATABASE = "socialdilemma_bench"
ROUNDS = 4
# Seconds per row, in all its turns together ("8" or "8s"); each turn lasts whole seconds (as wrk counts).
TURN_SECONDS = max(1, round(float(os.environ.get("BENCH_DURATION", "8").removesuffix("s")) / ROUNDS))
DURATION = TURN_SECONDS * ROUNDS
CONNECTIONS = 16

# A form POST from wrk. Each wrk thread has its own Lua state with the same unseeded random sequence, so
# what must be new in every POST is built from the run's own RUN (fresh for every wrk run), the thread's
# number and the thread's counter. BODY sets `body`; PATH is where it goes.
FORM_POST_SCRIPT = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

counter = 0
request = function()
  counter = counter + 1
BODY
  return wrk.format("POST", "PATH", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Sec-Fetch-Site"] = "same-origin",
    ["Accept-Encoding"] = "gzip",
  }, body)
end
"""

# Every POST is a new registration: no two alike, as no two hosts register the same screening.
POST_SCRIPT = FORM_POST_SCRIPT.replace("PATH", "/de/screenings/register/").replace(
    "BODY",
    """  local id = string.format("RUN-%d-%d", thread_number, counter)
  local body = "host_name=Bench+Host&email=bench" .. id .. "%40example.org"
    .. "&title=Bench+" .. id .. "&format=virtual&starts_at=START&timezone=Europe%2FBerlin"
    .. "&expected_attendees=10&language=de&accept_terms=on&website=\"""",
)

# Every guest sign-up is a new address; the screening's places never run out. PATH: the screening's join.
GUEST_POST_SCRIPT = FORM_POST_SCRIPT.replace(
    "BODY",
    """  local body = string.format("email=guest-RUN-%d-%d%%40example.org&name=Bench&accept_conduct=on&website=",
    thread_number, counter)""",
)


def main():
    for tool in ("wrk", "curl"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: `make bench` installs Debian's package.")
    started = time.monotonic()
    modes = [("file cache (one machine, no REDIS_URL)", "")]
    if _redis_answers():
        modes.append(("Redis (several instances, REDIS_URL set)", "redis://127.0.0.1:6379/15"))
    reports = []
    for title, redis_url in modes:
        env = _env(redis_url)
        print(f"Preparing the database (real FAQ, 1,000 approved upcoming screenings) for: {title} ...", flush=True)
        _fresh_database()
        _manage(env, "migrate", "--no-input", "-v0")
        _manage(env, "shell", "-v0", "-c", SEED)
        if redis_url:
            _manage(env, "shell", "-v0", "-c", "from django.core.cache import cache; cache.clear()")
        server = subprocess.Popen(
            ["make", "--no-print-directory", "serve"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            _wait_for_server()
            with nginx(BASE, Path(tempfile.mkdtemp(prefix="bench-nginx-"))) as nginx_base:
                rows = _load_rows(nginx_base)
            extra = None
            if not reports:
                first_visits = {path: _first_visit(path) for path in ("/de/", "/de/faq/")}
                extra = (_queries_per_page(env), first_visits, _lighthouse())
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        reports.append((title, rows, extra))
    print(f"Worker: a newsletter issue to {WORKER_EMAILS:,} subscribers through a local SMTP sink ...", flush=True)
    worker = _bench_worker(_env(""))
    print("Scale: tour with 100 and 10,000 approved screenings; admin and CSV with 100,000 ...", flush=True)
    scale = _scale(_env(""))
    _print_report(reports, scale, time.monotonic() - started, worker)


def _cache_dir():
    """A fresh private file-cache folder, in memory like the production default (see settings)."""
    memory = os.environ.get("XDG_RUNTIME_DIR") or "/dev/shm"  # noqa: S108 - mkdtemp makes it private
    folder = tempfile.mkdtemp(prefix="bench-cache-", dir=memory if os.path.isdir(memory) else None)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _env(redis_url):
    return {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        "REDIS_URL": redis_url,
        "CACHE_DIR": _cache_dir(),
        "EMAIL_URL": "dummymail://",
        "SITE_URL": "http://127.0.0.1:8000",
        "SCREENING_RATE_LIMIT": "100000000/h",
        "GUEST_RATE_LIMIT": "100000000/h",
        "PORT": str(PORT),
    }


SEED = """
from datetime import timedelta
from django.utils import timezone
from events.models import Guest, NetflixTerms, Screening
terms = NetflixTerms.objects.get()
now = timezone.now()
Screening.objects.bulk_create([
    Screening(host_name=f"Host {n}", email=f"host{n}@example.org", organisation=f"Organisation {n % 40}",
              title=f"Screening number {n}", description="Film and conversation.",
              format="in_person" if n % 3 else "virtual", starts_at=now + timedelta(hours=6 + n * 7),
              timezone="Europe/Berlin", expected_attendees=12, city="Berlin" if n % 3 else "",
              country=("DE", "AT", "CH", "FR")[n % 4] if n % 3 else "", language="de", publish_on_tour=True,
              terms=terms, terms_accepted_at=now, terms_text="bench", status="confirmed",
              email_confirmed_at=now, tour_status="approved", tour_reviewed_at=now)
    for n in range(1000)
])
# Guests may sign up for the first one (the guest sign-up row).
Screening.objects.filter(title="Screening number 0").update(places=1_000_000_000)
"""


def _redis_answers():
    try:
        import redis

        return redis.Redis.from_url("redis://127.0.0.1:6379/15", socket_connect_timeout=1).ping()
    except Exception:
        return False


def _fresh_database():
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")


def _manage(env, *args):
    """Run a management command; returns what it printed (its errors go to the terminal)."""
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True
    ).stdout


def _wait_for_server():
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(BASE + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the server did not start")


def _stylesheet_path():
    html = _get("/de/faq/", encoding="identity")[1].decode()
    return re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)


def _get(path, encoding="gzip"):
    request = urllib.request.Request(BASE + path, headers={"Accept-Encoding": encoding})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers, response.read()


def _wrk(path, script=None, duration=TURN_SECONDS, base=BASE, headers=()):
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{duration:g}s", "--latency", "-H", "Accept-Encoding: gzip"]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", script]
    output = subprocess.run(command + [base + path], capture_output=True, text=True, check=True).stdout
    done = re.search(r"(\d+) requests in ([\d.]+)(\w+)", output)
    latency = {m.group(1): _ms(m.group(2)) for m in re.finditer(r"^\s+(50|99)%\s+([\d.]+\w+)", output, re.M)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "requests": int(done.group(1)),
        "seconds": _ms(done.group(2) + done.group(3)) / 1000,
        "p50": latency["50"],
        "p99": latency["99"],
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def _combined(turns):
    """One row from its turns: requests per second over all of them; the median of their p50 and the
    highest of their p99 (percentiles of separate runs cannot be merged exactly; this errs on the slow side)."""
    return {
        "requests": sum(turn["requests"] for turn in turns),
        "rps": sum(turn["requests"] for turn in turns) / sum(turn["seconds"] for turn in turns),
        "p50": statistics.median(turn["p50"] for turn in turns),
        "p99": max(turn["p99"] for turn in turns),
        "errors": sum(turn["errors"] for turn in turns),
        "socket_errors": "; ".join(turn["socket_errors"] for turn in turns if turn["socket_errors"]),
    }


def _ms(value):
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def _load_rows(nginx_base):
    stylesheet = _stylesheet_path()
    pages = [
        ("stylesheet (static baseline)", stylesheet),
        ("/de/ (home page)", "/de/"),
        ("/de/faq/", "/de/faq/"),
        ("/en/faq/", "/en/faq/"),
        ("/de/faq/?q=daten", "/de/faq/?q=daten"),
        ("/de/tour/", "/de/tour/"),
        ("/de/screenings/register/ (GET)", "/de/screenings/register/"),
        ("a screening's page", _screening_path()),
    ]
    for _label, path in pages:
        for _ in range(5):
            _get(path)  # warm caches and connections
    etag = _get("/de/faq/")[0]["ETag"]
    # Rows measured like the pages but elsewhere: (label, path, base, headers).
    others = {
        "/de/faq/ answered 304 (If-None-Match)": ("/de/faq/", BASE, [f"If-None-Match: {etag}"]),
        "/de/faq/ through nginx's page cache": ("/de/faq/", nginx_base, []),
    }
    start = time.strftime("%Y-%m-%dT19%%3A30", time.localtime(time.time() + 30 * 86400))
    # Warmed up like the pages above (each worker's first registrations set up what later ones reuse).
    _wrk("/de/screenings/register/", script=_post_script(start), duration=2)
    post_label = f"registration POST ({CONNECTIONS} clients)"
    guest_label = f"guest sign-up POST ({CONNECTIONS} clients)"
    join_path = _screening_path().split("-", 1)[0] + "/join/"
    _wrk(join_path, script=_post_script(start, GUEST_POST_SCRIPT.replace("PATH", join_path)), duration=2)
    labels = [*pages, *[(label, None) for label in others], (guest_label, None), (post_label, None)]
    turns = {label: [] for label, _path in labels}
    guests_before = _bench_guests()
    before = _bench_registrations()
    for round_number in range(1, ROUNDS + 1):
        print(f"  measuring every row, turn {round_number} of {ROUNDS} ...", flush=True)
        for label, path in pages:
            turns[label].append(_wrk(path))
        for label, (path, base, headers) in others.items():
            turns[label].append(_wrk(path, base=base, headers=headers))
        guest_script = _post_script(start, GUEST_POST_SCRIPT.replace("PATH", join_path))
        turns[guest_label].append(_wrk(join_path, script=guest_script))
        turns[post_label].append(_wrk("/de/screenings/register/", script=_post_script(start)))
    time.sleep(1)  # the last requests in flight when wrk stopped
    saved = _bench_registrations() - before
    guests_saved = _bench_guests() - guests_before
    rows = []
    for label, path in pages:
        rows.append({**_combined(turns[label]), "label": label, "bytes": len(_get(path)[1])})
    for label in others:
        rows.append({**_combined(turns[label]), "label": label, "bytes": 0})
    rows.append({**_combined(turns[guest_label]), "label": guest_label, "bytes": 0, "saved": guests_saved})
    rows.append({**_combined(turns[post_label]), "label": post_label, "bytes": 0, "saved": saved})
    return rows


def _post_script(start, template=POST_SCRIPT):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(template.replace("RUN", uuid.uuid4().hex).replace("START", start))
    atexit.register(os.remove, script.name)
    return script.name


def _screening_path():
    """The page of the screening guests sign up for in the bench (see SEED)."""
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{DATABASE}") as connection:
        pk = connection.execute("SELECT id FROM events_screening WHERE title = 'Screening number 0'").fetchone()[0]
    return f"/de/tour/{pk}-screening-number-0/"


def _bench_guests():
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{DATABASE}") as connection:
        return connection.execute("SELECT count(*) FROM events_guest WHERE email LIKE 'guest-%%'").fetchone()[0]


def _bench_registrations():
    """Registrations saved so far: each POST must be a new one, not a double submit (which saves nothing)."""
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{DATABASE}") as connection:
        return connection.execute("SELECT count(*) FROM events_screening WHERE email LIKE 'bench%'").fetchone()[0]


QUERY_SCRIPT = """
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.conf import settings
settings.PAGE_CACHE_SECONDS = 0
client = Client(HTTP_HOST="127.0.0.1")
for path in ["/de/faq/", "/en/faq/", "/de/faq/?q=daten", "/de/tour/", "/de/screenings/register/"]:
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    print(path, len(queries))
"""


def _queries_per_page(env):
    output = _manage(env, "shell", "-v0", "-c", QUERY_SCRIPT)
    return dict(line.rsplit(" ", 1) for line in output.strip().splitlines())


def _first_visit(path):
    headers, html = _get(path)
    assets, blocking = first_visit_requests(_get(path, encoding="identity")[1].decode())
    sizes = {"HTML": len(html)}
    for asset in assets:
        sizes[asset] = len(_get(asset)[1])
    return {"sizes": sizes, "total": sum(sizes.values()), "render_blocking": blocking}


LIGHTHOUSE = ROOT / "scripts" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
LIGHTHOUSE_VERSION = "13.5.0"  # scripts/lighthouse/package.json
LIGHTHOUSE_CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def _lighthouse():
    """Lighthouse's four scores (0–100) for the pages issue #18 names, against `make serve`, in Debian's
    Chromium with the desktop preset (as the issue asks; Lighthouse's mobile run throttles a phone and is
    not what it measures). A page Lighthouse could not measure shows its error instead."""
    pages = {
        "/de/": "/de/",
        "/en/faq/": "/en/faq/",
        "/de/screenings/register/": "/de/screenings/register/",
        "a screening's page": _screening_path(),
    }
    results = {}
    for label, path in pages.items():
        # Two tries: on a loaded machine Chromium can miss one of Lighthouse's protocol deadlines.
        for _attempt in range(2):
            scores, error = _lighthouse_page(BASE + path)
            if scores:
                break
        results[label] = scores or dict.fromkeys(LIGHTHOUSE_CATEGORIES, f"error: {error}")
    return results


def _lighthouse_page(url):
    """({category: score}, None) of one page, or (None, Lighthouse's last line of complaint)."""
    folder = Path(tempfile.mkdtemp(prefix="bench-lighthouse-"))
    report = folder / "report.json"
    try:
        completed = subprocess.run(  # noqa: S603 - our own pinned tool and our own server
            [
                str(LIGHTHOUSE),
                url,
                "--preset=desktop",
                "--only-categories=" + ",".join(LIGHTHOUSE_CATEGORIES),
                "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
                "--output=json",
                f"--output-path={report}",
                "--quiet",
            ],
            env={**os.environ, "CHROME_PATH": shutil.which("chromium") or "/usr/bin/chromium"},
            capture_output=True,
            text=True,
            timeout=240,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        shutil.rmtree(folder, ignore_errors=True)
        return None, type(error).__name__
    if completed.returncode != 0 or not report.exists():
        shutil.rmtree(folder, ignore_errors=True)
        lines = (completed.stderr or completed.stdout or "no output").strip().splitlines()
        return None, lines[-1][:120] if lines else f"exit {completed.returncode}"
    data = json.loads(report.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    categories = data["categories"]
    if data.get("runtimeError"):
        return None, data["runtimeError"].get("code", "runtime error")
    return {
        key: f"{round(categories[key]['score'] * 100)}" if categories[key]["score"] is not None else "–"
        for key in LIGHTHOUSE_CATEGORIES
    }, None


def _chromium_version():
    completed = subprocess.run(["chromium", "--version"], capture_output=True, text=True)  # noqa: S603, S607
    return completed.stdout.strip() or "Chromium"


SCALE_SCRIPT = """
import statistics, time, tracemalloc
from datetime import timedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from events.models import NetflixTerms, Screening
from events.services import screenings_csv_rows
settings.PAGE_CACHE_SECONDS = 0
terms = NetflixTerms.objects.get()
now = timezone.now()

def add(count, start):
    Screening.objects.bulk_create([
        Screening(host_name="Host", email=f"h{n}@example.org", title=f"S {n}", format="virtual",
                  starts_at=now + timedelta(minutes=10 + n), timezone="Europe/Berlin", expected_attendees=5,
                  language="de", publish_on_tour=True, terms=terms, terms_accepted_at=now, terms_text="x",
                  status="confirmed", tour_status="approved")
        for n in range(start, start + count)], batch_size=5000)

def settled():
    # What autovacuum does within a minute of a bulk load: visibility map and statistics up to date.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE events_screening")

def timed(client, path, repeat=40):
    # Milliseconds of each of `repeat` requests, and the queries of one.
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    count = len(queries)  # now: the next request clears the query log
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    return times, count

Screening.objects.all().delete()
client = Client(HTTP_HOST="127.0.0.1")
add(100, 0)
# The two sizes in turn, three times: a machine whose speed drifts slows both alike. The median: a
# request slowed by something else on the machine does not move it.
small, large = [], []
for _turn in range(3):
    settled()
    times, small_queries = timed(client, "/de/tour/")
    small += times
    add(9900, 100)
    settled()
    times, large_queries = timed(client, "/de/tour/")
    large += times
    count = Screening.objects.count()
    Screening.objects.filter(starts_at__gte=now + timedelta(minutes=10 + 100)).delete()
small_ms, large_ms = statistics.median(small), statistics.median(large)
print(f"tour {count} {small_ms:.2f} {small_queries} {large_ms:.2f} {large_queries}")
# Query counts of the tour and a screening's page with 100 screenings without guests, then with 10,000
# screenings of 100 guests each.
def queries(path):
    assert client.get(path).status_code == 200, path
    return timed(client, path, repeat=1)[1]

page = Screening.objects.order_by("pk").first().get_absolute_url()
few = (queries("/de/tour/"), queries(page))
add(9900, 100)
screening_ids = list(Screening.objects.values_list("pk", flat=True))
for start in range(0, len(screening_ids), 500):
    Guest.objects.bulk_create([
        Guest(screening_id=pk, email=f"g{pk}-{n}@example.org", language="de", conduct_accepted_at=now,
              confirmed_at=now, status="confirmed" if n < 60 else "waiting", link_key=f"{pk}-{n}",
              token_hash=f"{pk}-{n}")
        for pk in screening_ids[start:start + 500] for n in range(100)], batch_size=10000)
with connection.cursor() as cursor:
    cursor.execute("VACUUM ANALYZE events_guest")
settled()
many = (queries("/de/tour/"), queries(page))
print(f"guests {Screening.objects.count()} {Guest.objects.count()} {few[0]} {few[1]} {many[0]} {many[1]}")
add(89900, 10000)
settled()
admin, _created = get_user_model().objects.get_or_create(username="bench", is_staff=True, is_superuser=True)
client.force_login(admin)
admin_times, admin_queries = timed(client, "/admin/events/screening/", repeat=5)
admin_ms = statistics.median(admin_times)
tracemalloc.start()
rows = 0
for _line in screenings_csv_rows(Screening.objects.all()):
    rows += 1
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
print(f"admin {Screening.objects.count()} {admin_ms:.1f} {admin_queries} {rows - 1} {peak / 1e6:.1f}")
"""


def _scale(env):
    output = _manage(env, "shell", "-v0", "-c", SCALE_SCRIPT)
    values = {line.split()[0]: line.split()[1:] for line in output.strip().splitlines()}
    return values


WORKER_EMAILS = 10_000  # a newsletter issue to this many subscribers (issue #16)
# A realistic issue: a few paragraphs, a list, emphasis and links to the site's pages (site:) and elsewhere.
ISSUE_SUBJECTS = {
    "de": "Neues von „Das soziale Dilemma“: Vorführungen im Herbst",
    "en": "News from “The Social Dilemma”: autumn screenings",
}
ISSUE_BODIES = {
    "de": """Liebe Leserinnen und Leser,

seit dem Frühjahr haben **mehr als 300 Gruppen** den Film gezeigt: in Schulen, Bibliotheken, Kinos und
Wohnzimmern. Danke an alle, die eingeladen und mitdiskutiert haben!

**Was ansteht**

- Im Oktober zeigen Volkshochschulen in Leipzig, Graz und Basel den Film mit anschließendem Gespräch.
- Unser neuer *Diskussionsleitfaden für Schulklassen* ist fertig: [alle Materialien](site:resources).
- Auf der [virtuellen Tour](site:tour) finden Sie Vorführungen in Ihrer Nähe oder online.

**Selbst aktiv werden**

Zeigen Sie den Film Ihrer Gruppe: [registrieren Sie Ihre Vorführung](site:register) für die kostenlose
einmalige Vorführgenehmigung. Was Sie sonst tun können, steht unter [Handeln](site:take-action); Antworten auf
häufige Fragen in unseren [Fragen und Antworten](site:faq).

> „Wenn du nicht für das Produkt bezahlst, dann bist du das Produkt.“

Mehr über den Film: [thesocialdilemma.com](https://www.thesocialdilemma.com/).

Herzliche Grüße
Ihr Team von „Das soziale Dilemma“
""",
    "en": """Dear readers,

since the spring **more than 300 groups** have shown the film: in schools, libraries, cinemas and living
rooms. Thank you to everyone who invited others and joined the conversation!

**Coming up**

- In October, adult education centres in Leipzig, Graz and Basel show the film, followed by a conversation.
- Our new *discussion guide for school classes* is ready: [all materials](site:resources).
- On the [virtual tour](site:tour) you find screenings near you or online.

**Get involved yourself**

Show the film to your group: [register your screening](site:register) for the free one-time screening
permission. What else you can do is under [Take action](site:take-action); answers to common questions in
our [questions and answers](site:faq).

> "If you're not paying for the product, then you are the product."

More about the film: [thesocialdilemma.com](https://www.thesocialdilemma.com/).

Best wishes,
The team of “The Social Dilemma”
""",
}
# COUNT confirmed subscribers (half German, half English, with their proof of consent and private link),
# one issue in both languages, and the staff's "send to all confirmed subscribers": the worker then
# queues one email per subscriber in batches (newsletter.services.ISSUE_BATCH) and delivers them.
ENQUEUE_ISSUE = """
import uuid
from django.db import transaction
from django.utils import timezone
from newsletter import services
from newsletter.models import Issue, Subscriber
from socialdilemma.private import token_hash
now = timezone.now()
languages = ["de" if n % 2 == 0 else "en" for n in range(COUNT)]
keys = [uuid.uuid4().hex + uuid.uuid4().hex for _n in range(COUNT)]
Subscriber.objects.bulk_create(
    (Subscriber(email=f"reader{n}@example.org", language=languages[n], status="confirmed", requested_at=now,
                confirmed_at=now, consent_text=services.consent_text(languages[n]),
                consent_version=services.CONSENT_VERSION, link_key=keys[n],
                token_hash=token_hash(services.link_token(keys[n])))
     for n in range(COUNT)),
    batch_size=2000,
)
issue = Issue.objects.create(subject_de=SUBJECT_DE, subject_en=SUBJECT_EN, body_de=BODY_DE, body_en=BODY_EN)
with transaction.atomic():
    if not services.issue_start_sending(issue):
        raise SystemExit("the issue did not start sending")
"""


def _enqueue_issue_script(count):
    values = {
        "COUNT": str(count),
        "SUBJECT_DE": repr(ISSUE_SUBJECTS["de"]),
        "SUBJECT_EN": repr(ISSUE_SUBJECTS["en"]),
        "BODY_DE": repr(ISSUE_BODIES["de"]),
        "BODY_EN": repr(ISSUE_BODIES["en"]),
    }
    return re.sub("|".join(values), lambda match: values[match.group(0)], ENQUEUE_ISSUE)


def _rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _bench_worker(env):
    """One worker process sends a newsletter issue to WORKER_EMAILS subscribers through an aiosmtpd sink
    in this process: it queues the issue's emails (batches of newsletter.services.ISSUE_BATCH) and delivers
    them. Emails per second, the worker's memory early and at the end, and how long the queueing took."""
    port = _free_port()
    env = {**env, "EMAIL_URL": f"smtp://127.0.0.1:{port}"}
    _fresh_database()
    _manage(env, "migrate", "--no-input", "-v0")
    _manage(env, "shell", "-v0", "-c", _enqueue_issue_script(WORKER_EMAILS))
    with smtp_sink(port) as sink:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1", "-v0"],
            cwd=ROOT,
            env=env,
        )
        try:
            started = time.monotonic()
            sink.wait_for(500, timeout=300)
            early = _rss_mb(worker.pid), len(sink.recipients()), time.monotonic()
            sink.wait_for(WORKER_EMAILS, timeout=600)
            finished = time.monotonic()
            late = _rss_mb(worker.pid)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        recipients = sink.recipients()
    delivered = len(recipients)
    return {
        "delivered": delivered,
        "recipients": len(set(recipients)),
        "seconds": finished - started,
        "rate": delivered / (finished - started),
        "steady_rate": (delivered - early[1]) / (finished - early[2]),
        "rss_early": early[0],
        "rss_late": late,
        "queue_seconds": _issue_queueing_seconds(),
    }


def _issue_queueing_seconds():
    """How long the worker's task that queued the issue's emails ran."""
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{DATABASE}") as connection:
        row = connection.execute(
            "SELECT extract(epoch FROM finished_at - started_at) FROM django_tasks_database_dbtaskresult "
            "WHERE task_path = 'newsletter.tasks.send_issue' AND status = 'SUCCESSFUL'"
        ).fetchone()
    return float(row[0]) if row else None


def _free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _print_report(reports, scale, seconds, worker):
    cpu = _cpu_name()
    workers = 2 * (os.cpu_count() or 1) + 1
    print()
    print(
        f"Benchmark on {cpu}, {os.cpu_count()} cores: `make serve` (gunicorn, {workers} sync workers) and wrk "
        f"(2 threads, {CONNECTIONS} connections) on the same machine; {DURATION} s per row in {ROUNDS} turns, "
        "the rows taken in rotation."
    )
    for title, rows, extra in reports:
        baseline = rows[0]["rps"]
        print()
        print(f"Cache: {title}")
        print()
        print("| request | req/s | p50 ms | p99 ms | bytes (gzip) | ratio to static | errors |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for row in rows:
            errors = row["errors"] + (1 if row["socket_errors"] else 0)
            print(
                f"| {row['label']} | {row['rps']:.0f} | {row['p50']:.2f} | {row['p99']:.2f} | "
                f"{row['bytes'] or '–'} | {_ratio(row['rps'] / baseline)} | {errors} |"
            )
        posts = rows[-1]
        # Requests still in flight when a turn (or the warm-up) ended are saved without being counted as
        # answered: at most one per connection and run.
        in_flight = CONNECTIONS * (ROUNDS + 1)
        extra_saved = posts["saved"] - posts["requests"]
        verdict = (
            f"as many as answered, and {extra_saved:,} still in flight as a turn ended (at most {in_flight})"
            if 0 <= extra_saved <= in_flight
            else f"{extra_saved:+,} against the POSTs answered, outside 0 to {in_flight}: POSTs that saved nothing?"
        )
        print()
        print(f"Registration POSTs answered: {posts['requests']:,}; registrations saved: {posts['saved']:,}: {verdict}")
        signups = rows[-2]
        print(
            f"Guest sign-up POSTs answered: {signups['requests']:,}; sign-ups saved: {signups['saved']:,} "
            f"(each a new address; in flight as turns ended: at most {in_flight} more)"
        )
        if extra:
            queries, first_visits, lighthouse = extra
            print()
            print(
                "SQL queries per page (rendering, page cache off): " + ", ".join(f"{p} {n}" for p, n in queries.items())
            )
            for path, first_visit in first_visits.items():
                print(
                    f"First visit to {path}: {first_visit['total']:,} bytes compressed in total (budget 60,000; "
                    f"{', '.join(f'{k} {v:,}' for k, v in first_visit['sizes'].items())}); "
                    f"render-blocking requests: {first_visit['render_blocking']}"
                )
            print()
            print(f"Lighthouse {LIGHTHOUSE_VERSION} in {_chromium_version()} (desktop preset; target 100 in each):")
            print()
            print("| page | performance | accessibility | best practices | SEO |")
            print("| --- | ---: | ---: | ---: | ---: |")
            for label, scores in lighthouse.items():
                print(f"| {label} | " + " | ".join(scores.get(key, "–") for key in LIGHTHOUSE_CATEGORIES) + " |")
    tour, admin, guests = scale["tour"], scale["admin"], scale["guests"]
    print()
    print(
        "Tour page, rendered (page cache off; median of 120 requests, the two sizes taken in turn; table vacuumed "
        f"and analysed, as autovacuum leaves it): {float(tour[1]):.2f} ms and {tour[2]} queries with 100 screenings, "
        f"{float(tour[3]):.2f} ms and {tour[4]} queries with {int(tour[0]):,} "
        f"({float(tour[3]) / float(tour[1]):.2f}x)"
    )
    print(
        f"Queries per page (page cache off): the tour {guests[2]}, a screening's page {guests[3]} with 100 screenings "
        f"and no guests; the tour {guests[4]}, a screening's page {guests[5]} with {int(guests[0]):,} screenings and "
        f"{int(guests[1]):,} guests"
    )
    print(
        f"Admin registrations list with {int(admin[0]):,} rows: {admin[1]} ms, {admin[2]} queries; "
        f"CSV export of {int(admin[3]):,} rows: peak Python memory {admin[4]} MB"
    )
    print(_worker_line(worker))
    print(f"Finished in {seconds:.0f} s.")


def _worker_line(worker):
    queued = f"{worker['queue_seconds']:.1f} s" if worker["queue_seconds"] is not None else "not finished"
    each_once = (
        "each subscriber once"
        if worker["recipients"] == worker["delivered"] == WORKER_EMAILS
        else f"{worker['recipients']:,} subscribers of {WORKER_EMAILS:,} reached, {worker['delivered']:,} emails"
    )
    return (
        f"Newsletter issue to {WORKER_EMAILS:,} subscribers (one worker, local aiosmtpd sink): {worker['delivered']:,} "
        f"emails in {worker['seconds']:.1f} s ({each_once}; all queued in {queued}), {worker['rate']:.0f} emails/s "
        f"({worker['steady_rate']:.0f}/s after the first 500); worker memory (RSS) after 500 emails "
        f"{worker['rss_early']:.1f} MB, after {worker['delivered']:,} {worker['rss_late']:.1f} MB "
        f"({worker['rss_late'] - worker['rss_early']:+.1f} MB)"
    )


def _ratio(value):
    """Two decimals; three below 0.2, where rounding to two would hide whether 0.1 is reached."""
    return f"{value:.2f}" if value >= 0.2 else f"{value:.3f}"


def _cpu_name():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


if __name__ == "__main__":
    main()
