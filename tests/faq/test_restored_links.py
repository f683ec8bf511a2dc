"""The FAQ's lost links (issue #16): in the seed for new databases, and added by migration 0010 to
databases seeded before, except where staff had edited the text, which the admin then lists."""

import importlib
import re

import pytest
from django.apps import apps

from faq.links_restored import CHANGES
from faq.models import Entry

from .history import faq_without_restored_links

pytestmark = pytest.mark.django_db

restore_links = importlib.import_module("faq.migrations.0010_restored_links").restore_links


def test_every_restored_address_is_in_the_seeded_faq_once_per_language(client):
    for _slug, field, _old, new in CHANGES:
        for address in re.findall(r"\]\((https://[^)\s]+)\)", new):
            assert Entry.objects.filter(**{f"{field}__contains": address}).exists(), address
    html = client.get("/de/faq/").content.decode()
    assert '<a href="https://www.netflix.com/title/81254224" rel="noopener noreferrer">auf Netflix</a>' in html
    assert 'href="tel:116123"' in html and "988" in html and "1-800-273-8255" not in html
    english = client.get("/en/faq/").content.decode()
    assert "call or text 988" in english and 'href="https://988lifeline.org/chat/"' in english
    assert "Take-Action-Seite" not in html and "Take Action page on" not in english


def test_the_migration_restores_the_links_in_an_old_database_and_changes_nothing_the_second_time(capsys):
    expected = {entry.pk: (entry.answer_de, entry.answer_en) for entry in Entry.objects.all()}
    faq_without_restored_links()
    assert Entry.objects.filter(answer_de__contains="1-800-273-8255").exists()
    restore_links(apps, None)
    assert {entry.pk: (entry.answer_de, entry.answer_en) for entry in Entry.objects.all()} == expected
    assert all(entry.answer == entry.answer_de for entry in Entry.objects.all())
    assert "edited by staff" not in capsys.readouterr().out
    before = {entry.pk: entry.updated_at for entry in Entry.objects.all()}
    restore_links(apps, None)
    assert {entry.pk: entry.updated_at for entry in Entry.objects.all()} == before


def test_an_entry_staff_edited_keeps_their_text_and_is_listed_in_the_admin(admin_client, capsys):
    faq_without_restored_links()
    entry = Entry.objects.get(slug_de="netflix-sprache-aendern")
    entry.answer_de = entry.answer = "Unsere eigene Anleitung: Menü, Audio & Untertitel."
    entry.save()
    restore_links(apps, None)
    entry.refresh_from_db()
    assert entry.answer_de == "Unsere eigene Anleitung: Menü, Audio & Untertitel."
    assert "help.netflix.com/en/node/372" in entry.answer_en  # the untouched language got its link
    assert "netflix-sprache-aendern (answer_de) was edited by staff" in capsys.readouterr().out
    html = admin_client.get("/admin/faq/entry/").content.decode()
    assert "fehlt ein wiederhergestellter Link" in html and "(Antwort [de])" in html
    assert f"/admin/faq/entry/{entry.pk}/change/" in html and "help.netflix.com/en/node/372" in html


def test_staff_who_added_the_address_in_their_own_words_are_not_asked_again(admin_client):
    entry = Entry.objects.get(slug_de="netflix-sprache-aendern")
    entry.answer_de = "Siehe [die Hilfe von Netflix](https://help.netflix.com/en/node/372)."
    entry.save()
    html = admin_client.get("/admin/faq/entry/").content.decode()
    assert "help.netflix.com/en/node/372" not in html


def test_every_change_adds_an_address_and_a_missing_one_is_listed_even_beside_an_old_link(admin_client):
    from faq.links_restored import _added_addresses

    assert all(_added_addresses(old, new) for _slug, _field, old, new in CHANGES)
    # The technologists' guide is missing, the Center for Humane Technology's home page (already in the
    # seed) is still there: the entry must still be listed.
    entry = Entry.objects.get(slug_de="ideen-fuer-humane-technologie")
    entry.answer_en = entry.answer_en.replace("https://www.humanetech.com/discussion-guide-for-technologists", "")
    entry.save()
    html = admin_client.get("/admin/faq/entry/").content.decode()
    assert "discussion-guide-for-technologists" in html and f"/admin/faq/entry/{entry.pk}/change/" in html
