import json
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from socialdilemma.emailaddress import address_key
from socialdilemma.i18n import paths_in_each_language
from socialdilemma.private import private_page
from socialdilemma.ratelimit import client_limited, recipient_first_in, recipient_limited

from . import calendar, services
from .forms import (
    ContactHostForm,
    GuestNameForm,
    GuestSignUpForm,
    HostEditForm,
    HostMessageForm,
    ScreeningForm,
    ScreeningReportForm,
    SendLinkForm,
)
from .models import Guest, Screening

TOUR_PAGE_SIZE = 20
CANNOT_COUNT = _(
    "We cannot send links at the moment. Please try again in a few minutes; what you entered is still here."
)
SIGN_UP_CLOSED = _("This screening takes no more sign-ups.")
TOO_MANY_MESSAGES = _(
    "You have written to your guests several times today. Please try again tomorrow; your message is still here."
)
HOST_HAS_MANY_MESSAGES = _(
    "This host has received many messages through this page today. Please try again tomorrow; your message "
    "is still here."
)
TOO_MANY = _(
    "We received many forms from your connection in a short time. Please try again in an hour; "
    "what you entered is still here."
)


def _limited(request, group, *, when_uncounted):
    """Per-client limit on the screenings' public forms, counting only forms that would be accepted."""
    return client_limited(request, group, rate=settings.SCREENING_RATE_LIMIT, when_uncounted=when_uncounted)


@require_safe
def resources(request):
    """The guides and clips that staff made public: the discussion guide, say, without registering."""
    return render(request, "events/resources.html", {"resources": services.resources_public()})


@require_safe
def screenings(request):
    return render(
        request,
        "events/screenings.html",
        {"terms": services.terms_current(), "max_in_person": settings.SCREENING_MAX_IN_PERSON},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def register(request):
    terms = None
    try:
        if request.method != "POST":
            return render(request, "events/register.html", _register_context(None))
        terms = _terms_or_closed()
    except RegistrationClosed:
        return render(request, "events/register_closed.html", status=503)
    form = ScreeningForm(request.POST, language=get_language())
    if form.is_spam():
        # Answer a bot as if it had succeeded, and keep nothing.
        return _registered(request, form.data.get("email", ""))
    status = 400
    if form.is_valid():
        # A registration that cannot be counted is taken all the same: losing it would be worse.
        if _limited(request, "register", when_uncounted=False):
            # Shown again with everything typed, so nothing is lost.
            form.add_error(None, TOO_MANY)
            status = 429
        else:
            # However many registrations name one address, it receives at most a few emails an hour
            # (the rest are saved; their host asks for the link later). The answer stays the same.
            may_email = not recipient_limited(
                request,
                "register",
                address_key(form.cleaned_data["email"]),
                rate=settings.SCREENING_ADDRESS_RATE_LIMIT,
                when_uncounted=False,
            )
            services.screening_register(
                data=form.screening_data(), terms=terms, language=get_language(), send_email=may_email
            )
            return _registered(request, form.cleaned_data["email"])
    return render(request, "events/register.html", _register_context(form, terms), status=status)


class RegistrationClosed(Exception):
    """No version of Netflix's terms applies yet, so nobody can accept them."""


def _terms_or_closed():
    terms = services.terms_current()
    if terms is None:
        raise RegistrationClosed
    return terms


def _register_context(form, terms=None):
    return {
        "form": form or ScreeningForm(language=get_language()),
        "terms": terms or _terms_or_closed(),
        "max_in_person": settings.SCREENING_MAX_IN_PERSON,
        "personal_data_days": settings.SCREENING_PERSONAL_DATA_DAYS,
    }


def _registered(request, email):
    """The thank-you page, as the answer to the POST itself: it repeats the address the email goes to,
    which no later request could know without a cookie. Sending the form again (a reload) registers
    nothing twice (see services.screening_register) and gives the same page."""
    request.is_private_page = True  # it names the address: no third-party script on it (see private_page)
    response = render(request, "events/registered.html", {"email": email[:254]})
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def registered(request):
    """The thank-you page without an address (for an old bookmark)."""
    return render(request, "events/registered.html")


@private_page
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request, token):
    screening = services.screening_for_token(token, use=request.method == "POST")
    if screening is None:
        return render(request, "events/link_invalid.html", status=404)
    request.alternate_paths = _token_paths(token)
    if screening.email_confirmed_at is None and not screening.is_cancelled:
        return _confirm_registration(request, screening, token)
    if request.method == "POST" and request.POST.get("action") == "confirm" and screening.email_confirmed_at:
        # The confirmation sent twice (a double click, a reload): done already, not a refused edit.
        return redirect(reverse("events:manage", kwargs={"token": token}) + "?saved=confirmed")
    saved = False
    if request.method == "POST" and not screening.is_cancelled:
        form = HostEditForm(request.POST, instance=screening)
        if form.is_valid():
            data = form.screening_data()
            # A change of time or place emails every guest: a few such notices a day per screening (with
            # cancelling and undoing), not a way around the limit on the host's messages.
            tell_guests = not (
                services.screening_guest_details_change(screening, data) and _guest_notices_limited(request, screening)
            )
            public_changed = services.screening_update(screening=screening, data=data, tell_guests=tell_guests)
            query = "?saved=1"
            if not tell_guests:
                query = "?saved=untold"
            elif public_changed and screening.publish_on_tour and screening.tour_status == Screening.TourStatus.PENDING:
                query = "?saved=review"  # not on the tour yet: the review decides
            elif public_changed and screening.tour_changed_at and screening.shown_on_tour:
                query = "?saved=shown"  # on the tour at once; staff look at the change afterwards
            return redirect(reverse("events:manage", kwargs={"token": token}) + query)
        status = 400
    else:
        form = HostEditForm(instance=screening)
        status = 200
        saved = request.GET.get("saved")
    return _manage_page(request, screening, token, form=form, saved=saved, status=status)


