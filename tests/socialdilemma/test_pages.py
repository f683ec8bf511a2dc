"""The privacy policy and the accessibility statement: what they say comes from the settings that decide it."""

import re
import subprocess
import sys

import pytest
from django.conf import settings as django_settings

from socialdilemma import views
from socialdilemma.pagecache import local_pages
from socialdilemma.ratelimit import rate_window_seconds

pytestmark = pytest.mark.django_db

LANGUAGES = ["de", "en"]
IMPRINT = {
    "organisation": "Beispiel Kampagne e. V.",
    "address_lines": ["Hauptstr. 1", "10115 Berlin"],
    "email": "datenschutz@example.org",
}


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def text(html):
    """The page's main content as plain text, with spaces collapsed."""
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def heading_levels(html):
    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", html[html.index("<main") :])]


# The privacy policy


@pytest.mark.parametrize("language", LANGUAGES)
def test_privacy_names_the_controller_from_the_imprint_settings(client, settings, language):
    settings.IMPRINT = IMPRINT
    html = page(client, f"/{language}/privacy/")
    assert "Beispiel Kampagne e. V." in html
    assert "Hauptstr. 1<br>10115 Berlin" in html
    assert '<a href="mailto:datenschutz@example.org">datenschutz@example.org</a>' in html
    controller = {"de": "Verantwortlicher im Sinne von Art. 4 Nr. 7 DSGVO", "en": "the controller under Art. 4(7) GDPR"}
    assert controller[language] in text(html)


@pytest.mark.parametrize(
    ("language", "missing", "write_to"),
    [
        ("de", "Noch nicht vom Betreiber angegeben.", "schreiben Sie uns an die oben genannte Adresse"),
        ("en", "Not provided yet by the operator.", "write to us at the address given above"),
    ],
)
def test_privacy_says_plainly_what_the_operator_has_not_provided(client, settings, language, missing, write_to):
    settings.IMPRINT = {"organisation": "", "address_lines": [], "email": ""}
    html = page(client, f"/{language}/privacy/")
    assert text(html).count(missing) == 3
    assert write_to in text(html)
    assert "mailto:" not in html


LEGAL_BASES = {
    "de": [
        "Art. 6 Abs. 1 lit. a DSGVO",
        "Art. 6 Abs. 1 lit. b DSGVO",
        "Art. 6 Abs. 1 lit. c DSGVO",
        "Art. 6 Abs. 1 lit. f DSGVO",
        "§ 25 Abs. 1 TDDDG",
        "§ 25 Abs. 2 Nr. 2 TDDDG",
    ],
    "en": [
        "Art. 6(1)(a) GDPR",
        "Art. 6(1)(b) GDPR",
        "Art. 6(1)(c) GDPR",
        "Art. 6(1)(f) GDPR",
        "§ 25(1) TDDDG",
        "§ 25(2) no. 2 TDDDG",
    ],
}
RIGHTS = {
    "de": ["Art. 15 DSGVO", "Art. 16 DSGVO", "Art. 17 DSGVO", "Art. 18 DSGVO", "Art. 20 DSGVO", "Art. 21 DSGVO",
           "Art. 7 Abs. 3 DSGVO", "Art. 77 DSGVO", "Widerspruchsrecht"],
    "en": ["Art. 15 GDPR", "Art. 16 GDPR", "Art. 17 GDPR", "Art. 18 GDPR", "Art. 20 GDPR", "Art. 21 GDPR",
           "Art. 7(3) GDPR", "Art. 77 GDPR", "Right to object"],
}  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
def test_privacy_names_the_legal_basis_of_every_use_and_the_rights(client, language):
    html = text(page(client, f"/{language}/privacy/"))
    for phrase in LEGAL_BASES[language] + RIGHTS[language]:
        assert phrase in html, phrase


@pytest.mark.parametrize("language", LANGUAGES)
def test_privacy_links_the_withdrawal_of_consent_to_the_cookie_settings(client, language):
    html = page(client, f"/{language}/privacy/")
    link = f'<a href="/{language}/cookies/">'
    withdrawal = html[html.index("Art. 7" + (" Abs. 3" if language == "de" else "(3)")) :]
    assert link in withdrawal.split("</p>")[0]


