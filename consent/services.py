"""Consent rules: who accepted what, recording a choice, refusing forged choices, counting page views.

The promise of the site's FAQ: no cookies and no tracking unless the visitor accepts; a visitor can
choose per category, change the choice at any time, and nothing is ever shared or sold.
"""

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from cookie_consent.cache import all_cookie_groups
from cookie_consent.conf import settings as consent_settings
from cookie_consent.models import ACTION_ACCEPTED, ACTION_DECLINED, LogItem
from cookie_consent.util import (
    get_cookie_dict_from_request,
    get_cookie_value_from_request,
    parse_cookie_str,
    set_cookie_dict_to_response,
)
from django.conf import settings
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.translation import get_language

from socialdilemma.i18n import is_public_path

from .models import DailyCount

# The optional groups, in the order the site shows them. "necessary" is required and never asked.
OPTIONAL_GROUPS = ("analytics", "trailer")
MAX_COUNTED_PATH = 200


@dataclass(frozen=True)
class ConsentState:
    """What a visitor has chosen: per optional group True (accepted), False (declined) or None."""

    choices: dict = field(default_factory=dict)
    # Global Privacy Control: the browser asks not to be tracked. Without an explicit choice, the
    # optional groups count as declined.
    gpc: bool = False

    def allows(self, group):
        return self.choices.get(group) is True

    @property
    def allows_analytics(self):
        return self.allows("analytics")

    @property
    def allows_trailer(self):
        return self.allows("trailer")

    @property
    def undecided(self):
        return [group for group in OPTIONAL_GROUPS if self.choices.get(group) is None]

    @property
    def show_banner(self):
        return bool(self.undecided)

    @property
    def gpc_honoured(self):
        """The browser's signal decides for at least one group that the visitor has not chosen for."""
        return self.gpc and bool(self.undecided)


def consent_state(request):
    choices = {group: get_cookie_value_from_request(request, group) for group in OPTIONAL_GROUPS}
    return ConsentState(choices=choices, gpc=request.headers.get("Sec-GPC", "").strip() == "1")


def consent_record(*, request, response, accepted=(), declined=(), log=True):
    """Record the visitor's choice for some optional groups in the consent cookie, and log it.

    Declined groups lose their cookies at once. Groups not named keep their earlier choice. The log
    holds only the group, its version, accept or decline, and the time: nothing about the visitor.
    With log=False (a client over CONSENT_RATE_LIMIT) the choice takes effect all the same, only
    unlogged, so that one client cannot inflate the statistics.
    """
    groups = all_cookie_groups()
    accepted = [groups[name] for name in accepted if name in groups]
    declined = [groups[name] for name in declined if name in groups and groups[name] not in accepted]
    if not accepted and not declined:
        return
    choices = get_cookie_dict_from_request(request)
    for group in accepted:
        choices[group.varname] = group.get_version()
    host = request.get_host().split(":")[0]
    for group in declined:
        choices[group.varname] = consent_settings.COOKIE_CONSENT_DECLINE
        if group.is_deletable:
            for cookie in group.cookie_set.all():
                # Only our own cookies can be removed; a video host's cookies live on its own domain.
                if not cookie.domain or host.endswith(cookie.domain.lstrip(".")):
                    response.delete_cookie(cookie.name, cookie.path, cookie.domain or None)
    set_cookie_dict_to_response(response, choices)
    if not log:
        return
    LogItem.objects.bulk_create(
        [LogItem(action=ACTION_ACCEPTED, cookiegroup=group, version=group.get_version()) for group in accepted]
        + [LogItem(action=ACTION_DECLINED, cookiegroup=group, version=group.get_version()) for group in declined]
    )


def return_path(request):
    """Where a consent form sends the visitor back to (its `next` field): this page's path with only the
    query parameters that pages read (PAGE_CACHE_QUERY_PARAMETERS), in their order.

    Never the whole address: the page cache keeps one copy of a page for every address that differs
    only in parameters it ignores (utm_…, fbclid), so a tracking tag of the first visitor's link would
    otherwise be served to everyone, and carried back to the page by every consent choice.
    """
    kept = [
        (name, value)
        for name, value in parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
        if name in settings.PAGE_CACHE_QUERY_PARAMETERS
    ]
    path = escape_uri_path(request.path)
    return f"{path}?{urlencode(kept)}" if kept else path


def is_public_page(request):
    """A page of the site in one of its languages (not the admin, not a file, not the health check)."""
    return is_public_path(request.path)


def analytics_count(request, *, kind):
    """Count one page view or trailer play for today. Only the path and language are kept."""
    path = request.path if kind == DailyCount.Kind.PAGE_VIEW else ""
    if len(path) > MAX_COUNTED_PATH:
        return
    key = {"day": timezone.localdate(), "kind": kind, "path": path, "language": get_language() or ""}
    updated = DailyCount.objects.filter(**key).update(count=F("count") + 1)
    if not updated:
        _, created = DailyCount.objects.get_or_create(**key, defaults={"count": 1})
        if not created:
            DailyCount.objects.filter(**key).update(count=F("count") + 1)


def consent_rates():
    """Accepts and declines per group and version, for the admin."""
    return (
        LogItem.objects.values("cookiegroup__varname", "version")
        .annotate(
            accepted=Count("pk", filter=Q(action=ACTION_ACCEPTED)),
            declined=Count("pk", filter=Q(action=ACTION_DECLINED)),
        )
        .order_by("cookiegroup__varname", "-version")
    )


_group_versions = {}  # content version -> {group: version}, per process


def _optional_group_versions(content_version):
    versions = _group_versions.get(content_version)
    if versions is None:
        versions = {name: group.get_version() for name, group in all_cookie_groups().items()}
        _group_versions.clear()
        _group_versions[content_version] = versions
    return versions


def page_variant(request, content_version):
    """The page cache's variant of a public page (PAGE_CACHE_VARIANT): the consent state as a short key,
    or None when the visitor's page views are counted (analytics accepted), so the page is rendered.

    A choice for an older version of a group counts as no choice. The group versions are looked up once
    per content version (a staff edit of a group renews it).
    """
    choices = parse_cookie_str(request.COOKIES.get(settings.COOKIE_CONSENT_NAME, ""))
    current = _optional_group_versions(content_version)
    marks = []
    for group in OPTIONAL_GROUPS:
        value = choices.get(group)
        if value == settings.COOKIE_CONSENT_DECLINE:
            marks.append("0")
        elif value is not None and group in current and value >= current[group]:
            if group == "analytics":
                return None
            marks.append("1")
        else:
            marks.append("-")
    key = "".join(marks)
    if "-" in key and request.headers.get("Sec-GPC", "").strip() == "1":
        key += "g"
    return key
