"""The site's public pages, by URL name: every test that walks "all pages" uses this list."""

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