RETENTION = {
    # setting, value, the sentence in German, in English
    "server log": (
        "SERVER_LOG_DAYS", 11, "Das Protokoll wird nach 11 Tagen gelöscht.", "The log is deleted after 11 days.",
    ),
    "one day of server log": (
        "SERVER_LOG_DAYS", 1, "Das Protokoll wird nach 1 Tag gelöscht.", "The log is deleted after 1 day.",
    ),
    "hosts' personal data": (
        "SCREENING_PERSONAL_DATA_DAYS", 97,
        "97 Tage nach der Vorführung löschen wir Ihren Namen", "97 days after the screening we remove your name",
    ),
    "guests' personal data": (
        "SCREENING_PERSONAL_DATA_DAYS", 97,
        "Wir löschen Ihre Adresse und Ihren Namen 97 Tage nach der Vorführung.",
        "We remove your address and name 97 days after the screening.",
    ),
    "unconfirmed guests": (
        "GUEST_CONFIRM_HOURS", 30,
        "Eine Anmeldung, die nicht innerhalb von 30 Stunden bestätigt wird, wird gelöscht.",
        "A sign-up not confirmed within 30 hours is deleted.",
    ),
    "host link": (
        "SCREENING_HOST_LINK_DAYS", 41,
        "Ihr persönlicher Link funktioniert 41 Tage nach der Vorführung nicht mehr.",
        "Your private link stops working 41 days after the screening.",
    ),
    "outbox": (
        "EMAIL_KEEP_DAYS", 23,
        "23 Tage nach dem Erstellen der E-Mail gelöscht.", "is deleted 23 days after the email was created.",
    ),
    "consent cookie": (
        "COOKIE_CONSENT_MAX_AGE", 400 * 24 * 60 * 60,
        "Das Cookie läuft nach 400 Tagen ab", "The cookie expires after 400 days",
    ),
    "unanswered searches": (
        "FAQ_UNANSWERED_SEARCH_DAYS", 45,
        "Die Zählungen werden nach 45 Tagen gelöscht.", "The counts are deleted after 45 days.",
    ),
    "rate-limit fingerprints": ("SCREENING_RATE_LIMIT", "10/3d", "Höchstens 4320 Minuten.", "At most 4320 minutes."),
    "staff sessions": (
        "SESSION_COOKIE_AGE", 3 * 24 * 60 * 60,
        "spätestens nach 3 Tagen.", "The session cookie is deleted on signing out, or after 3 days.",
    ),
    "failed sign-ins": (
        "ADMIN_LOGIN_LOCKOUT_SECONDS", 20 * 60,
        "Fehlgeschlagene Versuche werden 20 Minuten lang gezählt.", "Failed attempts are counted for 20 minutes.",
    ),
}  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("case", RETENTION.values(), ids=RETENTION.keys())
def test_privacy_takes_every_retention_period_from_the_settings(client, settings, language, case):
    name, value, german, english = case
    setattr(settings, name, value)
    html = text(page(client, f"/{language}/privacy/"))
    assert (german if language == "de" else english) in html


def test_privacy_defaults_are_those_of_the_settings(client, settings):
    html = text(page(client, "/en/privacy/"))
    for sentence in (
        f"The log is deleted after {settings.SERVER_LOG_DAYS} days.",
        f"{settings.SCREENING_PERSONAL_DATA_DAYS} days after the screening we remove",
        f"stops working {settings.SCREENING_HOST_LINK_DAYS} days after the screening",
        f"is not confirmed is deleted entirely {settings.SCREENING_UNCONFIRMED_DAYS} days after it was made",
        f"is deleted {settings.EMAIL_KEEP_DAYS} days after the email was created",
        f"The cookie expires after {settings.COOKIE_CONSENT_MAX_AGE // 86400} days",
        "At most 1440 minutes.",  # the daily limits per screening (messages to its host, to its guests)
    ):
        assert sentence in html, sentence


@pytest.mark.parametrize(
    ("language", "intro", "hosting", "email"),
    [
        ("de", "Auftragsverarbeiter, Art. 28 DSGVO", "Hosting", "E-Mail-Versand"),
        ("en", "processors, Art. 28 GDPR", "Hosting", "Email delivery"),
    ],
)
def test_privacy_lists_the_configured_processors(client, settings, language, intro, hosting, email):
    settings.PRIVACY_PROCESSORS = [
        ("Hosting", "Beispiel Hosting GmbH, Berlin"),
        ("email", "Beispiel Mail AG, Hamburg"),
        ("Backups", "Beispiel Speicher GmbH"),
        ("", "Ohne Zweck GmbH"),
    ]
    html = page(client, f"/{language}/privacy/")
    assert intro in text(html)
    assert f"<li>{hosting}: Beispiel Hosting GmbH, Berlin</li>" in html
    assert f"<li>{email}: Beispiel Mail AG, Hamburg</li>" in html
    assert "<li>Backups: Beispiel Speicher GmbH</li>" in html
    assert "<li>Ohne Zweck GmbH</li>" in html


