import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import translation

from tests.pages import PUBLIC_PAGES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_switching_from_the_german_home_page_lands_on_the_english_home_page(page):
    page.goto("/")
    assert page.url.endswith("/de/")
    assert page.locator("html").get_attribute("lang") == "de"
    page.get_by_role("navigation", name="Sprache").get_by_role("link", name="English").click()
    page.wait_for_url("**/en/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "The Social Dilemma"


def test_skip_link_is_first_and_moves_focus_to_the_content(page):
    page.goto("/de/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Zum Inhalt springen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def other_pages(language, make_screening):
    """Pages that are not in the navigation: an FAQ entry, search results, errors, the host's pages."""
    from events import services
    from events.models import Screening
    from faq.models import Entry

    screening, token = make_screening(approve=True, description="Film und Gespräch.\n\nBitte pünktlich.")
    Screening.objects.filter(pk=screening.pk).update(places=10)  # guests may sign up: the confirmation form
    cancelled, _token = make_screening(approve=True, title="Abgesagt", email="other@example.org")
    services.screening_cancel(cancelled)
    guest_token, unconfirmed_token = _guest(screening, language), _guest(screening, language, confirmed=False)
    _unconfirmed, unconfirmed_host_token = make_screening(confirm=False, title="Unbestätigt", email="3@example.org")
    entry = Entry.objects.get(slug_de="wie-lang-ist-der-film")
    slug = entry.slug_de if language == "de" else entry.slug_en
    return [
        f"/{language}/faq/{slug}/",
        f"/{language}/faq/?q=daten",
        f"/{language}/faq/?q=nichtszuxyz",
        f"/{language}/gibt-es-nicht/",
        f"/{language}/screenings/registered/",
        f"/{language}/screenings/manage/{token}/",
        f"/{language}/screenings/manage/{token}/cancel/",
        f"/{language}/screenings/manage/{unconfirmed_host_token}/",  # the confirmation
        f"/{language}/screenings/manage/not-a-token/",
        screening.get_absolute_url().replace("/de/", f"/{language}/"),
        cancelled.get_absolute_url().replace("/de/", f"/{language}/"),
        f"/{language}/screenings/guest/{guest_token}/",
        f"/{language}/screenings/guest/{unconfirmed_token}/",
    ]


def _guest(screening, language, confirmed=True):
    """A guest with a place (its page shows the details and the name form), or one still to confirm (the
    confirmation with the name)."""
    from django.utils import timezone

    from events import services
    from events.models import Guest, Screening

    now = timezone.now()
    key = f"axe-{language}-{confirmed}"
    token = services.guest_link_token(key)
    Guest.objects.create(
        screening=screening,
        email=f"gast-{key}@example.org",
        name="Gast",
        language=language,
        status=Guest.Status.CONFIRMED if confirmed else Guest.Status.UNCONFIRMED,
        conduct_accepted_at=now,
        confirmed_at=now if confirmed else None,
        link_key=key,
        token_hash=Screening.hash_token(token),
    )
    return token


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("language", ["de", "en"])
def test_no_serious_accessibility_violation_on_any_page(page, language, width, make_screening):
    page.set_viewport_size({"width": width, "height": 844 if width == 390 else 900})
    axe = Axe()
    failures = {}
    paths = []
    for name in PUBLIC_PAGES:
        with translation.override(language):
            paths.append(reverse(name))
    for path in paths + other_pages(language, make_screening):
        page.goto(path)
        results = axe.run(page)
        serious = [
            f"{v['id']}: {v['help']} ({len(v['nodes'])}x)"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if serious:
            failures[path] = serious
    assert not failures


@pytest.mark.parametrize("language", ["de", "en"])
def test_on_a_phone_the_banner_takes_at_most_a_third_and_the_heading_stays_in_view(page, language):
    page.set_viewport_size({"width": 390, "height": 844})
    for name in PUBLIC_PAGES:
        with translation.override(language):
            path = reverse(name)
        page.goto(path)
        if name == "consent:settings":
            continue  # the settings page is the banner's long form and shows no banner
        banner = page.locator("#consent-banner").bounding_box()
        heading = page.get_by_role("heading", level=1).first.bounding_box()
        assert banner["height"] <= 844 / 3, (path, banner)
        assert heading["y"] + heading["height"] <= 844, (path, heading)  # the whole heading in the first screen
        accept, decline = (
            page.locator(f"[data-consent-form={kind}] button").bounding_box() for kind in ("accept", "decline")
        )
        assert (accept["width"], accept["height"]) == (decline["width"], decline["height"]), path


def test_the_whole_trailer_poster_is_the_button_and_the_hero_leads_to_netflix_and_hosting(page):
    page.goto("/en/")
    hero = page.get_by_role("region", name="The Social Dilemma")
    assert hero.get_by_role("link", name="Watch on Netflix").get_attribute("href") == (
        "https://www.netflix.com/title/81254224"
    )
    assert hero.get_by_role("link", name="Host a screening").get_attribute("href") == "/en/screenings/"
    button = page.get_by_role("button", name="Play trailer (loads the video from YouTube, which sets cookies)")
    button.scroll_into_view_if_needed()
    poster = page.locator(".trailer__poster img").bounding_box()
    box = button.bounding_box()
    assert box["width"] >= poster["width"] and box["height"] >= poster["height"]  # the poster is inside it
    # A click on the play symbol in the middle of the poster plays the trailer.
    page.mouse.click(poster["x"] + poster["width"] / 2, poster["y"] + poster["height"] / 2)
    page.locator(".trailer__frame iframe").wait_for()


def test_the_largest_element_of_the_home_page_is_there_without_javascript(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 1280, "height": 800}
    )
    page = context.new_page()
    page.goto("/de/")
    title = page.get_by_role("heading", level=1)
    assert title.inner_text() == "Das soziale Dilemma" and title.is_visible()
    assert title.bounding_box()["y"] < 800
    context.close()


# The space between the last thing on a page (often a form's button) and the footer, in CSS pixels.
CONTENT_TO_FOOTER_JS = """() => {
  const visible = [...document.querySelector("main").children].filter((element) => element.offsetParent !== null);
  const last = visible[visible.length - 1];
  return document.querySelector(".site-footer").getBoundingClientRect().top - last.getBoundingClientRect().bottom;
}"""


@pytest.mark.parametrize("width", [390, 1280])
def test_the_last_thing_on_every_page_keeps_its_distance_from_the_footer(page, width):
    page.set_viewport_size({"width": width, "height": 844 if width == 390 else 900})
    with translation.override("de"):
        paths = [reverse(name) for name in PUBLIC_PAGES]
    gaps = {}
    for path in paths:
        page.goto(path)
        gaps[path] = page.evaluate(CONTENT_TO_FOOTER_JS)
    assert all(gap >= 24 for gap in gaps.values()), gaps
