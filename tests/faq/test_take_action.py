"""The Take Action page: staff-edited actions by category, in both languages, closed by the newsletter form."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from faq.models import Action, Entry

pytestmark = pytest.mark.django_db


def _main(html):
    return html[html.index("<main") : html.index("</main>")]


def test_the_seed_actions_are_there_in_three_categories_and_both_languages(client):
    assert set(Action.objects.values_list("kind", flat=True)) == {"habits", "together", "demand"}
    german = _main(client.get("/de/take-action/").content.decode())
    english = _main(client.get("/en/take-action/").content.decode())
    assert "<h1>Handeln</h1>" in german and "<h1>Take action</h1>" in english
    for action in Action.objects.all():
        assert action.title_de in german and action.title_en in english
        assert action.title_en not in german
    assert german.index("Ihre eigenen Gewohnheiten") < german.index("Mit Familie") < german.index("Fordern Sie")


def test_links_resolve_to_the_readers_language_and_every_one_leads_somewhere(client):
    for language in ("de", "en"):
        html = _main(client.get(f"/{language}/take-action/").content.decode())
        links = re.findall(r'<a class="card__action" href="([^"]+)"', html)
        assert len(links) == Action.objects.exclude(**{f"link_{language}": ""}).count() > 3
        assert f'href="/{language}/tour/"' in html and f'href="/{language}/resources/"' in html
        for link in links:
            assert link.startswith(f"/{language}/") or link.startswith("https://")
            if link.startswith("/"):
                assert client.get(link).status_code == 200, link


def test_the_newsletter_form_closes_the_page_and_no_cookie_is_set(client):
    response = client.get("/de/take-action/")
    html = response.content.decode()
    assert not response.cookies
    form = html[html.rindex("<form") :]
    assert 'action="/de/newsletter/"' in form and 'name="email"' in form and 'name="consent"' in form
    assert "csrfmiddlewaretoken" not in html


def test_the_faq_sends_readers_to_the_take_action_page(client):
    for slug, language, label in [
        ("soll-ich-meine-konten-loeschen", "de", "Handeln"),
        ("social-media-for-business", "en", "Take Action"),
    ]:
        html = client.get(f"/{language}/faq/{slug}/").content.decode()
        assert re.search(rf'<a href="/{language}/take-action/"[^>]*>{label}</a>', html), slug
    answers = "".join(Entry.objects.values_list("answer_de", flat=True)) + "".join(
        Entry.objects.values_list("answer_en", flat=True)
    )
    assert "Take-Action-Seite" not in answers and "Take Action page on" not in answers


def test_unpublished_actions_are_hidden(client, settings):
    settings.PAGE_CACHE_SECONDS = 0  # the page cache's renewal on a change is tested in tests/socialdilemma
    action = Action.objects.get(title_en="Use your voice")
    assert "Use your voice" in client.get("/en/take-action/").content.decode()
    action.published = False
    action.save()
    assert "Use your voice" not in client.get("/en/take-action/").content.decode()


def test_hostile_text_is_escaped_and_sanitised(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    Action.objects.create(
        kind="demand",
        title_de="<script>alert(1)</script>",
        text_de="Text <img src=x onerror=alert(1)> [klick](javascript:alert(1))",
        link_de='https://example.org/"><script>',
        link_label_de="Los",
    )
    html = client.get("/de/take-action/").content.decode()
    assert "<script>alert(1)" not in html and "onerror" not in html and "javascript:" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("link", "error"),
    [
        ("javascript:alert(1)", "link_de"),
        ("http://example.org/", "link_de"),
        ("//evil.example/", "link_de"),
        ("site:nowhere", "link_de"),
        ("https://example.org/", "link_label_de"),  # a link needs its text
    ],
)
def test_links_are_validated(link, error):
    action = Action(kind="habits", title_de="T", text_de="Text", link_de=link)
    with pytest.raises(ValidationError) as raised:
        action.full_clean()
    assert error in raised.value.message_dict


def test_a_link_that_bypassed_the_admin_is_not_shown(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    Action.objects.create(
        kind="habits", title_de="Schmuggel", text_de="T", link_de="javascript:alert(1)", link_label_de="Los"
    )
    html = client.get("/de/take-action/").content.decode()
    assert "Schmuggel" in html and "javascript:" not in html


def test_valid_links_pass():
    for link in ("https://example.org/a?b=c", "site:tour", "/de/faq/welche-plattformen-nutzen/"):
        Action(kind="habits", title_de="T", text_de="Text", link_de=link, link_label_de="Los").full_clean()


def test_page_takes_a_constant_number_of_queries(client, settings):
    settings.PAGE_CACHE_SECONDS = 0  # count the queries of rendering, not of the page cache
    client.get("/de/take-action/")
    with CaptureQueriesContext(connection) as before:
        client.get("/en/take-action/")
    for n in range(30):
        Action.objects.create(kind="together", title_de=f"A{n}", text_de="T", link_de="site:tour", link_label_de="L")
    with CaptureQueriesContext(connection) as after:
        client.get("/en/take-action/")
    assert len(after) == len(before)


def test_staff_edit_actions_in_the_admin(admin_client):
    response = admin_client.get("/admin/faq/action/")
    assert response.status_code == 200
    action = Action.objects.first()
    html = admin_client.get(f"/admin/faq/action/{action.pk}/change/").content.decode()
    assert 'name="title_de"' in html and 'name="title_en"' in html and 'name="link_en"' in html


def test_link_and_link_text_come_in_one_language(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    common = {"kind": "habits", "title_de": "Titel", "link_de": "/de/faq/", "link_label_de": "Zu den Fragen"}
    Action.objects.create(text_de="Nur Deutsch.", **common)  # not translated: German text, German link
    Action.objects.create(text_de="Deutsch.", text_en="English, no link of its own.", **common)
    english = client.get("/en/take-action/").content.decode()
    assert english.count(">Zu den Fragen</a>") == 1 and "English, no link of its own." in english


def test_a_path_must_lead_to_the_page_in_its_language():
    action = Action(kind="habits", title_de="T", text_de="Text", link_de="/en/faq/", link_label_de="Los")
    with pytest.raises(ValidationError) as raised:
        action.full_clean()
    assert "link_de" in raised.value.message_dict