@pytest.mark.parametrize(
    ("language", "fallback"),
    [
        ("de", "Wir setzen keine Auftragsverarbeiter ein: Der oben genannte Verantwortliche hostet diese Website"),
        ("en", "We use no processors: the controller named above hosts this website and sends its emails itself."),
    ],
)
def test_privacy_says_so_when_no_processor_is_configured(client, settings, language, fallback):
    settings.PRIVACY_PROCESSORS = []
    assert fallback in text(page(client, f"/{language}/privacy/"))


@pytest.mark.parametrize(
    ("language", "intro"),
    [
        ("de", "Die für uns zuständige Aufsichtsbehörde ist:"),
        ("en", "The supervisory authority responsible for us is:"),
    ],
)
def test_privacy_names_the_configured_supervisory_authority(client, settings, language, intro):
    settings.PRIVACY_SUPERVISORY_AUTHORITY = ["Beispielbehörde für Datenschutz", "Postfach 1", "https://example.org/"]
    html = page(client, f"/{language}/privacy/")
    assert intro in html
    assert (
        '<address>Beispielbehörde für Datenschutz<br>Postfach 1<br><a href="https://example.org/">'
        "https://example.org/</a></address>" in html
    )
    assert "federal state" not in html and "Bundeslandes" not in html


@pytest.mark.parametrize(
    ("language", "anywhere", "ours"),
    [
        (
            "de",
            "Aufsichtsbehörde Ihres Aufenthaltsorts, Ihres Arbeitsplatzes oder des Orts des mutmaßlichen Verstoßes",
            "Datenschutz-Aufsichtsbehörde des Bundeslandes, in dem wir unseren Sitz haben",
        ),
        (
            "en",
            "your place of residence, your place of work or the place of the alleged infringement",
            "the data protection authority of the federal state in which we are established",
        ),
    ],
)
def test_privacy_without_a_configured_authority_names_where_to_complain(client, settings, language, anywhere, ours):
    settings.PRIVACY_SUPERVISORY_AUTHORITY = []
    html = page(client, f"/{language}/privacy/")
    assert anywhere in text(html)
    assert ours in text(html)
    assert "<address>" not in html


@pytest.mark.parametrize(("language", "stated"), [("de", "Zuletzt aktualisiert: "), ("en", "Last updated: ")])
def test_privacy_and_accessibility_state_when_they_were_last_updated(client, language, stated, monkeypatch):
    from datetime import date

    from django.utils import formats, translation

    monkeypatch.setattr(views, "PRIVACY_UPDATED", date(2027, 3, 4))
    monkeypatch.setattr(views, "ACCESSIBILITY_UPDATED", date(2027, 5, 6))
    with translation.override(language):
        privacy_date = formats.date_format(date(2027, 3, 4), "DATE_FORMAT")
        statement_date = formats.date_format(date(2027, 5, 6), "DATE_FORMAT")
    assert stated + privacy_date in page(client, f"/{language}/privacy/")
    assert stated + statement_date in page(client, f"/{language}/accessibility/")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("script", ["", "https://analytics.example.org/script.js"])
def test_privacy_mentions_a_third_party_analytics_script_only_when_there_is_one(client, settings, language, script):
    settings.ANALYTICS_SCRIPT_URL = script
    named = {
        "de": "Statistik-Skript von https://analytics.example.org geladen",
        "en": "analytics script is loaded from https://analytics.example.org:",
    }
    assert (named[language] in text(page(client, f"/{language}/privacy/"))) == bool(script)


def test_privacy_processors_and_authority_are_read_from_the_environment():
    script = (
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.PRIVACY_PROCESSORS); print(settings.PRIVACY_SUPERVISORY_AUTHORITY);"
        "print(settings.SERVER_LOG_DAYS)"
    )
    env = {
        "DJANGO_DEBUG": "1",
        "PRIVACY_PROCESSORS": "Hosting: Example GmbH, Berlin;Email: Example Mail AG, Hamburg; ;Just A Name",
        "PRIVACY_SUPERVISORY_AUTHORITY": "Example Authority; Street 1 ;https://example.org/",
        "SERVER_LOG_DAYS": "14",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "socialdilemma.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=django_settings.BASE_DIR,
    )
    assert result.stdout.splitlines() == [
        "[('Hosting', 'Example GmbH, Berlin'), ('Email', 'Example Mail AG, Hamburg'), ('', 'Just A Name')]",
        "['Example Authority', 'Street 1', 'https://example.org/']",
        "14",
    ], result.stderr


