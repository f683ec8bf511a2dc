"""The production configuration: deploy checks, headers on every page, a database outage answered with 503."""

import secrets
import subprocess
import sys

import pytest

from tests.servers import ROOT, fetch, gunicorn, production_env

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "example.org",
    "EMAIL_URL": "smtp://mail.example.org:587",
    "SITE_URL": "https://example.org",
    "PATH": "/usr/bin:/bin",
    "DJANGO_SETTINGS_MODULE": "socialdilemma.settings",
}


def test_check_deploy_reports_nothing_under_the_documented_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=PRODUCTION,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/de/", "/en/faq/", "/de/screenings/register/", "/de/cookies/", "/healthz"])
def test_security_headers_on_every_page(site_content, path):
    env = production_env(DJANGO_TRUST_X_FORWARDED_PROTO="1", DJANGO_SECURE_SSL_REDIRECT="1")
    with gunicorn(env=env) as base:
        # Behind the TLS proxy: the request came in over HTTPS.
        status, headers, _body = fetch(base + path, headers={"X-Forwarded-Proto": "https"})
        assert status == 200
        assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin" or path.startswith("/de/screenings")
        assert "camera=()" in headers["Permissions-Policy"]
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers.get("Server", "").lower() in ("", "gunicorn")
        for cookie in headers.get_all("Set-Cookie") or []:
            assert "Secure" in cookie and "SameSite=Lax" in cookie, cookie
        # Without the proxy's header the site insists on HTTPS (the load balancer's health check excepted).
        status, headers, _body = fetch(base + path)
        if path == "/healthz":
            assert status == 200
        else:
            assert status == 301 and headers["Location"].startswith("https://")


def test_without_trusting_the_proxy_a_forged_header_changes_nothing():
    env = production_env(DJANGO_SECURE_SSL_REDIRECT="1")
    with gunicorn(env=env) as base:
        status, headers, _body = fetch(base + "/de/", headers={"X-Forwarded-Proto": "https"})
        assert status == 301


@pytest.mark.django_db(transaction=True)
def test_pages_answer_a_translated_503_when_the_database_is_down(site_content):
    env = production_env(DATABASE_URL="postgres://postgres@127.0.0.1:1/unreachable", PAGE_CACHE_SECONDS="0")
    with gunicorn(env=env, wait_path=None) as base:
        for path, text in (("/de/faq/", "Vorübergehend nicht verfügbar"), ("/en/tour/", "Temporarily unavailable")):
            status, headers, body = fetch(base + path)
            assert status == 503, body[:500]
            assert text in body and "Traceback" not in body
            assert headers["Retry-After"] == "60"
        status, _headers, body = fetch(base + "/healthz")
        assert status == 503 and body == "database unavailable\n"
