"""Settings for the Social Dilemma campaign site.

Everything that differs between machines comes from the environment (see README, "Settings").
Development has safe defaults; production (DJANGO_DEBUG off) refuses to start without the
settings it cannot guess.
"""

import hashlib
import os
import re
import stat
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from socialdilemma.folders import is_private_folder

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _required_in_production(name, default):
    value = env.str(name, default="")
    if value:
        return value
    if DEBUG:
        return default
    raise ImproperlyConfigured(
        f"{name} must be set when DJANGO_DEBUG is off (production). "
        f"See README.md, section 'Settings'. For local development set DJANGO_DEBUG=1."
    )


# The development key is public on purpose: it only ever signs data on a developer's machine.
SECRET_KEY = _required_in_production("DJANGO_SECRET_KEY", "dev-only-insecure-key-never-used-in-production")
ALLOWED_HOSTS = [
    host.strip()
    for host in _required_in_production("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if host.strip()
]
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # modeltranslation must come before django.contrib.admin to patch its forms.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_countries",
    "csp",
    "cookie_consent",
    "django_tasks",
    "django_tasks_db",
    "socialdilemma.taskqueue",
    "faq",
    "events",
    "consent",
    "newsletter",
]

MIDDLEWARE = [
    # Whole public pages from memory, before any other work (see socialdilemma/pagecache.py). It stores
    # responses as the middleware below finished them, security headers included.
    "socialdilemma.pagecache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "socialdilemma.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML compressed on the fly; cached pages are stored compressed already.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "socialdilemma.middleware.MethodNotAllowedPageMiddleware",
    # A body in an encoding the site does not read is refused before anything decodes it.
    "socialdilemma.middleware.RequestCharsetMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Public forms are protected by the browser's Sec-Fetch-Site / Origin (no token, no cookie); the
    # admin keeps Django's CSRF token (socialdilemma/crossorigin.py).
    "socialdilemma.crossorigin.CrossOriginProtectionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Consent: decides what the page may contain, counts consented page views, removes the cookies
    # of groups that are not (or no longer) accepted.
    "consent.middleware.ConsentMiddleware",
    "consent.middleware.CleanCookiesMiddleware",
]

# Django's deploy check looks for CsrfViewMiddleware by name; CrossOriginProtectionMiddleware is that
# middleware (a subclass) for everything but the public pages, which it protects by Sec-Fetch-Site/Origin.
SILENCED_SYSTEM_CHECKS = ["security.W003"]

ROOT_URLCONF = "socialdilemma.urls"
WSGI_APPLICATION = "socialdilemma.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "socialdilemma.context_processors.site",
                "consent.context_processors.consent",
            ],
            "libraries": {"capture": "socialdilemma.capture"},
        },
    },
]

# Without DATABASE_URL: an embedded SQLite file so that `make run` works on any machine with Python.
# Tests and production use PostgreSQL.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast when the database is unreachable: /healthz and the 503 page must answer quickly.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The shared cache ("default") holds what every process must agree on: the content version that keeps
# cached pages fresh, the cookie groups, rate-limit counters. With REDIS_URL it is Redis, shared by all
# instances; without, a file cache that all workers of one machine share. Rendered pages live in each
# process's memory (socialdilemma.pagecache), keyed by the content version.
REDIS_URL = env.str("REDIS_URL", default="")


def _default_cache_dir():
    """The file cache's folder: in memory (tmpfs) where the system has it, else var/cache.

    The file cache holds only what may be lost (the content version, rate-limit counters, cookie
    groups); on tmpfs its many small writes cost no disk journal (registration POSTs ran 13% faster).
    Django's file cache unpickles what it reads, so the folder must be this user's alone: it is created
    with mode 0700, and a folder that exists already is used only if it is a real folder of this user
    that nobody else can enter (PrivateFileBasedCache checks that again before every use).
    """
    memory = Path(os.environ.get("XDG_RUNTIME_DIR") or "/dev/shm")  # noqa: S108 - a private folder, checked below
    # Only in a parent that nobody else can empty: this user's own, or one with the sticky bit (/dev/shm),
    # where others cannot remove or rename our folder to put theirs in its place.
    parent = memory.stat() if memory.is_dir() else None
    if parent and (parent.st_uid == os.getuid() or parent.st_mode & stat.S_ISVTX):
        folder = memory / f"socialdilemma-{hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:12]}"
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
            if is_private_folder(folder):
                return str(folder)
        except OSError:
            pass
    return str(BASE_DIR / "var" / "cache")


