"""The screenings' rules: registering, the host's private link, the tour, emails and personal data."""

import base64
import hmac
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Least
from django.db.models.sql import Query
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape
from django_countries import countries

from socialdilemma.emailaddress import address_key
from socialdilemma.pagecache import content_changed, per_content_version
from socialdilemma.ratelimit import recipient_first_in, recipient_first_in_forget
from socialdilemma.spreadsheet import csv_lines
from socialdilemma.taskqueue.services import email_enqueue, new_message_id

from .models import ON_TOUR, SCREENING_DURATION, Guest, NetflixTerms, Resource, Screening, ScreeningReport
from .timezones import zone_label

# Fields a host may change on their page; a change to a public one sends the event back to review.
EDITABLE_FIELDS = (
    "host_name",
    "organisation",
    "title",
    "description",
    "accessibility_notes",
    "format",
    "starts_at",
    "timezone",
    "expected_attendees",
    "city",
    "country",
    "online_url",
    "venue_details",
    "places",
    "language",
    "publish_on_tour",
)
# What a guest needs to be there: a change to one of these is emailed to every guest with a place or
# on the waiting list.
GUEST_DETAIL_FIELDS = ("format", "starts_at", "timezone", "city", "country", "online_url", "venue_details")
PUBLIC_FIELDS = (
    "organisation",
    "title",
    "description",
    "accessibility_notes",
    "format",
    "starts_at",
    "timezone",
    "city",
    "country",
)


def terms_current():
    """The Netflix terms version that applies to a registration made now, or None.

    Remembered until the content changes (staff edit terms rarely; every registration needs them), or
    until the next version becomes valid by itself.
    """
    now = timezone.now()
    current, next_valid_from = per_content_version("netflix-terms", _terms_now_and_next)
    if next_valid_from is not None and next_valid_from <= now:
        current, _next = _terms_now_and_next()
    return current


def _terms_now_and_next():
    now = timezone.now()
    current = NetflixTerms.objects.filter(valid_from__lte=now).order_by("-valid_from").first()
    upcoming = (
        NetflixTerms.objects.filter(valid_from__gt=now).order_by("valid_from").values_list("valid_from", flat=True)
    )
    return current, upcoming.first()


def terms_text(terms, language):
    """The exact text of the terms as shown to a host in their language, kept with the registration."""
    with translation.override(language):
        lines = [terms.title, *terms.summary_lines(), terms.official_url]
    return "\n".join(lines)


@dataclass(frozen=True)
class Registration:
    screening: Screening
    duplicate: bool = False


HOST_LINK_RENDERER = "events.emails.host_link"


def screening_register(*, data, terms, language, send_email=True):
    """Save a registration and, in the same transaction, the email with the host's private link (unless
    send_email is False: the address has had too many; its host asks for the link again later).

    The worker sends the email once the registration has committed; a registration that rolls back
    leaves no email, and a mail server that is down or slow never holds up or loses a registration.
    """
    now = timezone.now()
    message_id = new_message_id()
    fingerprint = Screening.fingerprint_of(data)
    try:
        with transaction.atomic():
            screening = Screening.objects.create(
                **data,
                terms=terms,
                terms_accepted_at=now,
                terms_text=terms_text(terms, language),
                distancing_accepted_at=now if data["format"] == Screening.Format.IN_PERSON else None,
                # The link in the email works from the moment the email can arrive.
                token_hash=Screening.hash_token(host_link_token(message_id)),
                fingerprint=fingerprint,
            )
            if send_email:
                _enqueue_link_email(screening, cause="registered", message_id=message_id)
    except IntegrityError:
        # The same registration again (a double submit): the first one stands, its email is on its way.
        existing = Screening.objects.filter(fingerprint=fingerprint).first()
        if existing is None:
            raise  # another constraint, not a duplicate
        return Registration(screening=existing, duplicate=True)
    return Registration(screening=screening)


def host_link_token(message_id):
    """The private link's token carried by the email with this Message-ID.

    Derived (keyed with the site's secret) rather than stored, so that every attempt to send the email
    writes the same link, and the database holds only the token's hash.
    """
    return _keyed_token(f"events.host-link:{message_id}")


def _keyed_token(value):
    """A link token derived from `value` with the site's secret (URL-safe, without padding)."""
    digest = hmac.new(settings.SECRET_KEY.encode(), value.encode(), "sha256").digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _enqueue_link_email(screening, *, cause, message_id=None, new_link=False, kind=None):
    """Queue the email with the host's link. new_link: the email carries a new link, which works beside
    the one the host has until the host uses it (see screening_for_token). kind "report": the email asks
    for the report after the screening and links to its form."""
    suffix = cause if cause == "registered" else f"{cause}:{uuid.uuid4().hex}"
    params = {"screening": screening.pk, "new_link": new_link}
    if kind:
        params["kind"] = kind
    return email_enqueue(
        cause=f"{screening.email_about}:{suffix}",
        renderer=HOST_LINK_RENDERER,
        to=screening.email,
        language=screening.language,
        params=params,
        about=screening.email_about,
        message_id=message_id,
    )


