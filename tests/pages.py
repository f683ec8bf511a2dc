"""The site's public pages, by URL name: every test that walks "all pages" uses this list; and what a first
visit to a page loads besides it, for the budget test and `make bench`."""

import re

PUBLIC_PAGES = [
    "home",
    "faq:index",
    "consent:settings",
    "events:screenings",
    "events:register",
    "events:send-link",
    "events:tour",
    "newsletter:subscribe",
    "take-action",
    "events:resources",
    "privacy",
    "code-of-conduct",
    "imprint",
    "accessibility",
]

# Pages with a public form: like every other public page they set no cookie (no CSRF token).
PAGES_WITH_FORMS = {"events:register", "events:send-link", "consent:settings", "newsletter:subscribe", "take-action"}


def first_visit_requests(html):
    """(the addresses a first visit to this page loads besides it: stylesheets, the icon, scripts and
    images; how many of them block rendering: stylesheets and scripts in the head without defer/async)."""
    head = html.split("</head>")[0]
    assets = re.findall(r'<link rel="(?:stylesheet|icon)" href="([^"]+)"', head)
    assets += re.findall(r'<script src="([^"]+)"', html) + re.findall(r'<img src="([^"]+)"', html)
    blocking = len(re.findall(r'<link rel="stylesheet"', head)) + len(
        [tag for tag in re.findall(r"<script[^>]*>", head) if "defer" not in tag and "async" not in tag]
    )
    return assets, blocking