if REDIS_URL:
    _redis_cache = {
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="socialdilemma"),
        # An unreachable Redis must cost a request a second at most, not minutes of TCP retries.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
    }
    CACHES = {
        # Degrades to an empty cache while Redis is unreachable (see socialdilemma/cache_backends.py).
        "default": {"BACKEND": "socialdilemma.cache_backends.DegradingRedisCache", **_redis_cache},
        # The public forms' limits (per client and per recipient): uncounted while Redis is unreachable.
        "limits": {"BACKEND": "socialdilemma.cache_backends.DegradingRedisCache", **_redis_cache},
        # The admin sign-in's failure counts: without them, sign-in is refused rather than unlimited.
        "lockout": {"BACKEND": "socialdilemma.cache_backends.ReusingRedisCache", **_redis_cache},
    }
else:
    _cache_dir = env.str("CACHE_DIR", default=_default_cache_dir())
    _file_cache = {
        "BACKEND": "socialdilemma.cache_backends.PrivateFileBasedCache",
        "LOCATION": _cache_dir,
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    }
    # The limits and the sign-in's failure counts in a folder of their own: what anyone can fill without
    # limit (a record per search, say) must never make room by dropping a count an attacker wants gone.
    _limits_cache = {**_file_cache, "LOCATION": str(Path(_cache_dir) / "limits"), "OPTIONS": {"MAX_ENTRIES": 50_000}}
    CACHES = {"default": _file_cache, "limits": _limits_cache, "lockout": _limits_cache}
# django-ratelimit's counters (socialdilemma/ratelimit.py).
RATELIMIT_USE_CACHE = "limits"
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=60)
# What a cached page varies on besides its address: a function (request, content version) -> a short
# name of the variant, or None when the page must not be cached (consent: the visitor's choices).
PAGE_CACHE_VARIANT = "consent.services.page_variant"
# The query parameters that public pages read (search, tour filters and pages, notices after a form): only
# these are part of a cached page's key. Tracking tags that links carry are left out; a request with any
# other parameter is rendered, not cached.
PAGE_CACHE_QUERY_PARAMETERS = ["q", "page", "format", "country", "saved", "sent", "trailer"]
# Of those, what the language switch keeps (see socialdilemma.i18n.page_language_versions).
LANGUAGE_SWITCH_QUERY_PARAMETERS = ["page", "format", "country"]
PAGE_CACHE_IGNORED_PARAMETERS = ["utm_*", "fbclid", "gclid", "msclkid", "mc_cid", "mc_eid"]
# The most each process's page cache holds, in bytes (besides at most 2,000 pages).
PAGE_CACHE_MAX_BYTES = env.int("PAGE_CACHE_MAX_BYTES", default=32 * 1024 * 1024)
# Cookies a request may carry and still be served from the page cache (set below, with their names):
# the consent record, which PAGE_CACHE_VARIANT reads, and an old CSRF cookie, which public pages ignore.