def screening_for_token(token, *, use=False):
    """The screening whose private link carries this token, if the link still works; otherwise None.

    Only hashes of tokens are stored: the link the host uses (token_hash) and the newest one emailed
    (new_token_hash). Using the newest (use: the host sent a form from its page) makes it the one in
    use, and the older one stops working. Opening it changes nothing: mail programs' link scanners and
    previews open links, and anyone may ask for a new link to be sent to the host.
    """
    if not token or len(token) > 100:
        return None
    token_hash = Screening.hash_token(token)
    screening = (
        Screening.objects.filter(Q(token_hash=token_hash) | Q(new_token_hash=token_hash), anonymised_at__isnull=True)
        .select_related("terms")
        .first()
    )
    if screening is None:
        return None
    if hmac.compare_digest(screening.new_token_hash, token_hash):
        if not use:
            return _with_working_link(screening)
        screening.token_hash, screening.new_token_hash = token_hash, ""
        promoted = Screening.objects.filter(pk=screening.pk, new_token_hash=token_hash)
        promoted.update(token_hash=token_hash, new_token_hash="")
    elif not hmac.compare_digest(screening.token_hash, token_hash):
        return None
    return _with_working_link(screening)


def _with_working_link(screening):
    """The screening, while its host's link works (until SCREENING_HOST_LINK_DAYS after it began)."""
    if timezone.now() > screening.starts_at + timedelta(days=settings.SCREENING_HOST_LINK_DAYS):
        return None
    return screening


def screening_confirm_email(screening):
    """Following the private link proves the host reads that mailbox. A screening that staff approved
    before its host confirmed appears on the tour now: the content version is renewed at once."""
    if screening.email_confirmed_at is None:
        screening.email_confirmed_at = timezone.now()
        if screening.status == Screening.Status.REGISTERED:
            screening.status = Screening.Status.CONFIRMED
        screening.save(update_fields=["email_confirmed_at", "status", "updated_at"])
        if screening.shown_on_tour:
            content_changed()


def screening_guest_details_change(screening, data):
    """Whether this edit changes what a guest needs to be there (GUEST_DETAIL_FIELDS) of a screening that
    has not begun and has guests (with a place or on the waiting list): the edit then emails each of them."""
    if screening.starts_at <= timezone.now():
        return False
    if not any(getattr(screening, field) != data[field] for field in GUEST_DETAIL_FIELDS if field in data):
        return False
    return screening_guests_to_tell(screening).exists()


def screening_update(*, screening, data, tell_guests=True):
    """Apply a host's edit. A change to what the tour shows is looked at by staff again: an approved
    screening stays on the tour meanwhile (marked tour_changed_at), one not yet approved waits as before.
    Returns True when the edit changed what the tour shows.

    The screening's row is locked and re-read, and only what the edit decides is written: a guest's
    confirmation, a cancellation in another tab or the reminder's claim made meanwhile stay as they are,
    and the places never drop below the guests who have one. A change of time or place is emailed to the
    guests unless tell_guests is False (the screening's notices for the day are used up).
    """
    was_on_tour = screening.shown_on_tour
    with transaction.atomic():
        current = Screening.objects.select_for_update().get(pk=screening.pk)
        public_changed = any(getattr(current, field) != data[field] for field in PUBLIC_FIELDS if field in data)
        moved = "starts_at" in data and data["starts_at"] != current.starts_at
        details_changed = screening_guest_details_change(current, data)
        tour_choice_changed = "publish_on_tour" in data and data["publish_on_tour"] != current.publish_on_tour
        places_before = current.places
        if "places" in data:
            data = {**data, "places": max(data["places"], screening_places_taken(current))}
        more_places = data.get("places", current.places) > current.places
        changed = [field for field in EDITABLE_FIELDS if field in data]
        for field in changed:
            setattr(current, field, data[field])
        if current.format == Screening.Format.IN_PERSON:
            current.distancing_accepted_at = current.distancing_accepted_at or timezone.now()
            current.online_url = ""
            changed += ["distancing_accepted_at", "online_url"]
        if public_changed and current.tour_status == Screening.TourStatus.APPROVED:
            current.tour_changed_at = timezone.now()
            changed.append("tour_changed_at")
        if moved:
            current.reminded_at = None  # a new start: remind again before it
            changed.append("reminded_at")
        current.save(update_fields=[*dict.fromkeys(changed), "updated_at"])
        if more_places:
            _promote_waiting(current)
        if details_changed and tell_guests:
            _tell_guests(current, "screening_changed")
    for field in Screening._meta.concrete_fields:
        setattr(screening, field.attname, getattr(current, field.attname))
    # Every cached page goes stale with the content version: only for a change that a public page shows.
    places_changed = "places" in data and data["places"] != places_before
    if (was_on_tour and (public_changed or places_changed or tour_choice_changed)) or more_places:
        content_changed()
    return public_changed


def screening_can_cancel(screening, now=None):
    """Until it begins: a screening under way or over took place, and its guests must not be told
    otherwise (nor its report lose its count)."""
    return not screening.is_cancelled and screening.starts_at > (now or timezone.now())


def screening_cancel(screening):
    """The host cancels, until the screening begins; returns whether it did. The same screening may then
    be registered anew: its double-submit fingerprint goes with the cancellation (otherwise the new
    registration would be taken for a double submit of the cancelled one, and nothing would be saved or
    sent)."""
    if not screening_can_cancel(screening):
        return False
    was_on_tour = screening.shown_on_tour
    screening.status = Screening.Status.CANCELLED
    screening.cancelled_at = timezone.now()
    screening.fingerprint = None
    screening.save(update_fields=["status", "cancelled_at", "fingerprint", "updated_at"])
    _tell_guests(screening, "screening_cancelled")
    if was_on_tour:
        content_changed()
    return True


