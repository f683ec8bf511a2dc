"""Language versions of the current page: the switch, hreflang links and the canonical link."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.urls import reverse, translate_url
from django.utils.translation import get_language, get_language_info, override


def absolute_url(request, path=None):
    """The absolute address of a path on this site; the path alone when the request's Host is not one of
    ALLOWED_HOSTS (the 400 page that answers such a request must not fail on it again)."""
    try:
        return request.build_absolute_uri(path)
    except DisallowedHost:
        return path if path is not None else request.path


def is_public_path(path):
    """A page of the site in one of its languages (not the admin, a static file or the health check)."""
    return path.startswith(_public_prefixes())


_prefixes = None


def _public_prefixes():
    global _prefixes
    if _prefixes is None:
        _prefixes = tuple(f"/{code}/" for code, _name in settings.LANGUAGES)
    return _prefixes


def _path_in(request, code):
    translated = translate_url(request.path, code)
    if translated != request.path or code == get_language():
        return translated
    # The path does not resolve (a 404 page, say): offer the other language's home page.
    with override(code):
        return reverse("home")


def paths_in_each_language(path):
    """{language: path()}, an address computed with each of the site's languages active: what a view sets
    as request.alternate_paths when its page's address in the other language is not the prefix swapped."""
    paths = {}
    for code, _name in settings.LANGUAGES:
        with override(code):
            paths[code] = path()
    return paths


def page_language_versions(request):
    """The current page in every language, as a list of dicts (code, name, url, is_current).

    A view whose URL differs per language beyond its prefix (an FAQ entry's slug, say) sets
    ``request.alternate_paths`` to ``{language_code: path}``; any other page is translated by
    swapping the language prefix. `url` drops the query string: the canonical URL (and hreflang's) is
    the page itself. `switch_url`, the language switch's link, keeps what means the same in every
    language (LANGUAGE_SWITCH_QUERY_PARAMETERS: the tour's filters and page), so that a reader who
    switches keeps their place; a search word is not one of them, as it is a word of one language.
    """
    paths = getattr(request, "alternate_paths", None) or {
        code: _path_in(request, code) for code, _name in settings.LANGUAGES
    }
    current = get_language()
    kept = urlencode(
        [(name, value) for name, value in request.GET.items() if name in settings.LANGUAGE_SWITCH_QUERY_PARAMETERS]
    )
    versions = []
    for code, _name in settings.LANGUAGES:
        if code in paths:
            url = absolute_url(request, paths[code])
            versions.append(
                {
                    "code": code,
                    "name": get_language_info(code)["name_local"],
                    "url": url,
                    "switch_url": f"{url}?{kept}" if kept else url,
                    "is_current": code == current,
                }
            )
    return versions
