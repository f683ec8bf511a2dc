from functools import wraps

from cookie_consent.models import CookieGroup
from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

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


def limited_per_client(view):
    """Consent changes and trailer plays per client (CONSENT_RATE_LIMIT): over the limit nothing is
    recorded or counted, so the consent statistics cannot be inflated. Without a count (Redis
    unreachable) the choice is taken: a visitor's choice matters more than the statistics."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if client_limited(request, "consent", rate=settings.CONSENT_RATE_LIMIT, when_uncounted=False):
            return render(request, "consent/too_many.html", status=429)
        return view(request, *args, **kwargs)

    return wrapped


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
@limited_per_client
def save_settings(request):
    groups = list(_groups())
    optional = [group for group in groups if group.varname in OPTIONAL_GROUPS]
    form = ConsentSettingsForm(request.POST, groups=optional, state=request.consent)
    if not form.is_valid():
        return render(request, "consent/settings.html", _settings_context(request, groups, form), status=400)
    # The confirmation travels in the address, not in a message cookie.
    response = HttpResponseRedirect(reverse("consent:settings") + "?saved=1#saved")
    services.consent_record(request=request, response=response, accepted=form.accepted(), declined=form.declined())
    return response


@require_POST
@limited_per_client
def accept_all(request):
    response = _done(request, default=reverse("home"))
    services.consent_record(request=request, response=response, accepted=OPTIONAL_GROUPS)
    return response


@require_POST
@limited_per_client
def decline_all(request):
    response = _done(request, default=reverse("home"))
    services.consent_record(request=request, response=response, declined=OPTIONAL_GROUPS)
    return response


@require_POST
@limited_per_client
def play_trailer(request):
    """The trailer's play button: records consent for the trailer (pressing it is the consent) and
    counts a play for visitors who accepted analytics."""
    if request.consent.allows("analytics"):
        services.analytics_count(request, kind="trailer_play")
    if request.headers.get("X-Consent-Fetch"):
        response = HttpResponse(status=204)
    else:
        response = HttpResponseRedirect(reverse("home") + "?trailer=play#trailer")
    if not request.consent.allows("trailer"):
        services.consent_record(request=request, response=response, accepted=["trailer"])
    return response
