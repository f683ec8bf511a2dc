"""A real nginx (Debian's package) with the README's page cache (docs/nginx/page-cache.conf) in front of
gunicorn: public pages shared, nothing that sets a cookie stored, a consenting visitor passed through."""

import re

import pytest

from tests.nginx import nginx
from tests.servers import fetch, gunicorn, production_env

pytestmark = pytest.mark.django_db(transaction=True)


def test_nginx_serves_public_pages_from_its_cache_and_passes_everyone_with_a_cookie_through(site_content, tmp_path):
    with gunicorn(env=production_env()) as upstream, nginx(upstream, tmp_path) as base:
        statuses = [fetch(base + "/de/faq/")[1]["X-Cache-Status"] for _ in range(3)]
        assert statuses == ["MISS", "HIT", "HIT"]
        _status, headers, page = fetch(base + "/de/faq/")
        assert "public" in headers["Cache-Control"] and headers["ETag"] and 'id="consent-banner"' in page
        # A conditional request is answered by nginx itself.
        assert fetch(base + "/de/faq/", headers={"If-None-Match": headers["ETag"]})[0] == 304

        # A response that sets a cookie is never stored: every visitor gets their own.
        admin = [fetch(base + "/admin/login/")[1] for _ in range(2)]
        assert [response["X-Cache-Status"] for response in admin] == ["MISS", "MISS"]
        tokens = [re.search(r"csrftoken=([^;]+)", response["Set-Cookie"]).group(1) for response in admin]
        assert tokens[0] != tokens[1]

        # A visitor who has chosen passes through, and sees their own variant (no banner).
        status, headers, _body = fetch(
            base + "/de/cookies/decline/", data=b"", headers={"Sec-Fetch-Site": "same-origin"}
        )
        assert status == 302 and headers["X-Cache-Status"] != "HIT"
        consent = re.search(r"cookie_consent=([^;]+)", headers["Set-Cookie"]).group(1)
        for _ in range(2):
            _status, headers, page = fetch(base + "/de/faq/", headers={"Cookie": f"cookie_consent={consent}"})
            assert headers["X-Cache-Status"] == "BYPASS" and "private" in headers["Cache-Control"]
            assert 'id="consent-banner"' not in page
        # The cookie-less visitor's page is still the shared one.
        assert fetch(base + "/de/faq/")[1]["X-Cache-Status"] == "HIT"
