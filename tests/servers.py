"""Real server processes for tests that need several workers or instances (gunicorn, production settings)."""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(**overrides):
    """The environment of a production instance on loopback, against the test database."""
    database = settings.DATABASES["default"]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "socialdilemma.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "test-only-3f9a1c7e5b2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CACHE_DIR": settings.CACHES["default"].get("LOCATION", ""),
        "EMAIL_URL": "dummymail://",
        "SITE_URL": "http://127.0.0.1:8000",
    }
    env.update(overrides)
    return env


_collected = False


def collect_static():
    global _collected
    if not _collected:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
            cwd=ROOT,
            env=production_env(),
            check=True,
            timeout=120,
        )
        _collected = True


@contextmanager
def gunicorn(*, workers=1, env=None, wait_path="/healthz", log_path=None):
    """A gunicorn instance of the site; yields its base URL once wait_path answers 200 (or, with
    wait_path=None, once it answers at all). Its log (stderr) goes to log_path when given."""
    collect_static()
    port = free_port()
    # The server's log goes to a file: a pipe nobody reads would fill up and block the server.
    log = open(log_path, "w+b") if log_path else tempfile.TemporaryFile()  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            str(GUNICORN),
            "socialdilemma.wsgi",
            "--config",
            "socialdilemma/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        env=env or production_env(),
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base + (wait_path or "/healthz"), process, lambda: _read(log), any_answer=wait_path is None)
        yield base
    finally:
        stop(process, timeout=10)
        log.close()


def wait_until_serving(url, process, output, *, any_answer=False, timeout=30):
    """Return once `url` answers 200 (with any_answer, once it answers at all); raise with the end of the
    server's log (`output()`) when its process ended or `timeout` seconds passed."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if fetch(url)[0] == 200 or any_answer:
                return
        except (urllib.error.URLError, ConnectionError):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the server did not start (exit code {process.poll()}): " + output()[-3000:])
        time.sleep(0.2)


def _read(log):
    log.seek(0)
    return log.read().decode(errors="replace")


def stop(process, *, timeout):
    """SIGTERM, as a service manager stops a server; SIGKILL when it has not ended after `timeout` s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def fetch(url, *, data=None, headers=None):
    """(status, headers, text) of one request; never raises for HTTP error statuses."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


HONCHO = Path(sys.executable).with_name("honcho")


def queue_env(smtp_port, **overrides):
    """A production environment whose emails go to a mail server on this port, with short timeouts and
    retries so that the tests wait seconds, not hours."""
    return production_env(
        **{
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "EMAIL_TIMEOUT": "1",
            "EMAIL_RETRY_SECONDS": "1",
            "EMAIL_RETRY_MAX_SECONDS": "2",
            "EMAIL_SWEEP_SECONDS": "1",
            "SCHEDULER_TICK_SECONDS": "0.5",
            **overrides,
        }
    )


@contextmanager
def manage(*args, env):
    """A long-running management command (the worker, the scheduler) in a process of its own."""
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    process = subprocess.Popen(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        yield process
    finally:
        stop(process, timeout=15)
        log.seek(0)
        process.output = log.read().decode(errors="replace")
        log.close()


def worker(env):
    return manage("db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2", "--queue-name", "*", env=env)


def scheduler(env):
    return manage("scheduler", env=env)


@contextmanager
def site_stack(env, *, web_workers=2):
    """What `make serve` starts after its preparations: honcho running the Procfile (gunicorn, a worker,
    the scheduler). Yields (base URL, honcho's process, a function returning its output so far)."""
    collect_static()
    port = free_port()
    env = {**env, "PATH": f"{Path(sys.executable).parent}:{env['PATH']}", "WEB_WORKERS": str(web_workers)}
    log = tempfile.NamedTemporaryFile()  # noqa: SIM115 - closed in the finally below
    process = subprocess.Popen(
        [str(HONCHO), "-f", "Procfile", "start", "-p", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def output():
        return Path(log.name).read_text(errors="replace")

    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base + "/healthz", process, output)
        yield base, process, output
    finally:
        stop(process, timeout=20)
        log.close()
