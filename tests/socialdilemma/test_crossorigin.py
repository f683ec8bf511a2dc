"""Cross-site request forgery refused by Fetch Metadata and Origin (socialdilemma/crossorigin.py) on every
public form, with no token and no cookie; the admin keeps Django's CSRF token."""

import pytest
from cookie_consent.models import LogItem
from django.test import Client

from events.models import Screening
from socialdilemma.crossorigin import is_cross_origin
from socialdilemma.taskqueue.models import Email
from tests.helpers import future_local

pytestmark = pytest.mark.django_db

FORGED = {
    "Sec-Fetch-Site cross-site": {"HTTP_SEC_FETCH_SITE": "cross-site"},
    "Sec-Fetch-Site same-site": {"HTTP_SEC_FETCH_SITE": "same-site", "HTTP_ORIGIN": "https://sub.testserver"},
    "cross-site with our own Origin": {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "http://testserver"},
    "foreign Origin": {"HTTP_ORIGIN": "https://evil.example"},
    "Origin null": {"HTTP_ORIGIN": "null"},
    "Origin of a look-alike host": {"HTTP_ORIGIN": "http://testserver.evil.example"},
    "Origin on another port": {"HTTP_ORIGIN": "http://testserver:8080"},
    "unparseable Origin": {"HTTP_ORIGIN": "http://[::1"},
}
GENUINE = {
    "same-origin": {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"},
    "typed by the user": {"HTTP_SEC_FETCH_SITE": "none"},
    "our own Origin from an older browser": {"HTTP_ORIGIN": "http://TESTSERVER"},
    "neither header (not a browser)": {},
}


def public_forms(make_screening, form_data):
    """(name, path, data, what_was_stored) for every public form of the site."""
    screening, token = make_screening(title="Vorher")
    manage = f"/de/screenings/manage/{token}/"
    edit = {
        "host_name": "Host",
        "organisation": "Org",
        "title": "Nachher",
        "description": "",
        "format": "in_person",
        "starts_at": future_local(),
        "timezone": "Europe/Berlin",
        "expected_attendees": "10",
        "city": "Berlin",
        "country": "DE",
        "language": "de",
        "accept_distancing": "on",
    }

    def stored():
        screening.refresh_from_db()
        return (
            Screening.objects.count(),
            screening.title,
            screening.status,
            LogItem.objects.count(),
            Email.objects.count(),
        )

    consent = {"analytics": "accept", "trailer": "accept"}
    return stored, [
        ("registration", "/de/screenings/register/", form_data(title="Neu")),
        ("link request", "/de/screenings/link/", {"email": "host@example.org"}),
        ("host page edit", manage, edit),
        ("host page cancel", manage + "cancel/", {}),
        ("host page undo", manage + "restore/", {}),
        ("accept all cookies", "/de/cookies/accept/", {}),
        ("decline all cookies", "/de/cookies/decline/", {}),
        ("cookie settings", "/de/cookies/save/", consent),
        ("trailer", "/de/cookies/trailer/", {}),
    ]


@pytest.mark.parametrize("headers", FORGED.values(), ids=FORGED.keys())
def test_a_forged_post_to_any_public_form_is_refused_and_changes_nothing(
    make_screening, form_data, headers, django_capture_on_commit_callbacks
):
    stored, forms = public_forms(make_screening, form_data)
    before = stored()
    for name, path, data in forms:
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(path, data, **headers)
        assert response.status_code == 403, name
        assert "Anfrage abgelehnt" in response.content.decode(), name
        assert not response.cookies, name
        assert response["Content-Security-Policy"], name  # the site's own page and headers
    assert stored() == before


@pytest.mark.parametrize("headers", GENUINE.values(), ids=GENUINE.keys())
def test_a_genuine_post_to_any_public_form_is_accepted(make_screening, form_data, headers):
    _stored, forms = public_forms(make_screening, form_data)
    for name, path, data in forms:
        response = Client().post(path, data, **headers)
        assert response.status_code in (200, 204, 302), (name, response.status_code)
        assert set(response.cookies) <= {"cookie_consent"}, name


def test_a_trusted_origin_may_post_from_another_site(settings, client, form_data):
    settings.CSRF_TRUSTED_ORIGINS = ["https://partner.example"]
    response = client.post(
        "/de/screenings/register/",
        form_data(),
        HTTP_SEC_FETCH_SITE="cross-site",
        HTTP_ORIGIN="https://partner.example",
    )
    assert response.status_code == 200 and Screening.objects.count() == 1


def test_safe_methods_always_pass(rf):
    for method in ("GET", "HEAD", "OPTIONS"):
        request = rf.generic(method, "/de/", HTTP_SEC_FETCH_SITE="cross-site", HTTP_ORIGIN="https://evil.example")
        assert not is_cross_origin(request)


def test_the_admin_keeps_djangos_csrf_token(admin_user):
    staff = Client(enforce_csrf_checks=True)
    response = staff.post(
        "/admin/login/", {"username": "admin", "password": "password"}, HTTP_SEC_FETCH_SITE="same-origin"
    )
    assert response.status_code == 403  # no token: refused even from our own origin
    page = staff.get("/admin/login/")
    assert "csrftoken" in page.cookies and "csrfmiddlewaretoken" in page.content.decode()


@pytest.mark.parametrize(
    ("request_kwargs", "status"),
    [
        ({"path": "/de/gibt-es-nicht/"}, 404),
        ({"path": "/de/screenings/register/", "method": "post", "data": {"title": ""}}, 400),
        ({"path": "/de/screenings/register/", "method": "post", "headers": {"HTTP_ORIGIN": "null"}}, 403),
    ],
)
def test_no_cookie_on_error_pages(client, request_kwargs, status):
    method = request_kwargs.get("method", "get")
    response = getattr(client, method)(
        request_kwargs["path"], request_kwargs.get("data", {}), **request_kwargs.get("headers", {})
    )
    assert response.status_code == status and not response.cookies


def test_no_cookie_on_the_rate_limit_page(client, form_data, settings):
    settings.SCREENING_RATE_LIMIT = "1/h"
    client.post("/de/screenings/register/", form_data(title="Eins"))
    response = client.post("/de/screenings/register/", form_data(title="Zwei"))
    assert response.status_code == 429 and not response.cookies