def _confirm_registration(request, screening, token):
    """The link of a registration whose address is not confirmed yet. Opening it confirms nothing: mail
    programs' link scanners open every link of an email, and anyone may register in a stranger's name
    (or have the links of such registrations sent). The host's button confirms."""
    if request.method == "POST" and request.POST.get("action") == "confirm":
        services.screening_confirm_email(screening)
        return redirect(reverse("events:manage", kwargs={"token": token}) + "?saved=confirmed")
    context = {"screening": screening, "unconfirmed_days": settings.SCREENING_UNCONFIRMED_DAYS}
    return render(request, "events/manage_confirm.html", context)


def _manage_page(request, screening, token, *, form, message_form=None, saved=None, status=200):
    context = {
        "screening": screening,
        "form": form,
        "token": token,
        "saved": saved,
        "messaged": request.GET.get("messaged", "") if request.method == "GET" else "",
        "resources": services.resources_for_hosts(),
        "shown_on_tour": screening.shown_on_tour,
        "can_restore": services.screening_can_restore(screening),
        "can_cancel": services.screening_can_cancel(screening),
        "guests": services.screening_guest_lists(screening),
        "message_form": message_form or HostMessageForm(),
        "page_has_errors": bool(message_form and message_form.errors),
        "max_in_person": settings.SCREENING_MAX_IN_PERSON,
    }
    # Once the screening is over, the host page also leads to the report (the email asking for it comes an
    # hour later, and may be lost).
    if screening.is_past and not screening.is_cancelled:
        context["report_url"] = reverse("events:report", kwargs={"token": services.report_token(screening)})
        context["report"] = services.screening_report_of(screening)
    return render(request, "events/manage.html", context, status=status)


@private_page
@require_http_methods(["GET", "HEAD", "POST"])
def cancel(request, token):
    """Cancelling asks first (GET shows what would be cancelled); the POST cancels."""
    screening = services.screening_for_token(token, use=request.method == "POST")
    if screening is None:
        return render(request, "events/link_invalid.html", status=404)
    manage_url = reverse("events:manage", kwargs={"token": token})
    if not services.screening_can_cancel(screening):
        return redirect(manage_url)  # cancelled already, or under way or over: the host page says so
    if request.method == "POST":
        if _guest_notices_limited(request, screening):
            return redirect(manage_url + "?saved=too-many")
        cancelled = services.screening_cancel(screening)
        return redirect(manage_url + ("?saved=cancelled" if cancelled else ""))
    request.alternate_paths = _token_paths(token, "events:cancel")
    guests_told = services.screening_guests_to_tell(screening).count()
    return render(request, "events/cancel.html", {"screening": screening, "token": token, "guests_told": guests_told})


@private_page
@require_POST
def restore(request, token):
    """Undo a cancellation, until the screening starts."""
    screening = services.screening_for_token(token, use=True)  # a POST: the host uses the link
    if screening is None:
        return render(request, "events/link_invalid.html", status=404)
    manage_url = reverse("events:manage", kwargs={"token": token})
    if services.screening_can_restore(screening) and _guest_notices_limited(request, screening):
        return redirect(manage_url + "?saved=too-many")
    restored = services.screening_restore(screening)
    return redirect(manage_url + ("?saved=restored" if restored else ""))