# Email: printed to the console in development; e.g. smtp+tls://user:password@mail.example.org:587.
# Production needs a real mail server: hosts receive their private links by email. Every email is
# recorded in the outbox (socialdilemma.taskqueue) and sent by the worker, never inside a request.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default=_required_in_production("EMAIL_URL", "consolemail://"))
vars().update(EMAIL_CONFIG)
# Seconds a mail server may take to answer one step of the conversation. An attempt holds its email for
# 10 times as long (its lease); a worker that died is noticed after that and the email sent again.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Das soziale Dilemma <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The sender's name in each language (the address stays DEFAULT_FROM_EMAIL's): English readers get their
# emails from "The Social Dilemma".
EMAIL_SENDER_NAMES = {"de": "Das soziale Dilemma", "en": "The Social Dilemma"}
# Retries: the first after EMAIL_RETRY_SECONDS, each following one twice as late (at most
# EMAIL_RETRY_MAX_SECONDS); after EMAIL_MAX_ATTEMPTS attempts (or a permanent 5xx refusal) the email is
# shown as failed in the admin. With the defaults the attempts span about four hours.
EMAIL_MAX_ATTEMPTS = env.int("EMAIL_MAX_ATTEMPTS", default=10)
EMAIL_RETRY_SECONDS = env.int("EMAIL_RETRY_SECONDS", default=60)
EMAIL_RETRY_MAX_SECONDS = env.int("EMAIL_RETRY_MAX_SECONDS", default=60 * 60)
# Sent and failed emails (and with them the recipient's address) are removed this many days after.
EMAIL_KEEP_DAYS = env.int("EMAIL_KEEP_DAYS", default=30)
# How often the scheduler looks for emails to retry (and whose worker died).
EMAIL_SWEEP_SECONDS = env.int("EMAIL_SWEEP_SECONDS", default=15)

