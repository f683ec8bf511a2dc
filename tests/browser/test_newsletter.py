"""The subscriber's journey in real Chromium, in both languages: from the home page to the form, the
confirmation email's link and button, the welcome email with its RFC 8058 headers, and the one-click
unsubscribe a mail program sends (a POST without cookie, Origin or Referer)."""

import re

import pytest
from django.core import mail
from django.core.signals import request_started

from newsletter.models import Subscriber
from tests.helpers import send_outbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What each language's pages and emails say (the German from locale/de/LC_MESSAGES/django.po).
WORDS = {
    "de": {
        "locale": "de-DE",
        "get_involved": "Mitmachen",
        "email": "E-Mail-Adresse",
        "language": "Sprache des Newsletters",
        "language_option": "Deutsch",
        "consent": "Ich möchte den Newsletter erhalten. Ich kann ihn jederzeit abbestellen.",
        "subscribe": "Abonnieren",
        "requested": "Bitte bestätigen Sie Ihre Adresse",
        "confirm_subject": "Bitte bestätigen Sie Ihre Newsletter-Anmeldung",
        "confirm_button": "Ja, anmelden",
        "confirmed": "Danke: Sie haben den Newsletter abonniert. Jeder Newsletter enthält einen Link zum Abbestellen.",
        "welcome_subject": "Willkommen beim Newsletter von „Das soziale Dilemma“",
        "unsubscribe_button": "Abbestellen",
        "unsubscribed": "Abbestellt",
        "not_subscribed": "Diese Adresse ist nicht (mehr) angemeldet: Es ist nichts zu tun.",
    },
    "en": {
        "locale": "en-GB",
        "get_involved": "Get involved",
        "email": "Email address",
        "language": "Language of the newsletter",
        "language_option": "English",
        "consent": "I would like to receive the newsletter. I can unsubscribe at any time.",
        "subscribe": "Subscribe",
        "requested": "Please confirm your address",
        "confirm_subject": "Please confirm your newsletter subscription",
        "confirm_button": "Yes, subscribe me",
        "confirmed": "Thank you: you are subscribed. Every newsletter has a link to unsubscribe.",
        "welcome_subject": "Welcome to the newsletter of “The Social Dilemma”",
        "unsubscribe_button": "Unsubscribe",
        "unsubscribed": "Unsubscribed",
        "not_subscribed": "This address is not subscribed (any more): there is nothing to do.",
    },
}


@pytest.fixture
def requests_seen():
    """The WSGI environ of every request the live server receives (it runs in this process)."""
    seen = []

    def record(sender, environ, **kwargs):
        seen.append(dict(environ))

    request_started.connect(record)
    yield seen
    request_started.disconnect(record)


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_reader_subscribes_confirms_is_welcomed_and_unsubscribes_with_one_click(
    browser, live_server, settings, requests_seen, language
):
    settings.SITE_URL = live_server.url  # the links in emails lead to the site the browser uses
    words = WORDS[language]
    address = f"leserin-{language}@example.org"
    context = browser.new_context(base_url=live_server.url, locale=words["locale"])
    page = context.new_page()

    # From the home page's "Get involved" cards to the form.
    page.goto(f"/{language}/")
    page.get_by_role("region", name=words["get_involved"]).get_by_role("link", name="Newsletter", exact=True).click()
    page.wait_for_url(f"**/{language}/newsletter/")
    assert page.get_by_role("heading", level=1).inner_text() == "Newsletter"
    page.get_by_label(words["email"], exact=True).fill(address)
    page.get_by_label(words["language"]).select_option(label=words["language_option"])
    page.get_by_label(words["consent"]).check()
    page.get_by_role("button", name=words["subscribe"], exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == words["requested"]
    assert address in page.get_by_role("main").inner_text()  # where the email goes
    assert Subscriber.objects.get(email=address).status == Subscriber.Status.PENDING
    assert context.cookies() == []

    # The confirmation email's link shows a button; the button confirms.
    send_outbox()  # as the worker does (with the tests' immediate queue it has already)
    (confirmation,) = mail.outbox
    assert confirmation.to == [address] and confirmation.subject == words["confirm_subject"]
    confirm_link = re.search(r"https?://\S+/newsletter/confirm/[\w-]+/", confirmation.body).group(0)
    assert confirm_link.startswith(f"{live_server.url}/{language}/newsletter/confirm/")
    page.goto(confirm_link)
    assert Subscriber.objects.get(email=address).status == Subscriber.Status.PENDING  # opening is not confirming
    page.get_by_role("button", name=words["confirm_button"]).click()
    assert page.get_by_role("main").get_by_role("status").inner_text() == words["confirmed"]
    subscriber = Subscriber.objects.get(email=address)
    assert subscriber.status == Subscriber.Status.CONFIRMED and subscriber.language == language
    assert context.cookies() == []

    # The welcome email: text and HTML, with the one-click unsubscribe headers pointing at the site.
    send_outbox()
    assert len(mail.outbox) == 2
    welcome = mail.outbox[-1]
    assert welcome.to == [address] and welcome.subject == words["welcome_subject"]
    message = welcome.message()  # as it goes over the wire
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.get_payload()] == ["text/plain", "text/html"]
    header = message["List-Unsubscribe"]
    match = re.fullmatch(r"<(https?://[^>]+/newsletter/unsubscribe/[\w-]+/)>", header)
    assert match, header
    unsubscribe_url = match.group(1)
    assert unsubscribe_url.startswith(f"{live_server.url}/{language}/newsletter/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_url in welcome.body and f'href="{unsubscribe_url}"' in welcome.alternatives[0][0]

    # RFC 8058: the mail program POSTs "List-Unsubscribe=One-Click" to that URL from its own servers,
    # with no cookie and no Origin or Referer (a context of its own: an empty cookie jar).
    mail_program = browser.new_context()
    requests_seen.clear()
    response = mail_program.request.post(
        unsubscribe_url,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        data="List-Unsubscribe=One-Click",
        max_redirects=0,
    )
    assert response.status == 200, response.text()
    assert words["unsubscribed"] in response.text()
    assert "set-cookie" not in response.headers
    (environ,) = [seen for seen in requests_seen if seen["PATH_INFO"] in unsubscribe_url]
    assert environ["REQUEST_METHOD"] == "POST"
    assert environ["CONTENT_TYPE"] == "application/x-www-form-urlencoded"
    assert not {"HTTP_COOKIE", "HTTP_ORIGIN", "HTTP_REFERER", "HTTP_SEC_FETCH_SITE"} & set(environ)
    assert not Subscriber.objects.filter(email=address).exists()
    assert mail_program.cookies() == []
    mail_program.close()

    # The link opened afterwards says there is nothing left to do.
    opened = page.goto(unsubscribe_url)
    assert opened.status == 404
    assert page.get_by_role("main").get_by_text(words["not_subscribed"]).is_visible()
    assert page.get_by_role("button", name=words["unsubscribe_button"], exact=True).count() == 0
    assert context.cookies() == []
    context.close()