def _guest_notices_limited(request, screening):
    """Each cancellation, undoing and change of time or place emails every guest: a few a day per
    screening (SCREENING_GUEST_NOTICE_RATE_LIMIT), not a way around the limit on the host's messages."""
    return recipient_limited(
        request, "guest-notices", screening.pk, rate=settings.SCREENING_GUEST_NOTICE_RATE_LIMIT, when_uncounted=False
    )


@private_page
@require_POST
def message_guests(request, token):
    """The host writes to every guest with a place."""
    screening = services.screening_for_token(token, use=True)  # a POST: the host uses the link
    if screening is None:
        return render(request, "events/link_invalid.html", status=404)
    form = HostMessageForm(request.POST)
    manage_url = reverse("events:manage", kwargs={"token": token})
    if screening.is_cancelled or screening.is_past or screening.email_confirmed_at is None:
        return redirect(manage_url)  # the host page says why (or asks to confirm first)
    status = 400
    if form.is_valid():
        if recipient_limited(
            request, "host-message", screening.pk, rate=settings.HOST_MESSAGE_RATE_LIMIT, when_uncounted=False
        ):
            form.add_error(None, TOO_MANY_MESSAGES)
            status = 429
        else:
            sent = services.screening_message_guests(screening=screening, message=form.cleaned_data["message"])
            return redirect(f"{manage_url}?messaged={sent}#guests-heading")
    request.alternate_paths = _token_paths(token)
    return _manage_page(
        request, screening, token, form=HostEditForm(instance=screening), message_form=form, status=status
    )


@private_page
@require_http_methods(["GET", "HEAD", "POST"])
def report(request, token):
    """The host's report after the screening (linked from the email that asks for it)."""
    screening = services.screening_for_report_token(token)
    if screening is None:
        return render(request, "events/link_invalid.html", status=404)
    request.alternate_paths = _token_paths(token, "events:report")
    existing = services.screening_report_of(screening)
    started = screening.starts_at <= timezone.now()
    status = 200
    if request.method == "POST" and started and not screening.is_cancelled:
        form = ScreeningReportForm(request.POST, instance=existing, screening=screening)
        if form.is_valid():
            services.screening_report_save(screening=screening, data=form.cleaned_data)
            return redirect(reverse("events:report", kwargs={"token": token}) + "?saved=1")
        status = 400
    else:
        form = ScreeningReportForm(instance=existing, screening=screening)
    context = {
        "screening": screening,
        "form": form,
        "token": token,
        "started": started,
        "saved": request.GET.get("saved") == "1",
    }
    return render(request, "events/report.html", context, status=status)


def _token_paths(token, name="events:manage"):
    return paths_in_each_language(lambda: reverse(name, kwargs={"token": token}))


@require_http_methods(["GET", "HEAD", "POST"])
def send_link(request):
    sent = False
    status = 200
    if request.method == "POST":
        form = SendLinkForm(request.POST)
        status = 400
        if form.is_valid():
            # Sending links only sends email: without a count it waits rather than mail without limit.
            limited = _limited(request, "send-link", when_uncounted=None)
            if limited is None:
                form.add_error(None, CANNOT_COUNT)
                status = 503
            elif limited:
                form.add_error(None, TOO_MANY)
                status = 429
            else:
                # At most one link email per address every SCREENING_LINK_REQUEST_SECONDS; the same answer either way.
                email = form.cleaned_data["email"]
                if recipient_first_in("events.link-request", email, seconds=settings.SCREENING_LINK_REQUEST_SECONDS):
                    services.screenings_send_links_later(email=email, language=get_language())
                # The same answer whether or not the address is known.
                return redirect(reverse("events:send-link") + "?sent=1")
    else:
        form = SendLinkForm()
        sent = request.GET.get("sent") == "1"
    return render(request, "events/send_link.html", {"form": form, "sent": sent}, status=status)