def test_privacy_settings_default_to_empty_and_seven_days():
    from socialdilemma import settings as site_settings

    # The suite's environment sets none of them (tests/envdefaults.py).
    assert site_settings.PRIVACY_PROCESSORS == []
    assert site_settings.PRIVACY_SUPERVISORY_AUTHORITY == []
    assert site_settings.SERVER_LOG_DAYS == 7


# The accessibility statement


@pytest.mark.parametrize(
    ("language", "heading", "goal"),
    [
        ("de", "Erklärung zur Barrierefreiheit", "WCAG) 2.1 auf der Stufe AA"),
        ("en", "Accessibility statement", "WCAG) 2.1 at level AA"),
    ],
)
def test_accessibility_statement_answers_in_both_languages(client, language, heading, goal):
    html = page(client, f"/{language}/accessibility/")
    assert f'<html lang="{language}">' in html
    assert f"<h1>{heading}</h1>" in html
    content = text(html)
    assert goal in content
    assert "EN 301 549" in content
    assert "axe-core" in content and "Playwright" in content
    assert "§ 16" in content


@pytest.mark.parametrize(("language", "answer"), [("de", "innerhalb von zwei Wochen"), ("en", "within two weeks")])
def test_accessibility_statement_links_the_contact_email(client, settings, language, answer):
    settings.IMPRINT = IMPRINT
    html = page(client, f"/{language}/accessibility/")
    assert '<a href="mailto:datenschutz@example.org">datenschutz@example.org</a>' in html
    assert answer in text(html)


@pytest.mark.parametrize("language", LANGUAGES)
def test_accessibility_statement_without_an_email_points_to_the_imprint(client, settings, language):
    settings.IMPRINT = {"organisation": "", "address_lines": [], "email": ""}
    html = page(client, f"/{language}/accessibility/")
    assert "mailto:" not in html
    assert f'<a href="/{language}/imprint/">' in html[html.index("<main") :]


@pytest.mark.parametrize("path", ["/de/privacy/", "/en/privacy/", "/de/accessibility/", "/en/accessibility/"])
def test_legal_pages_have_their_headings_in_order(client, path):
    levels = heading_levels(page(client, path))
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(later - earlier <= 1 for earlier, later in zip(levels, levels[1:], strict=False))


def test_accessibility_statement_is_in_the_sitemap(client):
    xml = client.get("/sitemap.xml").content.decode()
    assert "<loc>http://testserver/de/accessibility/</loc>" in xml
    assert "<loc>http://testserver/en/accessibility/</loc>" in xml


@pytest.mark.parametrize(("language", "label"), [("de", "Barrierefreiheit"), ("en", "Accessibility")])
def test_footer_links_to_the_accessibility_statement(client, language, label):
    html = page(client, f"/{language}/")
    footer = html[html.index('<footer class="site-footer">') :]
    assert f'<a href="/{language}/accessibility/">{label}</a>' in footer
    # next to the privacy policy and the imprint
    assert f'href="/{language}/privacy/"' in footer and f'href="/{language}/imprint/"' in footer


@pytest.mark.parametrize(
    ("rate", "seconds"),
    [("10/h", 3600), ("5/10m", 600), ("3/d", 86400), ("7/s", 1), ("10/hour", 3600), ("30/", 1), ("2/15M", 15)],
)
def test_a_rate_limits_window_is_read_as_django_ratelimit_reads_it(rate, seconds):
    from django_ratelimit.core import _split_rate

    assert rate_window_seconds(rate) == seconds == _split_rate(rate)[1]


def test_privacy_describes_the_newsletter_with_its_retention(client, settings):
    settings.NEWSLETTER_UNCONFIRMED_DAYS = 14
    html = text(page(client, "/de/privacy/"))
    assert "Newsletter" in html and "Eine nicht bestätigte Anmeldung wird nach 14 Tagen gelöscht." in html


def _limits_in_the_code():
    """Every setting that keeps a keyed fingerprint (of an IP address, an email address or a screening) in the
    cache for as long as it says: the rates and intervals by their names, and whatever setting the code passes
    straight to socialdilemma/ratelimit.py as a rate or an interval."""
    names = {name for name in dir(django_settings) if name.endswith(("_RATE_LIMIT", "_INTERVAL_SECONDS"))}
    call = re.compile(
        r"\b(?:client_limited|recipient_limited|recipient_first_in)\((?:[^()]|\([^()]*\))*?"
        r"\b(?:rate|seconds)=settings\.([A-Z0-9_]+)",
        flags=re.S,
    )
    for app in ("consent", "events", "faq", "newsletter", "socialdilemma"):
        for source in (django_settings.BASE_DIR / app).rglob("*.py"):
            names |= set(call.findall(source.read_text()))
    return sorted(names)


