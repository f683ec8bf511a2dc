"""The site's public pages, by URL name: every test that walks "all pages" uses this list."""

PUBLIC_PAGES = [
    "home",
    "faq:index",
    "consent:settings",
    "privacy",
    "code-of-conduct",
    "imprint",
]
