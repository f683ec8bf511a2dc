"""Answers are written in Markdown by staff and rendered through an allow-list sanitizer.

Links to the site's own pages are written as ``site:NAME`` and resolved to the page in the reader's
language; a target whose page does not exist (yet) becomes plain text, never a dead link.
"""

import html
import re
from functools import lru_cache

import markdown as markdown_lib
import nh3
from django.urls import NoReverseMatch, reverse
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

SITE_LINK_TARGETS = {
    "register": "events:register",
    "screenings": "events:screenings",
    "tour": "events:tour",
    "cookies": "consent:settings",
    "code-of-conduct": "code-of-conduct",
    "privacy": "privacy",
    "faq": "faq:index",
    "newsletter": "newsletter:subscribe",
    "resources": "events:resources",
    "take-action": "take-action",
}
SITE_LINK = re.compile(r"\[([^\]]*)\]\(site:([a-z-]*)\)")

ALLOWED_TAGS = {"p", "ul", "ol", "li", "a", "em", "strong", "blockquote", "code", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}


def unknown_site_links(text):
    return sorted({name for _label, name in SITE_LINK.findall(text) if name not in SITE_LINK_TARGETS})


def site_link_url(link):
    """The address of a link written as site:NAME (one of SITE_LINK_TARGETS) in the active language; any
    other link as it is. An unknown target gives "" (no link rather than a dead one)."""
    if not link.startswith("site:"):
        return link
    try:
        return reverse(SITE_LINK_TARGETS[link.removeprefix("site:")])
    except (KeyError, NoReverseMatch):
        return ""


def _resolve_site_links(text, base=""):
    def replace(match):
        label, name = match.groups()
        try:
            return f"[{label}]({base}{reverse(SITE_LINK_TARGETS[name])})"
        except (KeyError, NoReverseMatch):
            return label

    return SITE_LINK.sub(replace, text)


def markdown_for_email(text, base):
    """(plain text, safe HTML) of a Markdown text for an email in the active language: the Markdown
    itself reads as the text part; site: links become absolute addresses under `base` (SITE_URL).

    Cached by text, address and language: a newsletter issue is converted once per language, not once
    for each of its thousands of emails (measured: about half of the time to write one)."""
    resolved, html = _email_parts(text or "", base, get_language())
    return resolved, mark_safe(html)  # noqa: S308 - sanitized by nh3 in _email_parts


# A link to a path of the site in Markdown: inline "[text](/de/tour/)" or a reference "[text]: /de/tour/".
SITE_PATH_LINK = re.compile(r"(\]\(\s*|^[ ]{0,3}\[[^\]]+\]:[ \t]*)(?=/)", re.MULTILINE)


@lru_cache(maxsize=64)
def _email_parts(text, base, language):
    resolved = _resolve_site_links(text, base)
    # The text part is the Markdown itself: its links to the site's own paths become absolute too.
    resolved = SITE_PATH_LINK.sub(lambda match: match.group(1) + base, resolved)
    rendered = markdown_lib.markdown(resolved, output_format="html")
    html = nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    # Any link within the site becomes absolute: a mail program has no site to resolve "/de/faq/" against.
    return resolved, html.replace('href="/', f'href="{base}/')


@lru_cache(maxsize=4096)
def _render(text, language):
    rendered = markdown_lib.markdown(_resolve_site_links(text), output_format="html")
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def render_markdown(text):
    """Safe HTML of a Markdown text, for the active language (site: links depend on it).

    Cached by the text itself, so an edit is a new key and never meets a stale rendering.
    """
    return mark_safe(_render(text or "", get_language()))  # noqa: S308 - sanitized by nh3 above


def markdown_to_text(text):
    """The plain text of a Markdown text, for meta descriptions and excerpts."""
    return " ".join(html.unescape(strip_tags(str(render_markdown(text)))).split())
