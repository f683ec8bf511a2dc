import pytest

from faq.models import Entry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_deep_link_in_german_then_switch_to_english_lands_on_the_same_entry(page):
    entry = Entry.objects.get(slug_de="wie-lang-ist-der-film")
    page.goto(f"/de/faq/#{entry.slug_de}")
    target = page.locator(f"#{entry.slug_de}")
    assert target.is_visible()
    assert page.evaluate("document.querySelector(':target').id") == entry.slug_de
    page.get_by_role("navigation", name="Sprache").get_by_role("link", name="English").click()
    page.wait_for_url(f"**/en/faq/#{entry.slug_en}")
    assert page.evaluate("document.querySelector(':target').id") == entry.slug_en
    assert page.locator(f"#{entry.slug_en} h3").inner_text() == entry.question_en


def test_entry_page_switches_to_the_same_entry_without_javascript(browser, live_server):
    entry = Entry.objects.get(slug_de="wie-lang-ist-der-film")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"/de/faq/{entry.slug_de}/")
    page.get_by_role("navigation", name="Sprache").get_by_role("link", name="English").click()
    page.wait_for_url(f"**/en/faq/{entry.slug_en}/")
    assert page.get_by_role("heading", level=1).inner_text() == entry.question_en
    context.close()


def test_search_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/de/faq/")
    page.get_by_label("Fragen und Antworten durchsuchen").fill("Daten")
    page.get_by_role("button", name="Suchen").click()
    page.wait_for_url("**/de/faq/?q=Daten")
    assert page.locator("ol.results > li").count() > 0
    context.close()
