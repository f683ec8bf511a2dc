"""Staff decide who sees a resource: everyone on the public page, or registered hosts only."""

import pytest

from events.models import Resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def resources():
    public = Resource.objects.create(
        kind="discussion_guide",
        title_de="Diskussionsleitfaden",
        title_en="Discussion guide",
        url_de="https://example.org/leitfaden.pdf",
        url_en="https://example.org/guide.pdf",
        audience=Resource.Audience.EVERYONE,
    )
    hosts_only = Resource.objects.create(
        kind="short_version", title_de="40-Minuten-Fassung", url_de="https://example.org/kurz", audience="hosts"
    )
    return public, hosts_only


def test_the_public_page_lists_only_resources_for_everyone(client, resources):
    german = client.get("/de/resources/").content.decode()
    assert 'href="https://example.org/leitfaden.pdf"' in german and "40-Minuten-Fassung" not in german
    english = client.get("/en/resources/").content.decode()
    assert 'href="https://example.org/guide.pdf"' in english and "example.org/kurz" not in english
    assert 'href="/de/resources/"' in client.get("/de/").content.decode()  # linked from every page


def test_hosts_see_both_on_their_host_page(client, make_screening, resources):
    _screening, token = make_screening()
    html = client.get(f"/de/screenings/manage/{token}/").content.decode()
    assert "leitfaden.pdf" in html and "example.org/kurz" in html


def test_the_faq_sends_readers_to_the_discussion_guide_without_registering(client, resources):
    import re

    german = client.get("/de/faq/").content.decode()
    assert re.search(r'bei unseren <a href="/de/resources/"[^>]*>Materialien</a>', german)
    english = client.get("/en/faq/").content.decode()
    assert re.search(r'among our <a href="/en/resources/"[^>]*>resources</a>', english)
