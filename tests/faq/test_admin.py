import pytest

from faq.models import Entry, FormerSlug

pytestmark = pytest.mark.django_db


def test_entry_list_has_filters_search_and_editable_order(admin_client):
    response = admin_client.get("/admin/faq/entry/", {"q": "Netflix", "category__id__exact": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="form-0-position"' in html and 'name="form-0-published"' in html
    assert "Nach Kategorie" in html or "By category" in html


def test_entry_form_shows_both_languages_side_by_side(admin_client):
    entry = Entry.objects.first()
    html = admin_client.get(f"/admin/faq/entry/{entry.pk}/change/").content.decode()
    for field in ("question_de", "question_en", "answer_de", "answer_en", "slug_de", "slug_en"):
        assert f'name="{field}"' in html
    assert "fieldBox field-question_de" in html and "fieldBox field-question_en" in html  # one row, two boxes
    assert 'href="/admin/r/' in html and "Auf der Website anzeigen" in html


def test_publish_toggle_from_the_list_hides_the_entry(admin_client, client):
    entry = Entry.objects.get(slug_de="wie-lang-ist-der-film")
    response = admin_client.post(
        "/admin/faq/entry/", {"action": "unpublish", "_selected_action": [entry.pk], "index": 0}
    )
    assert response.status_code == 302
    assert client.get(f"/de/faq/{entry.slug_de}/").status_code == 404


def test_duplicate_slug_is_refused_with_a_message(admin_client):
    first, second = Entry.objects.all()[:2]
    data = {
        "category": second.category_id,
        "position": 1,
        "published": "on",
        "question_de": second.question_de,
        "question_en": second.question_en,
        "slug_de": first.slug_de,
        "slug_en": second.slug_en,
        "answer_de": second.answer_de,
        "answer_en": second.answer_en,
    }
    response = admin_client.post(f"/admin/faq/entry/{second.pk}/change/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "already exists" in response.content.decode()


def test_unknown_site_link_is_refused_with_a_message(admin_client):
    entry = Entry.objects.first()
    data = {
        "category": entry.category_id,
        "position": 1,
        "published": "on",
        "question_de": entry.question_de,
        "question_en": entry.question_en,
        "slug_de": entry.slug_de,
        "slug_en": entry.slug_en,
        "answer_de": "[Seite](site:gibtsnicht)",
        "answer_en": entry.answer_en,
    }
    response = admin_client.post(f"/admin/faq/entry/{entry.pk}/change/", data, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert "Unbekanntes Linkziel: gibtsnicht." in response.content.decode()


def test_staff_edits_are_never_overwritten_by_the_seed_migration():
    import importlib

    from django.apps import apps

    seed_migration = importlib.import_module("faq.migrations.0003_seed_content")
    entry = Entry.objects.get(slug_de="wie-lang-ist-der-film")
    Entry.objects.filter(pk=entry.pk).update(answer_de="Bearbeitet.")
    count = Entry.objects.count()
    seed_migration.load_seed(apps, None)  # as if the migration ran again
    assert Entry.objects.get(pk=entry.pk).answer_de == "Bearbeitet."
    assert Entry.objects.count() == count


def entry_form(entry, **changes):
    data = {
        "category": entry.category_id,
        "position": entry.position,
        "published": "on",
        "question_de": entry.question_de,
        "question_en": entry.question_en,
        "slug_de": entry.slug_de,
        "slug_en": entry.slug_en,
        "answer_de": entry.answer_de,
        "answer_en": entry.answer_en,
    }
    return {**data, **changes}


def test_a_slug_changed_in_the_admin_keeps_the_old_address_working(admin_client, client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    entry = Entry.objects.get(slug_de="wie-lang-ist-der-film")
    response = admin_client.post(
        f"/admin/faq/entry/{entry.pk}/change/", entry_form(entry, slug_de="wie-lange-dauert-der-film")
    )
    assert response.status_code == 302
    redirect = client.get("/de/faq/wie-lang-ist-der-film/")
    assert (redirect.status_code, redirect["Location"]) == (301, "/de/faq/wie-lange-dauert-der-film/")
    assert client.get("/en/faq/wie-lang-ist-der-film/")["Location"] == "/en/faq/how-long-is-the-film/"
    html = admin_client.get(f"/admin/faq/entry/{entry.pk}/change/").content.decode()
    assert "wie-lang-ist-der-film" in html  # listed as a former address
    # Back to the old slug: it is the entry's own address again, no longer a former one.
    entry.refresh_from_db()
    admin_client.post(f"/admin/faq/entry/{entry.pk}/change/", entry_form(entry, slug_de="wie-lang-ist-der-film"))
    assert list(FormerSlug.objects.filter(entry=entry).values_list("slug", flat=True)) == ["wie-lange-dauert-der-film"]
    assert client.get("/de/faq/wie-lang-ist-der-film/").status_code == 200


def test_an_old_address_leads_to_the_entry_that_held_it_last(admin_client, client, settings, make_entry):
    settings.PAGE_CACHE_SECONDS = 0
    first = make_entry(slug_de="alte-adresse")
    admin_client.post(f"/admin/faq/entry/{first.pk}/change/", entry_form(first, slug_de="erste-neue-adresse"))
    second = make_entry(slug_de="zweite-adresse")
    admin_client.post(f"/admin/faq/entry/{second.pk}/change/", entry_form(second, slug_de="alte-adresse"))
    assert client.get("/de/faq/alte-adresse/").status_code == 200  # an entry's own slug comes first
    admin_client.post(f"/admin/faq/entry/{second.pk}/change/", entry_form(second, slug_de="zweite-neue-adresse"))
    assert client.get("/de/faq/alte-adresse/")["Location"] == "/de/faq/zweite-neue-adresse/"