# The task queue: django-tasks (the backport of Django 6's django.tasks) with its database backend, so
# the queue lives in the site's own database and needs no other service; `manage.py db_worker` runs the
# tasks, `manage.py scheduler` enqueues the periodic ones (see README, "Background work").
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# name -> (task, seconds between runs). The scheduler claims each period in the database, so several
# schedulers (one per machine) enqueue each run once.
PERIODIC_TASKS = {
    "events.remove-personal-data": ("events.tasks.remove_personal_data", 24 * 60 * 60),
    "taskqueue.prune": ("socialdilemma.taskqueue.tasks.prune", 24 * 60 * 60),
    "faq.remove-old-unanswered-searches": ("faq.tasks.remove_old_unanswered_searches", 24 * 60 * 60),
    "events.remove-unconfirmed-guests": ("events.tasks.remove_unconfirmed_guests", 60 * 60),
    "events.send-reminders": ("events.tasks.send_reminders", 15 * 60),
    "events.request-reports": ("events.tasks.request_reports", 60 * 60),
    "newsletter.remove-unconfirmed": ("newsletter.tasks.remove_unconfirmed", 24 * 60 * 60),
    "newsletter.resume-issues": ("newsletter.tasks.resume_issues", 15 * 60),
}
SCHEDULER_TICK_SECONDS = env.float("SCHEDULER_TICK_SECONDS", default=5)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: German is the default; every public URL carries its language prefix.
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
# Country names whose German in django-countries is misspelt ("Kirivati", "Granada", "Saudi Arabien",
# "Mozambique") or outdated ("Swasiland"): translated in our own catalogue (locale/), which takes precedence.
COUNTRIES_OVERRIDE = {
    "FO": _("Faroe Islands"),
    "GD": _("Grenada"),
    "HK": _("Hong Kong"),
    "KI": _("Kiribati"),
    "MZ": _("Mozambique"),
    "PG": _("Papua New Guinea"),
    "SA": _("Saudi Arabia"),
    "SR": _("Suriname"),
    "SZ": _("Eswatini"),
}
LOCALE_PATHS = [BASE_DIR / "locale"]
MODELTRANSLATION_DEFAULT_LANGUAGE = "de"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("de",)
TIME_ZONE = "Europe/Berlin"
# Our own German date formats ("19:30 Uhr"); the rest are Django's.
FORMAT_MODULE_PATH = ["socialdilemma.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# In development whitenoise serves straight from the apps' static folders, without collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Cookie consent (django-cookie-consent). The consent record lives at most 13 months (390 days).
MIGRATION_MODULES = {"cookie_consent": "consent.cookie_consent_migrations"}
COOKIE_CONSENT_NAME = "cookie_consent"
COOKIE_CONSENT_MAX_AGE = 60 * 60 * 24 * 390
COOKIE_CONSENT_SECURE = not DEBUG
COOKIE_CONSENT_HTTPONLY = True
COOKIE_CONSENT_SAMESITE = "Lax"
COOKIE_CONSENT_LOG_ENABLED = True
PAGE_CACHE_COOKIES = [COOKIE_CONSENT_NAME, "csrftoken"]
# Optional third-party analytics script (its URL), emitted only for visitors who accepted analytics.
ANALYTICS_SCRIPT_URL = env.str("ANALYTICS_SCRIPT_URL", default="")
# The trailer on the home page: the YouTube video of Netflix's official trailer, embedded from
# youtube-nocookie.com only after the visitor accepts the trailer's cookies.
TRAILER_YOUTUBE_ID = env.str("TRAILER_YOUTUBE_ID", default="uaaC57tcci0")
# The film's title page on Netflix ("watch on Netflix" on every page that asks for it); the address was
# verified against several independent citations (README, "The FAQ").
NETFLIX_TITLE_URL = "https://www.netflix.com/title/81254224"

# Screenings (events/).
# The public address of the site: every link in an email is built from it (emails are written by the
# worker, outside any request; a request's Host header never decides where a link points).
# (`make run` sets it to the address it serves on, whatever its PORT.)
SITE_URL = _required_in_production("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SCREENING_MAX_IN_PERSON = env.int("SCREENING_MAX_IN_PERSON", default=25)
# The newsletter: the confirmation link works this many days; requests never confirmed are removed after
# NEWSLETTER_UNCONFIRMED_DAYS; one address receives at most one confirmation email in this many
# seconds; subscription forms per client.
NEWSLETTER_CONFIRM_DAYS = env.int("NEWSLETTER_CONFIRM_DAYS", default=7)
NEWSLETTER_UNCONFIRMED_DAYS = env.int("NEWSLETTER_UNCONFIRMED_DAYS", default=30)
NEWSLETTER_EMAIL_INTERVAL_SECONDS = env.int("NEWSLETTER_EMAIL_INTERVAL_SECONDS", default=60 * 60)
NEWSLETTER_RATE_LIMIT = env.str("NEWSLETTER_RATE_LIMIT", default="10/h")
# FAQ searches that found nothing, counted per day for staff (the words only, nothing about who searched):
# kept this many days, and at most this many different ones a day.
FAQ_UNANSWERED_SEARCH_DAYS = env.int("FAQ_UNANSWERED_SEARCH_DAYS", default=90)
FAQ_UNANSWERED_SEARCH_MAX_PER_DAY = env.int("FAQ_UNANSWERED_SEARCH_MAX_PER_DAY", default=1000)
SCREENING_MAX_DAYS_AHEAD = env.int("SCREENING_MAX_DAYS_AHEAD", default=730)
# A host's private link stops working this many days after the screening.
SCREENING_HOST_LINK_DAYS = env.int("SCREENING_HOST_LINK_DAYS", default=30)
# Hosts' personal data is removed this many days after the screening (manage.py events_remove_personal_data).
SCREENING_PERSONAL_DATA_DAYS = env.int("SCREENING_PERSONAL_DATA_DAYS", default=90)
# Registrations whose address was never confirmed are deleted this many days after they were made.
SCREENING_UNCONFIRMED_DAYS = env.int("SCREENING_UNCONFIRMED_DAYS", default=14)
# "Send me my link again" lists every confirmed screening of the address and at most this many of its
# newest unconfirmed registrations (which anyone may make in a stranger's name).
SCREENING_UNCONFIRMED_LINKS_PER_EMAIL = env.int("SCREENING_UNCONFIRMED_LINKS_PER_EMAIL", default=10)
# Registrations and link requests per client and hour (django-ratelimit, counted in the cache only).
SCREENING_RATE_LIMIT = env.str("SCREENING_RATE_LIMIT", default="10/h")
# Registration emails per address, whoever registers in its name (more registrations are saved silently;
# their host asks for the link again).
SCREENING_ADDRESS_RATE_LIMIT = env.str("SCREENING_ADDRESS_RATE_LIMIT", default="5/h")
# "Send me my link again" sends at most one email per address in this many seconds.
# Guests who sign up for a screening on its page: the confirmation link works this many hours (unconfirmed
# sign-ups are then removed); sign-ups per client are limited, generously: a class or an office signs up
# from one shared address (the limits per recipient below keep anyone's inbox from being flooded); one
# address gets at most one sign-up email per screening in this many seconds.
GUEST_CONFIRM_HOURS = env.int("GUEST_CONFIRM_HOURS", default=48)
GUEST_RATE_LIMIT = env.str("GUEST_RATE_LIMIT", default="40/h")
GUEST_EMAIL_INTERVAL_SECONDS = env.int("GUEST_EMAIL_INTERVAL_SECONDS", default=60 * 60)
# ... and at most this many sign-up emails, across all screenings.
GUEST_ADDRESS_RATE_LIMIT = env.str("GUEST_ADDRESS_RATE_LIMIT", default="5/h")
# Visitors writing to a host from the screening's page: per client, and per screening (the recipient).
CONTACT_RATE_LIMIT = env.str("CONTACT_RATE_LIMIT", default="5/h")
CONTACT_HOST_RATE_LIMIT = env.str("CONTACT_HOST_RATE_LIMIT", default="20/d")
# A host writing to all guests with a place: messages per screening.
HOST_MESSAGE_RATE_LIMIT = env.str("HOST_MESSAGE_RATE_LIMIT", default="5/d")
# Cancellations, their undoing and changes of time or place per screening (each emails every guest).
SCREENING_GUEST_NOTICE_RATE_LIMIT = env.str("SCREENING_GUEST_NOTICE_RATE_LIMIT", default="4/d")
# The host and the guests with a place are reminded this many hours before the screening.
REMINDER_HOURS_BEFORE = env.int("REMINDER_HOURS_BEFORE", default=24)
SCREENING_LINK_REQUEST_SECONDS = env.int("SCREENING_LINK_REQUEST_SECONDS", default=10 * 60)
# Consent choices and trailer plays per client and hour (their statistics must not be inflated).
CONSENT_RATE_LIMIT = env.str("CONSENT_RATE_LIMIT", default="30/h")
# Page views counted per client (analytics accepted): a reader's pages, not a script's thousands.
ANALYTICS_PAGE_VIEW_RATE_LIMIT = env.str("ANALYTICS_PAGE_VIEW_RATE_LIMIT", default="300/h")
# Behind a proxy, the client is the address the proxy appended last to X-Forwarded-For.
# When the counter cannot be kept (Redis unreachable), forms go through uncounted rather than refused.
RATELIMIT_FAIL_OPEN = True
RATELIMIT_TRUST_FORWARDED_FOR = env.bool("DJANGO_TRUST_X_FORWARDED_FOR", default=False)

# The admin's sign-in is locked for a while after repeated failures (socialdilemma/adminlogin.py).
ADMIN_LOGIN_MAX_FAILURES = env.int("ADMIN_LOGIN_MAX_FAILURES", default=5)
ADMIN_LOGIN_LOCKOUT_SECONDS = env.int("ADMIN_LOGIN_LOCKOUT_SECONDS", default=15 * 60)
# After many failures on one account from any addresses, it may be tried once in this many seconds.
ADMIN_LOGIN_ACCOUNT_SECONDS = env.int("ADMIN_LOGIN_ACCOUNT_SECONDS", default=30)

# The admin's address can be moved away from the well-known /admin/.
ADMIN_URL = env.str("DJANGO_ADMIN_URL", default="admin/").strip("/") + "/"

# Behind a TLS-terminating proxy: trust X-Forwarded-Proto only when told to.
if env.bool("DJANGO_TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # Load balancers check the health over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)
SESSION_COOKIE_HTTPONLY = True
# Admin messages travel in the staff session, not in a cookie of their own.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # no script of ours reads it
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts and styles only from this site (no inline code), the
# trailer's frame only from youtube-nocookie.com, and nobody may frame the site.
YOUTUBE_ORIGIN = "https://www.youtube-nocookie.com"
_ANALYTICS_ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(ANALYTICS_SCRIPT_URL)) if ANALYTICS_SCRIPT_URL else None
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, *([_ANALYTICS_ORIGIN] if _ANALYTICS_ORIGIN else [])],
        "connect-src": [SELF, *([_ANALYTICS_ORIGIN] if _ANALYTICS_ORIGIN else [])],
        "img-src": [SELF, "data:", *([_ANALYTICS_ORIGIN] if _ANALYTICS_ORIGIN else [])],
        "style-src": [SELF],
        "font-src": [SELF],
        "frame-src": [YOUTUBE_ORIGIN],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
# Browser features this site never uses are switched off; the trailer's frame may play and go full screen.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    f'payment=(), usb=(), interest-cohort=(), autoplay=(self "{YOUTUBE_ORIGIN}"), '
    f'fullscreen=(self "{YOUTUBE_ORIGIN}"), picture-in-picture=(self "{YOUTUBE_ORIGIN}")'
)