@require_safe
def tour(request):
    screenings, chosen_format, chosen_country = services.tour_screenings(
        format=request.GET.get("format", ""), country=request.GET.get("country", "")
    )
    page = Paginator(screenings, TOUR_PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode(
        [(name, value) for name, value in (("format", chosen_format), ("country", chosen_country)) if value]
    )
    return render(
        request,
        "events/tour.html",
        {
            "page": page,
            "formats": Screening.Format.choices,
            "chosen_format": chosen_format,
            "chosen_country": chosen_country,
            "country_choices": services.tour_countries(also=chosen_country),
            "filter_query": query,
        },
    )


@require_safe
def screening(request, pk, slug=None):
    """A screening's public page, while it is on the tour; 410 once it is cancelled or over. Its address
    without the title's words (typed from a flyer) or with other words leads to it."""
    screening, gone = _public_screening(request, pk)
    if gone:
        return gone
    if slug != screening.slug:
        return redirect(screening.get_absolute_url(), permanent=True)
    return _screening_page(request, screening, GuestSignUpForm())


def _public_screening(request, pk):
    """(screening, None) while it is on the tour; (screening, the 410 page) once cancelled or over; 404
    for a screening never public."""
    screening, state = services.screening_public(pk=pk)
    if screening is None:
        raise Http404
    if state == services.ScreeningPage.GONE:
        return screening, render(request, "events/screening_gone.html", {"screening": screening}, status=410)
    return screening, None


def _screening_page(request, screening, form, status=200, contact_form=None):
    # Also the answer to the page's forms (at .../join/ and .../contact/, which take only POSTs): its
    # language switch leads to the page itself in the other language.
    request.alternate_paths = _screening_paths(screening)
    # From SITE_URL, as in emails: this address is printed on posters (the QR code) and shared.
    page_url = settings.SITE_URL + screening.get_absolute_url()
    places_left = max(screening.places - services.screening_places_taken(screening), 0)
    context = {
        "screening": screening,
        "page_url": page_url,
        "short_url": settings.SITE_URL + reverse("events:screening-short", kwargs={"pk": screening.pk}),  # the flyer's
        "structured_data": _json_for_script(services.screening_structured_data(screening, page_url=page_url)),
        "google_calendar_url": calendar.google_calendar_url(screening, page_url=page_url),
        "outlook_calendar_url": calendar.outlook_calendar_url(screening, page_url=page_url),
        "qr_code": _qr_svg(page_url),
        "takes_guests": services.screening_takes_guests(screening),
        "places_left": places_left,
        "form": form,
        "contact_form": contact_form or ContactHostForm(),
        "page_has_errors": bool(contact_form and contact_form.errors),  # the title says "Error:"
        "contact_sent": request.GET.get("sent") == "1",
        "confirm_hours": settings.GUEST_CONFIRM_HOURS,
    }
    return render(request, "events/screening.html", context, status=status)


@require_POST
def contact(request, pk):
    """A visitor writes to the host (answered with the page again, the message kept on a refusal)."""
    screening, gone = _public_screening(request, pk)
    if gone:
        return gone
    form = ContactHostForm(request.POST)
    blank = GuestSignUpForm()
    if form.is_spam():
        return redirect(_contact_sent_url(screening))
    if not form.is_valid():
        return _screening_page(request, screening, blank, status=400, contact_form=form)
    if client_limited(request, "contact-host", rate=settings.CONTACT_RATE_LIMIT, when_uncounted=False):
        form.add_error(None, TOO_MANY)
        return _screening_page(request, screening, blank, status=429, contact_form=form)
    if recipient_limited(
        request, "contact-host", screening.pk, rate=settings.CONTACT_HOST_RATE_LIMIT, when_uncounted=False
    ):
        form.add_error(None, HOST_HAS_MANY_MESSAGES)
        return _screening_page(request, screening, blank, status=429, contact_form=form)
    services.host_contact(
        screening=screening,
        name=form.cleaned_data["name"],
        email=form.cleaned_data["email"],
        message=form.cleaned_data["message"],
        language=get_language(),
    )
    # Redirected, so that reloading the answer does not send the message twice.
    return redirect(_contact_sent_url(screening))


def _contact_sent_url(screening):
    return screening.get_absolute_url() + "?sent=1#contact-heading"


def _screening_paths(screening):
    return paths_in_each_language(screening.get_absolute_url)


@require_POST
def join(request, pk):
    """A visitor signs up for a screening from its page (answered with the page again on a refusal)."""
    screening, gone = _public_screening(request, pk)
    if gone:
        return gone
    form = GuestSignUpForm(request.POST)
    if form.is_spam():
        return _signed_up(request, screening, form.data.get("email", ""))
    if not services.screening_takes_guests(screening):
        form.add_error(None, SIGN_UP_CLOSED)
        return _screening_page(request, screening, form, status=409)
    if not form.is_valid():
        return _screening_page(request, screening, form, status=400)
    if client_limited(request, "guest-sign-up", rate=settings.GUEST_RATE_LIMIT, when_uncounted=False):
        form.add_error(None, TOO_MANY)
        return _screening_page(request, screening, form, status=429)
    # However many screenings one address signs up for, it receives at most a few emails an hour; the
    # answer stays the same either way.
    address = address_key(form.cleaned_data["email"])
    may_email = not recipient_limited(
        request, "guest-sign-up", address, rate=settings.GUEST_ADDRESS_RATE_LIMIT, when_uncounted=False
    )
    services.guest_sign_up(
        screening=screening,
        email=address,
        name=form.cleaned_data["name"],
        language=get_language(),
        may_email=may_email,
    )
    return _signed_up(request, screening, form.cleaned_data["email"])


def _signed_up(request, screening, email):
    """The same answer for every address, known or new: the sign-up's state is told only by email."""
    request.is_private_page = True  # it names the address
    request.alternate_paths = _screening_paths(screening)
    response = render(
        request,
        "events/guest_signed_up.html",
        {"screening": screening, "email": email[:254], "confirm_hours": settings.GUEST_CONFIRM_HOURS},
    )
    response["Cache-Control"] = "private, no-store"
    return response


@private_page
@require_http_methods(["GET", "HEAD", "POST"])
def guest(request, token):
    """A guest's private page: confirm the address, see the details once there is a place, cancel."""
    guest = services.guest_for_token(token)
    if guest is None:
        context = {
            "confirm_hours": settings.GUEST_CONFIRM_HOURS,
            "personal_data_days": settings.SCREENING_PERSONAL_DATA_DAYS,
        }
        return render(request, "events/guest_link_invalid.html", context, status=404)
    request.alternate_paths = _token_paths(token, "events:guest")
    page_url = reverse("events:guest", kwargs={"token": token})
    name_form = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("confirm", "name"):
            name_form = GuestNameForm(request.POST)
            if name_form.is_valid():
                # A confirmation sent without the name (from a page older than the field) keeps the name.
                name = name_form.cleaned_data["name"] if "name" in request.POST else None
                if action == "confirm" and guest.status == Guest.Status.UNCONFIRMED:
                    services.guest_confirm(guest, name=name, language=get_language())
                elif name is not None and name != guest.name and not services.guest_rename(guest, name):
                    # Begun, cancelled or left meanwhile (a page open for a while): say so, do not pretend.
                    return redirect(f"{page_url}?done=name-refused")
                return redirect(f"{page_url}?done={action}")
            status = 400  # shown again with what was typed and why it was refused
        elif action == "cancel":
            services.guest_cancel(guest)
            return redirect(f"{page_url}?done=cancel")
        else:
            return redirect(page_url)
    screening = guest.screening
    context = {
        "guest": guest,
        "screening": screening,
        "expired": services.guest_confirmation_expired(guest),
        "open": services.screening_takes_guests(screening),
        "waiting_position": services.guest_waiting_position(guest),
        "done": request.GET.get("done", ""),
        "ask_cancel": request.GET.get("cancel") == "ask",  # the cancellation's question (see guest.html)
        "confirm_hours": settings.GUEST_CONFIRM_HOURS,
        "started": screening.starts_at <= timezone.now(),
        "token": token,
        "can_rename": services.guest_can_rename(guest),
        "name_form": name_form or GuestNameForm(initial={"name": guest.name}),
        "page_has_errors": bool(name_form and name_form.errors),
    }
    return render(request, "events/guest.html", context, status=status)


@private_page
def guest_ics(request, token):
    """The screening with its link or venue, for a guest with a place only."""
    guest = services.guest_for_token(token)
    if guest is None or guest.status != Guest.Status.CONFIRMED or guest.screening.is_cancelled:
        raise Http404
    return _ics_response(calendar.guest_calendar(guest.screening), "screening.ics")


# Characters that could end a <script> element or start a comment in it, written as JSON escapes, so that
# no text a host typed can leave the JSON-LD block (the same escapes as Django's json_script).
_SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def _json_for_script(data):
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_SAFE))  # noqa: S308 - escaped


def _qr_svg(url):
    """The page's address as a QR code, drawn here as inline SVG (for posters and flyers)."""
    code = segno.make(url, error="m")
    # segno escapes the title itself.
    svg = code.svg_inline(title=str(_("QR code of this page")), svgclass="qr-code", lineclass=None, omitsize=True)
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308 - segno's SVG


@require_safe
def tour_feed(request):
    screenings, _format, _country = services.tour_screenings(
        format=request.GET.get("format", ""), country=request.GET.get("country", "")
    )
    body = calendar.screenings_calendar(screenings[:1000])
    return _ics_response(body, "virtual-tour.ics")


@require_safe
def screening_ics(request, pk):
    screening = get_object_or_404(Screening.objects.on_tour(), pk=pk)
    body = calendar.screenings_calendar([screening])
    return _ics_response(body, f"screening-{screening.pk}.ics")


def _ics_response(body, filename):
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