LIMITS_IN_THE_CODE = _limits_in_the_code()
# What the privacy page's "Protection against abuse" says each of them keeps (English).
LIMITS_DESCRIBED = {
    "SCREENING_RATE_LIMIT": "sent from it: screening registrations, requests for a screening link",
    "NEWSLETTER_RATE_LIMIT": "sign-ups for the newsletter",
    "GUEST_RATE_LIMIT": "sign-ups for the newsletter and for screenings",
    "CONTACT_RATE_LIMIT": "messages to hosts",
    "CONSENT_RATE_LIMIT": "cookie choices and trailer plays",
    "ANALYTICS_PAGE_VIEW_RATE_LIMIT": "if you accepted analytics, also the number of pages counted for our statistics",
    "SCREENING_ADDRESS_RATE_LIMIT": "with the number of emails sent to them: when you register a screening",
    "SCREENING_LINK_REQUEST_SECONDS": "ask for your screening link again",
    "NEWSLETTER_EMAIL_INTERVAL_SECONDS": "or sign up for the newsletter",
    "GUEST_EMAIL_INTERVAL_SECONDS": "or sign up for the newsletter or for a screening",
    "GUEST_ADDRESS_RATE_LIMIT": "or sign up for the newsletter or for a screening",
    "CONTACT_HOST_RATE_LIMIT": "For each screening, the number of messages to its host",
    "HOST_MESSAGE_RATE_LIMIT": "of its host's messages to the guests",
    "SCREENING_GUEST_NOTICE_RATE_LIMIT": "of its notices to the guests (cancellations, their undoing, changes",
}  # fmt: skip


def test_the_limits_in_the_code_are_found():
    assert {"SCREENING_RATE_LIMIT", "CONSENT_RATE_LIMIT", "SCREENING_LINK_REQUEST_SECONDS"} <= set(LIMITS_IN_THE_CODE)
    assert {"NEWSLETTER_EMAIL_INTERVAL_SECONDS", "GUEST_EMAIL_INTERVAL_SECONDS", "GUEST_ADDRESS_RATE_LIMIT"} <= set(
        LIMITS_IN_THE_CODE
    )


@pytest.mark.parametrize("name", LIMITS_IN_THE_CODE)
def test_privacy_names_what_every_limit_keeps_in_the_cache(client, name):
    """A limit added to the code without a word on the privacy page fails here: describe it there."""
    assert name in LIMITS_DESCRIBED, f"{name}: say on the privacy page what it keeps, and add it here"
    html = text(page(client, "/en/privacy/"))
    section = html[html.index("Protection against abuse") : html.index("Searching the FAQ")]
    assert LIMITS_DESCRIBED[name] in section
    assert "kept in our cache only, never in the database" in section


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", LIMITS_IN_THE_CODE)
def test_privacy_retention_covers_every_limit_that_keeps_something_in_the_cache(client, settings, language, name):
    """However long any one of them keeps its fingerprint, the page says so (a week: 10080 minutes)."""
    setattr(settings, name, "3/7d" if name.endswith("_RATE_LIMIT") else 7 * 24 * 60 * 60)
    expected = "Höchstens 10080 Minuten." if language == "de" else "At most 10080 minutes."
    assert expected in text(page(client, f"/{language}/privacy/"))


def test_privacy_retention_of_the_review(client, settings):
    """The reviewer's case: a daily limit of messages to hosts and of newsletter confirmations."""
    settings.CONTACT_RATE_LIMIT = "5/d"
    settings.NEWSLETTER_EMAIL_INTERVAL_SECONDS = 86400
    for name in dir(django_settings):  # every other limit hourly at most
        if name.endswith("_RATE_LIMIT") and name != "CONTACT_RATE_LIMIT":
            setattr(settings, name, "5/h")
    assert "At most 1440 minutes." in text(page(client, "/en/privacy/"))
    settings.CONTACT_RATE_LIMIT = "5/h"
    settings.NEWSLETTER_EMAIL_INTERVAL_SECONDS = 3600
    local_pages.clear()  # the page cache does not know that settings changed
    assert "At most 60 minutes." in text(page(client, "/en/privacy/"))


def test_privacy_reads_every_rate_django_ratelimit_accepts(client, settings):
    settings.SCREENING_RATE_LIMIT = "10/hour"
    settings.CONSENT_RATE_LIMIT = "100/2d"
    assert "Höchstens 2880 Minuten." in text(page(client, "/de/privacy/"))