# The operator of the site, shown on the imprint page (what § 5 DDG and § 18 MStV ask of a German site).
# Organisation, address and email are always needed: unset, they are shown as "not provided". The others
# apply to some operators only (a register entry, a VAT number) and are shown when set. IMPRINT_ADDRESS
# separates its lines with ";".
IMPRINT = {
    "organisation": env.str("IMPRINT_ORGANISATION", default=""),
    "address_lines": [line.strip() for line in env.str("IMPRINT_ADDRESS", default="").split(";") if line.strip()],
    "email": env.str("IMPRINT_EMAIL", default=""),
    # Who represents an association or a company (its board, its managing directors).
    "represented_by": env.str("IMPRINT_REPRESENTED_BY", default=""),
    "phone": env.str("IMPRINT_PHONE", default=""),
    # The same number to dial: "+49 (0)30 123 45-67" is tel:+49301234567, without the spaces, the "(0)"
    # (not dialled after a country code), the brackets, slashes and dashes.
    "phone_uri": "tel:" + re.sub(r"[^\d+]", "", env.str("IMPRINT_PHONE", default="").replace("(0)", "")),
    # E.g. "Vereinsregister, Amtsgericht Berlin-Charlottenburg, VR 12345 B".
    "register": env.str("IMPRINT_REGISTER", default=""),
    "vat_id": env.str("IMPRINT_VAT_ID", default=""),
    # The person responsible for the content (§ 18 (2) MStV), with an address if it differs.
    "responsible": env.str("IMPRINT_RESPONSIBLE", default=""),
}


