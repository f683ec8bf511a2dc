"""Hostile input: every answer is 2xx, 3xx or 4xx with a clear message, never a 500, and nothing is stored
that the form would have refused."""

import string

import pytest
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.models import Screening
from tests.helpers import future_local

pytestmark = pytest.mark.django_db

HYPOTHESIS = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
# Text with everything browsers and bots send: NUL and control characters, surrogates escaped by the
# client, right-to-left marks, markup, very long runs.
nasty_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.sampled_from("\x00\r\n\t<>\"'&;%\\\u202e\u200b\ufeff"), max_size=50),
    st.builds(lambda ch, n: ch * n, st.sampled_from(["x", "ä", "<", "\x00"]), st.integers(190, 3000)),
)
FIELDS = [
    "host_name",
    "email",
    "organisation",
    "title",
    "description",
    "format",
    "starts_at",
    "timezone",
    "expected_attendees",
    "city",
    "country",
    "online_url",
    "language",
    "publish_on_tour",
    "accept_terms",
    "accept_distancing",
    "website",
]


@pytest.fixture(autouse=True)
def _many_examples_from_one_client(settings):
    settings.SCREENING_RATE_LIMIT = "1000000/h"


def client():
    return Client(raise_request_exception=False)


def valid_form():
    return {
        "host_name": "Ana",
        "email": "ana@example.org",
        "title": "Filmabend",
        "format": "virtual",
        "starts_at": future_local(),
        "timezone": "Europe/Berlin",
        "expected_attendees": "10",
        "language": "de",
        "accept_terms": "on",
    }


def assert_stored_screenings_are_valid():
    for screening in Screening.objects.all():
        for field in ("host_name", "organisation", "title", "city"):
            value = getattr(screening, field)
            assert not any(ord(c) < 32 for c in value), (field, value)
        assert "\x00" not in screening.description
        assert len(screening.title) <= 200 and len(screening.description) <= 2000
        assert screening.format in ("virtual", "in_person")
        assert screening.expected_attendees >= 1
        if screening.format == "in_person":
            assert screening.city and screening.country and screening.expected_attendees <= 25
            assert not screening.online_url
        assert screening.online_url == "" or screening.online_url.startswith(("http://", "https://"))


@HYPOTHESIS
@given(field=st.sampled_from(FIELDS), value=nasty_text, language=st.sampled_from(["de", "en"]))
def test_registration_with_one_hostile_field(field, value, language):
    data = {**valid_form(), field: value}
    response = client().post(f"/{language}/screenings/register/", data)
    assert response.status_code in (200, 400), response.status_code
    assert_stored_screenings_are_valid()


@HYPOTHESIS
@given(data=st.dictionaries(st.sampled_from(FIELDS), nasty_text, max_size=len(FIELDS)))
def test_registration_with_any_fields(data):
    response = client().post("/de/screenings/register/", data)
    assert response.status_code in (200, 400)
    assert_stored_screenings_are_valid()


@HYPOTHESIS
@given(query=nasty_text, language=st.sampled_from(["de", "en", "xx"]))
def test_faq_search_with_any_query(query, language):
    response = client().get(f"/{language}/faq/", {"q": query})
    assert response.status_code in (200, 404)
    assert "<script" not in response.content.decode().split("<main", 1)[-1].replace("<script src=", "")


@HYPOTHESIS
@given(
    endpoint=st.sampled_from(["accept", "decline", "save", "trailer"]),
    data=st.dictionaries(st.sampled_from(["analytics", "trailer", "next", "necessary"]), nasty_text, max_size=4),
    origin=st.sampled_from([None, "http://testserver", "https://evil.example", "null", "\x00"]),
)
@override_settings(CONSENT_RATE_LIMIT="100000/h")  # 40 examples from one address: the input is tested, not the limit
def test_consent_endpoints_with_any_input(endpoint, data, origin):
    headers = {"HTTP_ORIGIN": origin} if origin is not None else {}
    response = client().post(f"/de/cookies/{endpoint}/", data, **headers)
    assert response.status_code in (204, 302, 400, 403)
    if response.status_code == 302:
        assert response["Location"].startswith("/")


@HYPOTHESIS
@given(token=st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=1, max_size=200))
def test_host_page_with_forged_tokens(token):
    assert client().get(f"/de/screenings/manage/{token}/").status_code == 404
    assert client().post(f"/de/screenings/manage/{token}/cancel/").status_code == 404


HOST_FIELDS = [field for field in FIELDS if field not in ("email", "accept_terms", "website")]


@pytest.fixture
def host_page(make_screening):
    """A host's page and a valid edit of it, for the host page's forms."""
    _screening, token = make_screening(format="virtual", city="", country="", online_url="https://meet.example.org/x")
    edit = {name: value for name, value in valid_form().items() if name in HOST_FIELDS}
    return f"/de/screenings/manage/{token}/", {**edit, "online_url": "https://meet.example.org/x"}


@HYPOTHESIS
@given(data=st.dictionaries(st.sampled_from(HOST_FIELDS), nasty_text, max_size=len(HOST_FIELDS)), one=st.booleans())
def test_host_page_edit_with_any_fields(host_page, data, one):
    path, edit = host_page
    response = client().post(path, {**edit, **data} if one else data)
    # 200: the screening was cancelled by an earlier example, its page shows no form any more.
    assert response.status_code in (200, 302, 400), response.status_code
    assert_stored_screenings_are_valid()
    assert client().post(path + "cancel/", data).status_code in (302, 404)


@HYPOTHESIS
@given(email=nasty_text, extra=st.dictionaries(st.sampled_from(["email", "website", "x"]), nasty_text, max_size=3))
def test_link_request_with_any_input(email, extra):
    response = client().post("/de/screenings/link/", {"email": email, **extra})
    assert response.status_code in (302, 400, 429), response.status_code


@HYPOTHESIS
@given(
    username=nasty_text,
    password=nasty_text,
    extra=st.dictionaries(st.sampled_from(["next", "this_is_the_login_form", "x"]), nasty_text, max_size=3),
)
def test_admin_login_with_any_input(username, password, extra):
    response = client().post("/admin/login/", {"username": username, "password": password, **extra})
    # No CSRF token: Django refuses (403); the sign-in form itself answers 200 with its errors.
    assert response.status_code in (200, 403), response.status_code
    staff = Client(raise_request_exception=False, enforce_csrf_checks=False)
    answer = staff.post("/admin/login/?next=/admin/", {"username": username, "password": password, **extra})
    assert answer.status_code in (200, 302) and "_auth_user_id" not in staff.session


@pytest.mark.parametrize(
    "path", ["/de/screenings/register/", "/de/screenings/link/", "/de/cookies/save/", "/de/faq/?q=a"]
)
def test_invalid_utf8_is_answered_without_error(path):
    body = b"host_name=\xff\xfe&title=%ff%c3%28&email=a%40b.de&q=\xc3\x28"
    response = client().generic("POST", path, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500
    assert client().get(path + "&q=%ff%fe" if "?" in path else path + "?q=%ff%fe").status_code < 500


def test_a_huge_body_is_refused_with_a_translated_400():
    response = client().post("/en/screenings/register/", {"title": "x" * 3_000_000})
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()
    assert not Screening.objects.exists()


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
@pytest.mark.parametrize("path", ["/de/screenings/register/", "/de/screenings/link/", "/de/faq/", "/de/cookies/"])
def test_wrong_methods_are_refused(method, path):
    assert getattr(client(), method)(path).status_code == 405


def test_unknown_languages_are_404():
    assert client().get("/fr/faq/").status_code == 404
    assert client().get("/xx/screenings/register/").status_code == 404