def screening_can_restore(screening, now=None):
    """A cancellation can be undone until the screening starts."""
    return screening.is_cancelled and screening.starts_at > (now or timezone.now())


def screening_restore(screening):
    """Undo the host's cancellation (until the screening starts). Returns True when it was undone.

    The review for the tour stands, so an approved screening is on the tour again at once. Its
    double-submit fingerprint returns unless the host has registered the same screening anew meanwhile.
    """
    if not screening_can_restore(screening):
        return False
    screening.status = Screening.Status.CONFIRMED if screening.email_confirmed_at else Screening.Status.REGISTERED
    screening.cancelled_at = None
    fingerprint = Screening.fingerprint_of(
        {
            "email": screening.email,
            "title": screening.title,
            "starts_at": screening.local_start,  # as the form gave it: in the event's zone
            "format": screening.format,
        }
    )
    if not Screening.objects.filter(fingerprint=fingerprint).exists():
        screening.fingerprint = fingerprint
    screening.save(update_fields=["status", "cancelled_at", "fingerprint", "updated_at"])
    _tell_guests(screening, "screening_restored")
    screening_places_changed(screening)  # places freed while it was cancelled
    if screening.shown_on_tour:
        content_changed()
    return True


def screening_review(*, screenings, approve):
    """Staff decision for the tour. Approval never publishes a screening whose host did not opt in.

    Returns (changed, skipped): the number reviewed and the number skipped for lack of opt-in.
    """
    now = timezone.now()
    status = Screening.TourStatus.APPROVED if approve else Screening.TourStatus.REJECTED
    # A cancelled screening is never reviewed (nor counted as approved): it cannot be on the tour.
    candidates = screenings.filter(anonymised_at__isnull=True).exclude(status=Screening.Status.CANCELLED)
    skipped = candidates.filter(publish_on_tour=False).count() if approve else 0
    if approve:
        candidates = candidates.filter(publish_on_tour=True)
    changed = candidates.update(tour_status=status, tour_reviewed_at=now, tour_changed_at=None, updated_at=now)
    content_changed()
    return changed, skipped


