from cookie_consent.models import CookieGroup
from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from socialdilemma.i18n import paths_in_each_language
from socialdilemma.ratelimit import client_limited

from . import services
from .forms import ConsentSettingsForm
from .services import OPTIONAL_GROUPS


def _groups():
    return CookieGroup.objects.prefetch_related("cookie_set").order_by("ordering", "pk")


def _settings_context(request, groups, form, **extra):
    rows = [
        (
            group,
            form[group.varname] if group.varname in form.fields else None,
            request.consent.choices.get(group.varname),
        )
        for group in groups
    ]
    return {"rows": rows, "form": form, **extra}


def _may_log(request):
    """Whether this request's consent choice may be logged and its trailer play counted.

    CONSENT_RATE_LIMIT (per client) keeps one client from inflating the consent statistics and the play
    counts. It limits only that: over the limit the visitor's choice still takes effect (the consent
    cookie is set, the trailer plays), just unlogged and uncounted, so that a school, an office or a
    mobile network behind one address is never refused. Counted once per request, and only when
    something is to be logged or counted. Without a count (Redis unreachable) the choice is logged.
    """
    if not hasattr(request, "_consent_may_log"):
        request._consent_may_log = not client_limited(
            request, "consent", rate=settings.CONSENT_RATE_LIMIT, when_uncounted=False
        )
    return request._consent_may_log


def _settings_paths():
    """The settings page in every language: the language versions of a page that answers a POST.

    The language switch otherwise swaps the prefix of the form's own address (/de/cookies/save/), which
    only accepts POST: the other language's version would be an empty 405.
    """
    return paths_in_each_language(lambda: reverse("consent:settings"))


def _done(request, *, default):
    """Answer a consent change: 204 for the page's script, otherwise back where the visitor came from."""
    if request.headers.get("X-Consent-Fetch"):
        return HttpResponse(status=204)
    target = request.POST.get("next", "")
    # Back to a page of this site only: an absolute path, never another host.
    is_own_page = target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if not is_own_page:
        target = default
    return HttpResponseRedirect(target)


@require_safe
def settings_page(request):
    """Every cookie group with its cookies and purpose, the current choice, and a form to change it.

    Like every public form, its forms carry no CSRF token (socialdilemma.crossorigin), so that looking at
    this page sets no cookie.
    """
    groups = list(_groups())
    optional = [group for group in groups if group.varname in OPTIONAL_GROUPS]
    form = ConsentSettingsForm(groups=optional, state=request.consent)
    context = _settings_context(request, groups, form, saved=request.GET.get("saved") == "1")
    return render(request, "consent/settings.html", context)


@require_POST
def save_settings(request):
    groups = list(_groups())
    optional = [group for group in groups if group.varname in OPTIONAL_GROUPS]
    form = ConsentSettingsForm(request.POST, groups=optional, state=request.consent)
    if not form.is_valid():
        request.alternate_paths = _settings_paths()
        return render(request, "consent/settings.html", _settings_context(request, groups, form), status=400)
    # The confirmation travels in the address, not in a message cookie.
    response = HttpResponseRedirect(reverse("consent:settings") + "?saved=1#saved")
    services.consent_record(
        request=request,
        response=response,
        accepted=form.accepted(),
        declined=form.declined(),
        log=_may_log(request),
    )
    return response


@require_POST
def accept_all(request):
    response = _done(request, default=reverse("home"))
    services.consent_record(request=request, response=response, accepted=OPTIONAL_GROUPS, log=_may_log(request))
    return response


@require_POST
def decline_all(request):
    response = _done(request, default=reverse("home"))
    services.consent_record(request=request, response=response, declined=OPTIONAL_GROUPS, log=_may_log(request))
    return response


@require_POST
def play_trailer(request):
    """The trailer's play button: records consent for the trailer (pressing it is the consent) and
    counts a play for visitors who accepted analytics. Over CONSENT_RATE_LIMIT the trailer still plays
    and the consent is still stored in the cookie; only the log entry and the count are skipped."""
    if request.consent.allows("analytics") and _may_log(request):
        services.analytics_count(request, kind="trailer_play")
    if request.headers.get("X-Consent-Fetch"):
        response = HttpResponse(status=204)
    else:
        response = HttpResponseRedirect(reverse("home") + "?trailer=play#trailer")
    if not request.consent.allows("trailer"):
        services.consent_record(request=request, response=response, accepted=["trailer"], log=_may_log(request))
    return response