# The privacy page names the controller from IMPRINT, and these. Processors (hosting, email delivery, ...)
# as "purpose: name" entries separated by ";", e.g. "Hosting: Example GmbH, Berlin;Email: Example Mail AG,
# Hamburg". Empty: the page says that the controller hosts the site and sends its emails itself.
def _processor(entry):
    purpose, colon, name = entry.partition(":")
    return (purpose.strip(), name.strip()) if colon else ("", entry.strip())


PRIVACY_PROCESSORS = [_processor(item) for item in env.str("PRIVACY_PROCESSORS", default="").split(";") if item.strip()]
# The supervisory authority for the controller: its name and address (or web address) lines separated by
# ";". Empty: the page names the authority of the visitor's residence, work or the alleged infringement.
PRIVACY_SUPERVISORY_AUTHORITY = [
    line.strip() for line in env.str("PRIVACY_SUPERVISORY_AUTHORITY", default="").split(";") if line.strip()
]
# How long the server's logs are kept, as the privacy page states. The site does not delete them itself:
# the log system (journald, the host's log service) must be set to the same period.
SERVER_LOG_DAYS = env.int("SERVER_LOG_DAYS", default=7)

# Paths whose secret part must never reach a log line (the first group is kept): a host's private link.
PRIVATE_PATH_PATTERNS = [
    r"(/screenings/manage/)[^/\s?#\"']+",
    r"(/screenings/guest/)[^/\s?#\"']+",
    r"(/screenings/report/)[^/\s?#\"']+",
    r"(/newsletter/(?:confirm|unsubscribe)/)[^/\s?#\"']+",
]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "client_errors": {"()": "socialdilemma.logfilters.ClientErrorsWithoutTraceback"},
        "private_data": {"()": "socialdilemma.logfilters.RedactPrivateData"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["client_errors", "private_data"]}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # Django's own loggers pass their records on to the root's filtered handler only (Django's default
    # console handler, active with DEBUG, has none of the filters and printed each line twice); the
    # development server's request lines (make run) go through the same filters.
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