def screenings_with_working_link(queryset=None, now=None):
    """Screenings whose host can still use a private link: not anonymised, not cancelled, not long over."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.SCREENING_HOST_LINK_DAYS)
    queryset = Screening.objects.all() if queryset is None else queryset
    return queryset.filter(anonymised_at__isnull=True, starts_at__gt=cutoff).exclude(status=Screening.Status.CANCELLED)


def screening_resend_link(screening):
    """Queue the host's email again with a new link: worded as the confirmation while the address is
    unconfirmed, as a new link once it is. None when the screening can no longer have one."""
    if not screenings_with_working_link(Screening.objects.filter(pk=screening.pk)).exists():
        return None
    return _enqueue_link_email(screening, cause="resent", new_link=True)


HOST_LINKS_RENDERER = "events.emails.host_links"


def screenings_send_links_to(*, email, language=None):
    """ "Send me my link again" (the worker's task): one email with a new link for every active screening
    of this address whose registration it confirmed, and for its newest registrations not yet confirmed
    (at most SCREENING_UNCONFIRMED_LINKS_PER_EMAIL: anyone may register in a stranger's name, and one
    stranger's registrations must neither hide the host's own unconfirmed one nor make the email endless).
    The email is in `language` (the page's where the link was asked for). Returns the number of links."""
    # Stored as typed: "bücher.example" and "xn--bcher-kva.example" are one mailbox (see address_key).
    key = address_key(email)
    local_part = email.strip().rpartition("@")[0]
    candidates = screenings_with_working_link(Screening.objects.filter(email__istartswith=f"{local_part}@"))
    newest_first = candidates.order_by("-created_at", "-pk")
    active = [screening for screening in newest_first if address_key(screening.email) == key]
    confirmed = [screening for screening in active if screening.email_confirmed_at is not None]
    unconfirmed = [screening for screening in active if screening.email_confirmed_at is None]
    screenings = confirmed + unconfirmed[: settings.SCREENING_UNCONFIRMED_LINKS_PER_EMAIL]
    if not screenings:
        return 0
    # Sent to the address as a confirmed registration spelled it, if there is one: it is known to work.
    first = screenings[0]
    email_enqueue(
        cause=f"{first.email_about}:links:{uuid.uuid4().hex}",
        renderer=HOST_LINKS_RENDERER,
        to=first.email,
        language=language or first.language,
        params={"screenings": [screening.pk for screening in screenings]},
        about=first.email_about,
    )
    return len(screenings)


def screening_pending_link_token(screening):
    """The token of the new link that "send me my link again" (or staff's resend) emails for a screening,
    beside the link in use, until the host uses it (see screening_for_token); its hash is stored before
    the email leaves, so the link works in whichever copy arrives.

    Derived from the link in use (keyed with the site's secret): every request and every attempt to send
    while that link is in use emails the same new link, so a stranger asking again cannot replace one
    the host has opened and kept; once the host uses it, the next request derives another."""
    token = _keyed_token(f"events.host-link:next:{screening.pk}:{screening.token_hash}")
    Screening.objects.filter(pk=screening.pk).update(new_token_hash=Screening.hash_token(token))
    return token


def screenings_send_links_later(*, email, language):
    """Look the address up in the worker, after the answer has gone out, so that neither the answer nor
    its timing tells whether the address is registered."""
    from .tasks import send_host_links

    transaction.on_commit(lambda: send_host_links.enqueue(email, language), robust=True)


LINK_EMAIL_TEMPLATES = {
    "subject": "events/email/link_subject.txt",
    "text": "events/email/link.txt",
    "html": "events/email/link.html",
}
_EMAIL_PLACEHOLDER = re.compile(r"email-value-(name|title|when|zone|link)-5b1e9c")
_link_email_layouts = {}  # (language, kind) -> {part: rendered text with placeholders}


def link_email(screening, *, link, kind):
    """(subject, text, HTML) of the email with a host's private link, in the screening's language.

    The templates are rendered once per language and kind with placeholders for the screening's values,
    which are filled in for each email (escaped in the HTML part): rendering three templates on every
    registration cost more than saving the registration.
    """
    language = screening.language
    with translation.override(language), timezone.override(screening.timezone):
        when = date_format(timezone.localtime(screening.starts_at), "DATETIME_FORMAT")
    values = {
        "name": screening.host_name,
        "title": screening.title,
        "when": when,
        "zone": zone_label(screening.timezone, language),
        "link": link,
    }
    layout = _link_email_layout(language, kind)

    def fill(part, *, html=False):
        return _EMAIL_PLACEHOLDER.sub(lambda match: (escape if html else str)(values[match.group(1)]), layout[part])

    return " ".join(fill("subject").split()), fill("text"), fill("html", html=True)


def _link_email_layout(language, kind):
    layout = _link_email_layouts.get((language, kind))
    if layout is None:
        context = {name: f"email-value-{name}-5b1e9c" for name in ("name", "title", "when", "zone", "link")}
        context.update(kind=kind, language=language)
        with translation.override(language):
            layout = {part: render_to_string(name, context) for part, name in LINK_EMAIL_TEMPLATES.items()}
        _link_email_layouts[(language, kind)] = layout
    return layout


def tour_screenings(*, format="", country=""):
    """The virtual tour, soonest first, optionally of one format and one country.

    Returns the screenings and the filters actually applied (unknown values are ignored). Only the
    fields the tour shows are loaded: never an email address or an online link.
    """
    screenings = Screening.objects.on_tour().only(
        "id", "title", "organisation", "format", "starts_at", "timezone", "city", "country", "language"
    )
    format = format if format in Screening.Format.values else ""
    country = country.upper() if country and country.upper() in dict(countries) else ""
    if format:
        screenings = screenings.filter(format=format)
    if country:
        screenings = screenings.filter(country=country)
    return screenings.order_by("starts_at", "id"), format, country


def tour_countries(now=None, also=""):
    """(code, name) of the countries that have screenings on the tour, by name, and the country `also`
    (the visitor's chosen filter, which an old or shared address may name after its last screening left
    the tour: the form must show what the page filters by).

    A DISTINCT over the tour would read every screening on it. Instead, the tour's country index is
    walked from one country to the next (a loose index scan), and each country is asked for one upcoming
    screening: two index probes per country, however many screenings there are.
    """
    names = dict(countries)
    table = connection.ops.quote_name(Screening._meta.db_table)
    on_tour, params = _where_sql(ON_TOUR)
    after = (now or timezone.now()) - SCREENING_DURATION
    # "country > ''" in every probe lets PostgreSQL prove that the index's condition holds.
    tour = f"{table} WHERE {on_tour} AND country > ''"
    # Only names (the table's, from the model) and Django's own compilation of ON_TOUR are formatted in;
    # every value is a parameter.
    sql = f"""
        WITH RECURSIVE listed(code) AS (
            SELECT (SELECT country FROM {tour} ORDER BY country LIMIT 1)
            UNION ALL
            SELECT (SELECT country FROM {tour} AND country > listed.code ORDER BY country LIMIT 1)
            FROM listed WHERE listed.code IS NOT NULL
        )
        SELECT code FROM listed
        WHERE (SELECT true FROM {tour} AND country = listed.code AND starts_at > %s LIMIT 1)
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *params, *params, after])
        codes = [code for (code,) in cursor.fetchall()]
    if also in names and also not in codes:
        codes.append(also)
    return sorted(((code, names.get(code, code)) for code in codes), key=lambda country: _sort_key(country[1]))


def _sort_key(name):
    """Alphabetical as a reader expects it: "Österreich" among the O, not after "Zypern"."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


def _where_sql(condition):
    """SQL and parameters of a Q on Screening, with bare column names (as in an index's condition)."""
    query = Query(Screening, alias_cols=False)
    compiler = query.get_compiler(connection=connection)
    return query.build_where(condition).as_sql(compiler, connection)


def resources_public(today=None):
    """Published resources for everyone (the public resources page); each knows whether it is available yet."""
    return _with_availability(Resource.objects.filter(audience=Resource.Audience.EVERYONE), today)


def resources_for_hosts(today=None):
    """Published resources; each knows whether it is available yet."""
    return _with_availability(Resource.objects.all(), today)


def _with_availability(resources, today):
    today = today or timezone.localdate()
    return [(resource, resource.is_available(today)) for resource in resources.filter(published=True)]


def screenings_remove_unconfirmed(*, days=None, now=None):
    """Delete registrations whose address was never confirmed, `days` after they were made.

    Nobody confirmed them: they grant no permission, count nowhere and are on no tour, and anyone may make
    one in a stranger's name. Keeping them would keep that address (and let "send me my link again" mail
    it) until long after their screening's date. Returns the number deleted.
    """
    days = settings.SCREENING_UNCONFIRMED_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted, _by_model = Screening.objects.filter(email_confirmed_at__isnull=True, created_at__lt=cutoff).delete()
    return deleted


def screenings_remove_personal_data(*, days=None, now=None):
    """Remove hosts' personal data from screenings that ended more than `days` ago.

    What remains (format, start, time zone, attendee count, city, country, language, statuses) only
    counts screenings; it no longer says who hosted them. Returns the number of screenings cleared.
    """
    days = settings.SCREENING_PERSONAL_DATA_DAYS if days is None else days
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    cleared = Screening.objects.filter(anonymised_at__isnull=True, starts_at__lt=cutoff).update(
        host_name="",
        email="",
        organisation="",
        title="",
        description="",
        accessibility_notes="",
        venue_details="",
        online_url="",
        token_hash="",
        new_token_hash="",
        fingerprint=None,
        publish_on_tour=False,
        anonymised_at=now,
        updated_at=now,
    )
    # What the host wrote in the report may name people: it goes too, except a story the host allowed
    # the campaign to quote (without a name). Counts and ratings stay.
    ScreeningReport.objects.filter(screening__starts_at__lt=cutoff).exclude(what_worked="", story="").update(
        what_worked=""
    )
    ScreeningReport.objects.filter(screening__starts_at__lt=cutoff, may_quote=False).exclude(story="").update(story="")
    # Guests' addresses and names go with the host's; their statuses stay, as counts.
    Guest.objects.filter(screening__starts_at__lt=cutoff).exclude(email="").update(
        email="", name="", link_key="", token_hash=""
    )
    content_changed()
    return cleared


CSV_COLUMNS = [
    ("id", "pk"),
    ("title", "title"),
    ("host_name", "host_name"),
    ("email", "email"),
    ("organisation", "organisation"),
    ("format", "format"),
    ("starts_at_utc", "starts_at"),
    ("timezone", "timezone"),
    ("expected_attendees", "expected_attendees"),
    ("places", "places"),
    ("guests_with_place", "guests_with_place"),
    ("guests_waiting", "guests_waiting"),
    ("city", "city"),
    ("country", "country"),
    ("language", "language"),
    ("status", "status"),
    ("publish_on_tour", "publish_on_tour"),
    ("tour_status", "tour_status"),
    ("terms_version", "terms__version"),
    ("terms_accepted_at", "terms_accepted_at"),
    ("registered_at", "created_at"),
]


def _guest_count(status):
    counted = (
        Guest.objects.filter(screening=OuterRef("pk"), status=status)
        .order_by()
        .values("screening")
        .annotate(number=Count("pk"))
        .values("number")
    )
    return Coalesce(Subquery(counted), 0)


def guests_with_place_count():
    """An annotation: the screening's guests with a place (a subquery, so a list of screenings stays
    one query whatever their number)."""
    return _guest_count(Guest.Status.CONFIRMED)


def screenings_csv_rows(queryset):
    """The lines of the screenings' CSV export (see socialdilemma.spreadsheet)."""
    # Counts of guests only: their addresses are never exported.
    queryset = queryset.annotate(
        guests_with_place=guests_with_place_count(), guests_waiting=_guest_count(Guest.Status.WAITING)
    )
    values = queryset.order_by("pk").values_list(*[field for _header, field in CSV_COLUMNS])
    return csv_lines([header for header, _field in CSV_COLUMNS], values.iterator(chunk_size=2000))


class ScreeningPage:
    """What a screening's public page answers: SHOWN (on the tour), GONE (it was, but is cancelled, over or
    anonymised: 410) or None (never public, or rejected: 404)."""

    SHOWN = "shown"
    GONE = "gone"


def screening_public(*, pk):
    """(screening, ScreeningPage state) for the public page of screening pk; (None, None) if never public."""
    screening = Screening.objects.filter(pk=pk, tour_status=Screening.TourStatus.APPROVED).first()
    if screening is None:
        return None, None
    if Screening.objects.on_tour().filter(pk=pk).exists():
        return screening, ScreeningPage.SHOWN
    was_public = screening.publish_on_tour or screening.anonymised_at is not None
    ended = screening.is_cancelled or screening.is_past or screening.anonymised_at is not None
    if was_public and ended and screening.email_confirmed_at is not None:
        return screening, ScreeningPage.GONE
    return None, None


def screening_structured_data(screening, *, page_url):
    """schema.org Event for search engines and calendars: what the page shows, nothing private."""
    start = screening.local_start
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": screening.title,
        "startDate": start.isoformat(),
        "endDate": (start + SCREENING_DURATION).isoformat(),
        "eventStatus": "https://schema.org/EventScheduled",
        "url": page_url,
        "inLanguage": screening.language,
        "isAccessibleForFree": True,
        "workFeatured": {"@type": "Movie", "name": translation.gettext("The Social Dilemma")},
    }
    if screening.description:
        data["description"] = screening.description
    if screening.format == Screening.Format.VIRTUAL:
        data["eventAttendanceMode"] = "https://schema.org/OnlineEventAttendanceMode"
        # The online link itself is only for the host and confirmed guests: the page stands in for it.
        data["location"] = {"@type": "VirtualLocation", "url": page_url}
    else:
        data["eventAttendanceMode"] = "https://schema.org/OfflineEventAttendanceMode"
        data["location"] = {
            "@type": "Place",
            "name": screening.city,
            "address": {
                "@type": "PostalAddress",
                "addressLocality": screening.city,
                "addressCountry": screening.country.code if screening.country else "",
            },
        }
    if screening.organisation:
        data["organizer"] = {"@type": "Organization", "name": screening.organisation}
    return data


# --- Guests -----------------------------------------------------------------------------------------

GUEST_EMAIL_RENDERER = "events.emails.guest_email"


def guest_link_token(link_key):
    """The guest's private link token, derived from the guest's link key with the site's secret."""
    return _keyed_token(f"events.guest-link:{link_key}")


def guest_for_token(token):
    if not token or len(token) > 100:
        return None
    return Guest.objects.select_related("screening").filter(token_hash=Screening.hash_token(token)).first()


def screening_places_taken(screening):
    return screening.guests.filter(status=Guest.Status.CONFIRMED).count()


def screening_guest_counts(screening):
    """{status: number of guests} for the host page and the screening page."""
    counts = dict(screening.guests.values_list("status").annotate(number=Count("pk")))
    return {status: counts.get(status, 0) for status in Guest.Status.values}


def screening_guest_lists(screening):
    """For the host page: guests with a place and those waiting, by name only (never an address)."""
    guests = list(
        screening.guests.filter(status__in=[Guest.Status.CONFIRMED, Guest.Status.WAITING])
        .order_by("confirmed_at", "pk")
        .only("name", "status")
    )
    return {
        "confirmed": [guest for guest in guests if guest.status == Guest.Status.CONFIRMED],
        "waiting": [guest for guest in guests if guest.status == Guest.Status.WAITING],
    }


def screening_takes_guests(screening, now=None):
    """Whether visitors can sign up now: on the tour, not begun, and the host offers places."""
    now = now or timezone.now()
    return (
        screening.places > 0
        and screening.starts_at > now
        and Screening.objects.on_tour(now).filter(pk=screening.pk).exists()
    )


def guest_confirmation_expired(guest, now=None):
    deadline = guest.created_at + timedelta(hours=settings.GUEST_CONFIRM_HOURS)
    return guest.status == Guest.Status.UNCONFIRMED and (now or timezone.now()) > deadline


def guest_sign_up(*, screening, email, name, language, may_email=True):
    """Sign a visitor up for a screening; the place comes with the confirmation (see Guest).

    The same address again is the same sign-up and gets the same answer: an unconfirmed one is asked
    again to confirm, a confirmed one gets its link again, a cancelled one starts anew. Whoever signs up,
    one address receives at most one such email per screening per GUEST_EMAIL_INTERVAL_SECONDS, and none
    when the caller says it has had too many (may_email: the per-address limit across screenings).
    """
    email = address_key(email)
    now = timezone.now()
    link_key = uuid.uuid4().hex
    with transaction.atomic():
        # Locked if it exists; created otherwise. The same address at the same moment: that sign-up stands.
        guest, created = Guest.objects.select_for_update().get_or_create(
            screening=screening,
            email=email,
            defaults={
                "name": name,
                "language": language,
                "conduct_accepted_at": now,
                "link_key": link_key,
                "token_hash": Screening.hash_token(guest_link_token(link_key)),
            },
        )
        if not created and (guest.status == Guest.Status.CANCELLED or guest_confirmation_expired(guest, now)):
            guest.status = Guest.Status.UNCONFIRMED
            guest.created_at = now
            guest.confirmed_at = guest.cancelled_at = None
            guest.name, guest.language, guest.conduct_accepted_at = name, language, now
            guest.save()
        first_in = recipient_first_in(
            _guest_email_purpose(screening), email, seconds=settings.GUEST_EMAIL_INTERVAL_SECONDS
        )
        if may_email and first_in:
            _enqueue_guest_email(guest, "confirm" if guest.status == Guest.Status.UNCONFIRMED else "link")
    return guest


def _guest_email_purpose(screening):
    return f"guest-sign-up:{screening.pk}"


def guest_confirm(guest, now=None, *, name=None, language=None):
    """The guest confirms the address: a place while one is free, else the waiting list.

    name and language, when given, are the ones the owner of the address chose while confirming: they
    replace what whoever signed the address up typed. The screening's row is locked, so simultaneous
    confirmations take places one after the other and the screening is never overbooked. Returns the
    guest as it is now.
    """
    now = now or timezone.now()
    with transaction.atomic():
        screening = Screening.objects.select_for_update().get(pk=guest.screening_id)
        guest = Guest.objects.select_for_update().get(pk=guest.pk)
        if guest.status != Guest.Status.UNCONFIRMED or guest_confirmation_expired(guest, now):
            return guest
        if not screening_takes_guests(screening, now):
            return guest
        guest.confirmed_at = now
        has_place = screening_places_taken(screening) < screening.places
        guest.status = Guest.Status.CONFIRMED if has_place else Guest.Status.WAITING
        if name is not None:
            guest.name = name
        if language is not None:
            guest.language = language
        guest.save(update_fields=["status", "confirmed_at", "name", "language"])
        _enqueue_guest_email(guest, "place" if has_place else "waiting")
    content_changed()  # places left
    return guest


def guest_can_rename(guest, now=None):
    """The guest's name can be changed while the guest is signed up and the screening is still ahead."""
    screening = guest.screening
    signed_up = guest.status in (Guest.Status.UNCONFIRMED, Guest.Status.CONFIRMED, Guest.Status.WAITING)
    return signed_up and not screening.is_cancelled and screening.starts_at > (now or timezone.now())


def guest_rename(guest, name):
    """The guest changes the name the host sees. Returns whether it was changed."""
    if not guest_can_rename(guest):
        return False
    changed = Guest.objects.filter(pk=guest.pk).exclude(status=Guest.Status.CANCELLED).update(name=name)
    guest.name = name
    return changed == 1


def guest_cancel(guest, now=None):
    """The guest cancels (until the screening starts); a freed place goes to the first guest waiting,
    who is told by email. The address and name are removed at once: nothing more is sent to them, and
    signing up again starts a new sign-up."""
    now = now or timezone.now()
    with transaction.atomic():
        screening = Screening.objects.select_for_update().get(pk=guest.screening_id)
        guest = Guest.objects.select_for_update().get(pk=guest.pk)
        if guest.status == Guest.Status.CANCELLED or screening.starts_at <= now:
            return guest
        # The guest's own link proves the address: signing up again at once gets its email (otherwise
        # held back as a repeat for GUEST_EMAIL_INTERVAL_SECONDS).
        recipient_first_in_forget(_guest_email_purpose(screening), guest.email)
        guest.status = Guest.Status.CANCELLED
        guest.cancelled_at = now
        guest.email = guest.name = ""
        guest.save(update_fields=["status", "cancelled_at", "email", "name"])
        _promote_waiting(screening)
    content_changed()
    return guest


def _promote_waiting(screening):
    """Give free places to waiting guests in the order they confirmed. The caller holds the screening's lock."""
    free = screening.places - screening_places_taken(screening)
    if free <= 0 or screening.is_cancelled or screening.starts_at <= timezone.now():
        return []
    moved = list(screening.guests.filter(status=Guest.Status.WAITING).order_by("confirmed_at", "pk")[:free])
    for guest in moved:
        guest.status = Guest.Status.CONFIRMED
        guest.save(update_fields=["status"])
        _enqueue_guest_email(guest, "moved_up")
    return moved


def guest_waiting_position(guest):
    """1 for the first guest on the waiting list, and so on; None for a guest not waiting."""
    if guest.status != Guest.Status.WAITING:
        return None
    ahead = guest.screening.guests.filter(status=Guest.Status.WAITING).filter(
        Q(confirmed_at__lt=guest.confirmed_at) | Q(confirmed_at=guest.confirmed_at, pk__lt=guest.pk)
    )
    return ahead.count() + 1


def screening_places_changed(screening):
    """After the host offers more places, waiting guests move up."""
    with transaction.atomic():
        locked = Screening.objects.select_for_update().get(pk=screening.pk)
        moved = _promote_waiting(locked)
    if moved:
        content_changed()
    return moved


def screening_guests_to_tell(screening):
    """The guests a host's cancellation, its undoing or a change of time or place is emailed to: those
    with a place and those on the waiting list."""
    return screening.guests.filter(status__in=[Guest.Status.CONFIRMED, Guest.Status.WAITING])


def _tell_guests(screening, kind):
    """Tell every guest with a place or on the waiting list (the host cancelled, undid it, or changed the
    time or the place)."""
    for guest in screening_guests_to_tell(screening):
        _enqueue_guest_email(guest, kind)


def _enqueue_guest_email(guest, kind, **params):
    return email_enqueue(
        cause=f"{guest.email_about}:{kind}:{uuid.uuid4().hex}",
        renderer=GUEST_EMAIL_RENDERER,
        to=guest.email,
        language=guest.language,
        params={"guest": guest.pk, "kind": kind, **params},
        about=guest.email_about,
    )


def guests_remove_unconfirmed(now=None):
    """Remove sign-ups whose address was not confirmed in time (GUEST_CONFIRM_HOURS). Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.GUEST_CONFIRM_HOURS)
    deleted, _by_model = Guest.objects.filter(status=Guest.Status.UNCONFIRMED, created_at__lt=cutoff).delete()
    return deleted


# --- Messages and reminders ------------------------------------------------------------------------

HOST_EMAIL_RENDERER = "events.emails.host_email"


def host_contact(*, screening, name, email, message, language):
    """A visitor writes to the host from the screening's page. The email goes to the host with the
    visitor's address as Reply-To (the form says so): the host answers directly if they wish, and only
    then does the visitor learn the host's address."""
    return email_enqueue(
        cause=f"{screening.email_about}:contact:{uuid.uuid4().hex}",
        renderer=HOST_EMAIL_RENDERER,
        to=screening.email,
        language=screening.language,
        params={
            "screening": screening.pk,
            "kind": "contact",
            "name": name,
            "reply_to": email,
            "message": message,
            "visitor_language": language,
        },
        about=screening.email_about,
    )


def screening_message_guests(*, screening, message):
    """The host writes to every guest with a place; the site sends it, so neither side sees the other's
    address. Returns how many guests it goes to."""
    guests = list(screening.guests.filter(status=Guest.Status.CONFIRMED))
    with transaction.atomic():
        for guest in guests:
            _enqueue_guest_email(guest, "host_message", message=message)
    return len(guests)


def screenings_send_reminders(now=None):
    """Remind the host and the guests with a place of each screening that starts within
    REMINDER_HOURS_BEFORE. Each screening is claimed once (reminded_at), also with several schedulers;
    returns the number of screenings reminded."""
    now = now or timezone.now()
    due = Screening.objects.filter(
        status=Screening.Status.CONFIRMED,
        reminded_at__isnull=True,
        anonymised_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + timedelta(hours=settings.REMINDER_HOURS_BEFORE),
    )
    reminded = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            if not Screening.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
                continue  # another scheduler took it
            screening = Screening.objects.get(pk=pk)
            email_enqueue(
                # One per claim: a screening moved after its reminder is claimed, and reminded, again.
                cause=f"{screening.email_about}:reminder:{now.isoformat()}",
                renderer=HOST_EMAIL_RENDERER,
                to=screening.email,
                language=screening.language,
                params={"screening": screening.pk, "kind": "reminder"},
                about=screening.email_about,
            )
            for guest in screening.guests.filter(status=Guest.Status.CONFIRMED):
                _enqueue_guest_email(guest, "reminder")
        reminded += 1
    return reminded


# --- After the screening: the host's report, and the campaign's totals ------------------------------

# The report is asked for an hour after a screening ends, for screenings that ended in the last week (not
# for every old screening at once when this first runs).
REPORT_ASKED_AFTER = timedelta(hours=1)
REPORT_ASKED_WITHIN = timedelta(days=7)
CAMPAIGN_TOTALS_SECONDS = 10 * 60


def screenings_request_reports(now=None):
    """Email each host whose screening has ended a link to the report form, once. Returns how many."""
    now = now or timezone.now()
    ended_before = now - SCREENING_DURATION - REPORT_ASKED_AFTER
    due = Screening.objects.filter(
        status=Screening.Status.CONFIRMED,
        report_requested_at__isnull=True,
        anonymised_at__isnull=True,
        starts_at__lte=ended_before,
        starts_at__gt=ended_before - REPORT_ASKED_WITHIN,
    )
    requested = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            if not Screening.objects.filter(pk=pk, report_requested_at__isnull=True).update(report_requested_at=now):
                continue
            _enqueue_link_email(Screening.objects.get(pk=pk), cause="report", kind="report")
        requested += 1
    return requested


REPORT_SIGNING_NAMESPACE = "events.report"


def report_token(screening):
    """The report form's link: signed with the site's secret, so that it needs no stored token and
    leaves the host's own link (token_hash, new_token_hash) alone."""
    return signing.dumps(screening.pk, salt=REPORT_SIGNING_NAMESPACE)


def screening_for_report_token(token):
    """The screening of a report link, while its host link would work; otherwise None."""
    try:
        pk = signing.loads(
            token, salt=REPORT_SIGNING_NAMESPACE, max_age=timedelta(days=settings.SCREENING_HOST_LINK_DAYS + 7)
        )
    except signing.BadSignature:
        return None
    return Screening.objects.filter(pk=pk, anonymised_at__isnull=True).first()


def screening_report_of(screening):
    return ScreeningReport.objects.filter(screening=screening).first()


def screening_report_save(*, screening, data):
    """Save (or correct) the host's report. A report staff counted in the public figures leaves them when
    its number of people changes, until staff have looked again."""
    with transaction.atomic():
        before = ScreeningReport.objects.select_for_update().filter(screening=screening).first()
        if before is not None and before.attendees != data.get("attendees", before.attendees):
            data = {**data, "counted": False}
        report, _created = ScreeningReport.objects.update_or_create(screening=screening, defaults=data)
    cache.delete(CAMPAIGN_TOTALS_KEY)
    return report


def reports_count(reports, *, counted):
    """Staff count these reports in the public figures (counted=True) or take them out. Returns how many changed."""
    changed = reports.exclude(counted=counted).update(counted=counted)
    cache.delete(CAMPAIGN_TOTALS_KEY)
    content_changed()  # the home page shows the figures
    return changed


CAMPAIGN_TOTALS_KEY = "events:campaign-totals"


def campaign_totals():
    """Aggregates for the home page and the admin: screenings registered (address confirmed), and from
    the hosts' reports the screenings held, the people reached and their countries: counted only as
    reported, so that nobody can inflate them by registering, and only from reports staff have read and
    counted (anyone can register a screening and report any number). Kept CAMPAIGN_TOTALS_SECONDS in the
    shared cache."""
    totals = cache.get(CAMPAIGN_TOTALS_KEY)
    if totals is None:
        totals = _campaign_totals_now()
        cache.set(CAMPAIGN_TOTALS_KEY, totals, CAMPAIGN_TOTALS_SECONDS)
    return totals


def _people_counted():
    """A report's people as the figures count them: in person, at most the small group the permission
    allows (SCREENING_MAX_IN_PERSON), whatever a report from before that rule or a later change of format says."""
    in_person = Q(format=Screening.Format.IN_PERSON)
    limit = Value(settings.SCREENING_MAX_IN_PERSON)
    return Case(When(in_person, then=Least(F("report__attendees"), limit)), default=F("report__attendees"))


def _campaign_totals_now(now=None):
    now = now or timezone.now()
    confirmed = Screening.objects.filter(status=Screening.Status.CONFIRMED)
    held = confirmed.filter(starts_at__lte=now, report__attendees__gt=0, report__counted=True)
    return {
        "registered": confirmed.count(),
        "held": held.count(),
        "people": held.aggregate(people=Coalesce(Sum(_people_counted()), 0))["people"],
        "countries": held.exclude(country="").values("country").distinct().count(),
    }
