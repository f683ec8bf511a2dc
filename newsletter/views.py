from django.conf import settings
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from socialdilemma.private import private_page
from socialdilemma.ratelimit import client_limited

from . import services
from .forms import SubscribeForm

TOO_MANY = _(
    "We received many forms from your connection in a short time. Please try again in an hour; "
    "what you entered is still here."
)


@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    language = get_language()
    if request.method != "POST":
        return _form_page(request, SubscribeForm(language=language))
    form = SubscribeForm(request.POST, language=language)
    if form.is_spam():
        return _requested(request, form.data.get("email", ""))
    if not form.is_valid():
        return _form_page(request, form, status=400)
    if client_limited(request, "newsletter", rate=settings.NEWSLETTER_RATE_LIMIT, when_uncounted=False):
        form.add_error(None, TOO_MANY)
        return _form_page(request, form, status=429)
    services.subscription_request(
        email=form.cleaned_data["email"], language=form.cleaned_data["language"], page_language=get_language()
    )
    return _requested(request, form.cleaned_data["email"])


def _form_page(request, form, status=200):
    context = {"form": form, "consent_text": services.consent_text(get_language())}
    return render(request, "newsletter/subscribe.html", context, status=status)


def _requested(request, email):
    """The same answer for a new, a pending and a confirmed address: what happens is told by email."""
    request.is_private_page = True  # it names the address
    context = {"email": email[:254], "confirm_days": settings.NEWSLETTER_CONFIRM_DAYS}
    response = render(request, "newsletter/requested.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@private_page
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """The link in the confirmation email leads here; the button confirms (a mail scanner that opens the
    link confirms nothing)."""
    subscriber = services.subscriber_for_token(token)
    if subscriber is not None and request.method == "POST":
        subscriber = services.subscription_confirm(subscriber)
    context = {
        "subscriber": subscriber,
        "expired": subscriber is not None and services.subscription_expired(subscriber),
    }
    return render(request, "newsletter/confirm.html", context, status=200 if subscriber else 404)


@private_page
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """One POST unsubscribes, without sign-in or cookie: the page's button, or a mail program's RFC 8058
    one-click request. Unsubscribing twice is answered the same."""
    subscriber = services.subscriber_for_token(token)
    if request.method == "POST":
        if subscriber is not None:
            services.subscription_end(subscriber)
        return render(request, "newsletter/unsubscribed.html")
    return render(request, "newsletter/unsubscribe.html", {"subscriber": subscriber}, status=200 if subscriber else 404)
