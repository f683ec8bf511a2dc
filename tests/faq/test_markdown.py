import pytest
from django.utils import translation

from faq.markdown import markdown_to_text, render_markdown, unknown_site_links
from faq.models import Entry

HOSTILE = [
    ("<script>alert(1)</script>", "<script"),
    ("[klick](javascript:alert(1))", "javascript:"),
    ("<img src=x onerror=alert(1)>", "onerror"),
    ('<a href="https://example.org" onclick="alert(1)">x</a>', "onclick"),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", "data:"),
    ("<iframe src=https://example.org></iframe>", "<iframe"),
    ("<style>body{display:none}</style>", "<style"),
    ('<svg onload="alert(1)">', "<svg"),
    ("[x](JaVaScRiPt:alert(1))", "alert(1)"),
]


@pytest.mark.parametrize(("text", "forbidden"), HOSTILE)
def test_sanitizer_removes_scripts_and_dangerous_links(text, forbidden):
    html = str(render_markdown(text))
    assert forbidden.lower() not in html.lower()


def test_markdown_renders_paragraphs_lists_emphasis_and_links():
    html = str(render_markdown("Absatz *kursiv* und **fett**.\n\n- eins\n- [zwei](https://example.org/)"))
    assert "<p>Absatz <em>kursiv</em> und <strong>fett</strong>.</p>" in html
    assert '<li><a href="https://example.org/" rel="noopener noreferrer">zwei</a></li>' in html


@pytest.mark.django_db
def test_site_links_resolve_to_the_page_in_the_readers_language():
    with translation.override("de"):
        assert 'href="/de/privacy/"' in render_markdown("[Datenschutz](site:privacy)")
    with translation.override("en"):
        assert 'href="/en/privacy/"' in render_markdown("[privacy](site:privacy)")


def test_a_site_link_whose_page_does_not_exist_becomes_plain_text(monkeypatch):
    from faq import markdown

    monkeypatch.setitem(markdown.SITE_LINK_TARGETS, "missing", "no-such-url-name")
    html = str(render_markdown("[Seite](site:missing) lesen"))
    assert html == "<p>Seite lesen</p>"


def test_unknown_site_link_names_are_reported():
    assert unknown_site_links("[a](site:privacy) [b](site:nonsense)") == ["nonsense"]


def test_plain_text_has_no_markup_and_no_entities():
    assert markdown_to_text("**Fakten** & *mehr*\n\n- eins") == "Fakten & mehr eins"


@pytest.mark.django_db
def test_script_typed_into_an_answer_in_the_admin_never_reaches_a_page(admin_client, client):
    entry = Entry.objects.get(slug_de="wie-lang-ist-der-film")
    data = {
        "category": entry.category_id,
        "published": "on",
        "position": entry.position,
        "question_de": entry.question_de,
        "question_en": entry.question_en,
        "slug_de": entry.slug_de,
        "slug_en": entry.slug_en,
        "answer_de": '94 Minuten.<script>alert("de")</script> [x](javascript:alert(1))',
        "answer_en": '94 minutes.<img src=x onerror="alert(1)">',
    }
    response = admin_client.post(f"/admin/faq/entry/{entry.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    for path in (f"/de/faq/{entry.slug_de}/", "/de/faq/", f"/en/faq/{entry.slug_en}/", "/en/faq/"):
        html = client.get(path).content.decode()
        assert 'alert("de")' not in html and "javascript:" not in html and "onerror" not in html
    assert "94 Minuten." in client.get(f"/de/faq/{entry.slug_de}/").content.decode()
