import copy
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, URLValidator
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries import countries

from socialdilemma.emailaddress import OrdinaryEmailField
from socialdilemma.forms import ErrorSummaryMixin

from . import timezones
from .models import Screening, ScreeningReport
from .services import EDITABLE_FIELDS
from .widgets import LongSelect, TimeZoneSelect


def country_choices():
    return [("", _("– choose –")), *countries]


# What a browser's date and time input sends, and what a person types where the browser shows a plain
# text box instead (the German example in the error message is written the German way).
DATETIME_LOCAL_FORMATS = (
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y, %H:%M",
    "%d/%m/%Y %H:%M",
)
# The form's fields that are stored on the screening as they are: what a host may edit later, and the
# email address, which is fixed once registered.
STORED_FIELDS = ("email", *EDITABLE_FIELDS)


# C0 and C1 control characters, and Unicode's own line and paragraph separators.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def no_control_characters(value):
    """Single-line fields take no line breaks or control characters (they end up in email headers)."""
    if CONTROL_CHARACTERS.search(value):
        raise forms.ValidationError(_("Please use a single line without special control characters."), code="control")


SINGLE_LINE_FIELDS = ("host_name", "organisation", "title", "city")


class LongChoiceField(forms.ChoiceField):
    """A choice among hundreds (time zones, countries), validated with a set instead of a list scan.

    Its choices are a callable (so forms do not deep-copy them); the valid keys are computed once.
    """

    _valid_keys = {}

    def valid_value(self, value):
        keys = self._valid_keys.get(self._choices_source)
        if keys is None:
            keys = self._valid_keys[self._choices_source] = {str(key) for key, _label in self.choices}
        return str(value) in keys

    def __init__(self, *, choices, **kwargs):
        super().__init__(choices=choices, **kwargs)
        self._choices_source = choices


class TimeZoneField(forms.ChoiceField):
    """A zone of the curated list (events.timezones), labelled in the form's language.

    Its choices are set per language (and reordered per form when the country is known); validity does
    not depend on them: a listed zone, or the zone the screening already has.
    """

    widget = TimeZoneSelect

    def __init__(self, **kwargs):
        super().__init__(choices=(), **kwargs)
        self.kept_zone = ""

    def valid_value(self, value):
        return timezones.is_listed(value) or (bool(value) and value == self.kept_zone)


class SharedFields(dict):
    """A form's fields, prepared once and then shared by every form of that kind and language.

    Django gives each form a deep copy of its fields, in case a form changes one; for the registration
    form that copy was a fifth of the work of taking a registration. These forms never change a field
    after preparing it (a form may leave one out: its own dictionary is a copy), so the "deep copy"
    Django asks for is a new dictionary of the same fields.
    """

    def __deepcopy__(self, memo):
        return dict(self)


class WebAddressField(forms.URLField):
    """An address of the web (https or http), checked once: a URLField's own check also allows ftp."""

    default_validators = [URLValidator(schemes=["https", "http"])]


class LocalDateTimeField(forms.Field):
    """A wall-clock date and time from <input type="datetime-local">, without a time zone yet.

    The form attaches the event's own time zone, which the host chooses in the same form.
    """

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    default_error_messages = {"invalid": _("Please enter a date and time, e.g. %(example)s.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        for fmt in DATETIME_LOCAL_FORMATS:
            try:
                return datetime.strptime(str(value).strip(), fmt)
            except ValueError:
                continue
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid", params={"example": _example()})


def _example():
    """A date and time a month ahead, as the reader writes it: 24.12.2026 19:30 or 2026-12-24 19:30."""
    day = timezone.localdate() + timedelta(days=30)
    return day.strftime("%d.%m.%Y 19:30" if translation.get_language() == "de" else "%Y-%m-%d 19:30")


def _in_person_limit_hint():
    return _("In-person screenings: at most %(limit)d people.") % {"limit": settings.SCREENING_MAX_IN_PERSON}


# The hint under the number of attendees (tied to it by aria-describedby), read when it is shown.
in_person_limit_hint = lazy(_in_person_limit_hint, str)


class ScreeningForm(ErrorSummaryMixin, forms.Form):
    """The registration form. Its field names are part of the site's contract."""

    summary_names = {
        "organisation": _("Organisation"),
        "description": _("Description"),
        "accessibility_notes": _("Accessibility"),
        "online_url": _("Online link"),
        "places": _("Places"),
        "venue_details": _("Venue details"),
        "language": _("Language"),
        "publish_on_tour": _("Virtual tour"),
        "accept_terms": _("Netflix's terms"),
        "accept_distancing": _("Distancing"),
    }

    host_name = forms.CharField(label=_("Your name"), max_length=120)
    email = OrdinaryEmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("We send the link to your host page here. It is never published."),
    )
    organisation = forms.CharField(label=_("Organisation (optional)"), max_length=200, required=False)
    title = forms.CharField(label=_("Title of the screening"), max_length=200)
    description = forms.CharField(
        label=_("Description (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    accessibility_notes = forms.CharField(
        label=_("Accessibility (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example step-free access, subtitles or sign language. Shown on the screening's page."),
    )
    format = forms.ChoiceField(label=_("Format"), choices=Screening.Format.choices, widget=forms.RadioSelect)
    starts_at = LocalDateTimeField(
        label=_("Date and start time"), help_text=_("Local time in the screening's time zone.")
    )
    timezone = TimeZoneField(label=_("Time zone"), initial="Europe/Berlin")
    expected_attendees = forms.IntegerField(
        label=_("Expected attendees"), min_value=1, max_value=100_000, help_text=in_person_limit_hint()
    )
    places = forms.IntegerField(
        label=_("Places for guests who sign up on this site (optional)"),
        min_value=0,
        max_value=100_000,
        required=False,
        help_text=_(
            "Visitors of the virtual tour can sign up on your screening's page. At most your expected "
            "attendees; empty: as many; 0: no sign-ups."
        ),
    )
    city = forms.CharField(
        label=_("City"), max_length=100, required=False, help_text=_("Required for in-person screenings.")
    )
    country = LongChoiceField(
        label=_("Country"),
        choices=country_choices,
        required=False,
        help_text=_("Required for in-person screenings."),
        widget=LongSelect,
    )
    online_url = WebAddressField(
        assume_scheme="https",
        label=_("Link to the online screening (optional)"),
        max_length=500,
        required=False,
        help_text=_("Virtual screenings only. Shown only to you, never on the virtual tour."),
    )
    venue_details = forms.CharField(
        label=_("Venue details for your guests (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("In-person screenings: the address and how to get in. Shown only to guests with a place."),
    )
    language = forms.ChoiceField(label=_("Language of the screening and of our emails"), choices=settings.LANGUAGES)
    publish_on_tour = forms.BooleanField(
        label=_("Publish my screening on the virtual tour (title, date, format, city, country, organisation)."),
        required=False,
    )
    accept_terms = forms.BooleanField(
        label=_("I accept Netflix's terms for this one-time screening, as summarised above."),
        error_messages={"required": _("Please accept Netflix's terms: they are the condition of the permission.")},
    )
    accept_distancing = forms.BooleanField(
        label=_("For an in-person screening: we meet as a small group and keep strict distancing."),
        required=False,
    )
    # Invisible to people; bots fill it in. A filled-in form is not saved.
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)

    def __init__(self, *args, language="de", instance=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        # Read by Django's form in place of the class's fields (see SharedFields).
        self.base_fields = self._shared_fields(language)
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.language = language
        self._arrange_time_zones()

    def _arrange_time_zones(self):
        """The zones of the chosen country first; a screening's own zone stays choosable even if the
        curated list no longer has it. Only this form's copy of the field changes."""
        if self.is_bound:
            country = self.data.get("country") or ""
        elif self.instance is not None and self.instance.country:
            country = self.instance.country.code
        else:
            country = ""
        kept_zone = self.instance.timezone if self.instance is not None else ""
        if not country and timezones.is_listed(kept_zone or "UTC"):
            return
        field = copy.copy(self.fields["timezone"])
        field.widget = copy.copy(field.widget)
        field.kept_zone = kept_zone
        field.choices = timezones.zone_choices_for(self.language, country=str(country), current=kept_zone)
        self.fields["timezone"] = field

    _prepared_fields = {}  # (form class, language) -> SharedFields

    @classmethod
    def _shared_fields(cls, language):
        shared = cls._prepared_fields.get((cls, language))
        if shared is None:
            fields = copy.deepcopy(cls.base_fields)
            fields["language"].initial = language
            fields["timezone"].choices = timezones.zone_choices(language)
            fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
            for name in SINGLE_LINE_FIELDS:
                fields[name].validators.append(no_control_characters)
            for name in ("host_name", "email", "title", "expected_attendees", "starts_at"):
                fields[name].widget.attrs["required"] = True
            fields["host_name"].widget.attrs["autocomplete"] = "name"
            fields["email"].widget.attrs["autocomplete"] = "email"
            fields["organisation"].widget.attrs["autocomplete"] = "organization"
            shared = cls._prepared_fields[(cls, language)] = SharedFields(fields)
        return shared

    def is_spam(self):
        return bool(self.data.get("website"))

    def clean(self):
        cleaned = super().clean()
        self._clean_start(cleaned)
        self._clean_places(cleaned)
        in_person = cleaned.get("format") == Screening.Format.IN_PERSON
        attendees = cleaned.get("expected_attendees")
        if in_person:
            limit = settings.SCREENING_MAX_IN_PERSON
            if attendees and attendees > limit:
                self.add_error(
                    "expected_attendees",
                    _("In-person screenings are for small groups of at most %(limit)d people.") % {"limit": limit},
                )
            if not cleaned.get("accept_distancing"):
                self.add_error("accept_distancing", _("In-person screenings need strict distancing: please confirm."))
            if not cleaned.get("city"):
                self.add_error("city", _("Please enter the city of your in-person screening."))
            if not cleaned.get("country"):
                self.add_error("country", _("Please choose the country of your in-person screening."))
            if cleaned.get("online_url"):
                self.add_error("online_url", _("An online link is only for virtual screenings."))
            self._clean_zone_in_country(cleaned)
        return cleaned

    def _clean_places(self, cleaned):
        attendees = cleaned.get("expected_attendees")
        if attendees is None:
            return
        if cleaned.get("places") is None:
            cleaned["places"] = attendees
        elif cleaned["places"] > attendees:
            self.add_error(
                "places",
                _("At most your expected attendees (%(number)d), your own group included.") % {"number": attendees},
            )

    def _clean_zone_in_country(self, cleaned):
        """An in-person screening happens in its country, so its time is that country's."""
        zone, country = cleaned.get("timezone"), cleaned.get("country")
        if not zone or not country or zone == timezones.UTC or not timezones.zones_of_country(country):
            return
        if self.instance is not None and zone == self.instance.timezone and not timezones.is_listed(zone):
            return  # a name stored before the list was curated (Europe/Kiev): its country is unknown here
        if timezones.zone_country(zone) != country:
            self.add_error(
                "timezone",
                _("This time zone is not in the chosen country (%(country)s). That country's zones are listed first.")
                % {"country": countries.name(country)},
            )

    def _clean_start(self, cleaned):
        naive, zone_name = cleaned.get("starts_at"), cleaned.get("timezone")
        if naive is None or not zone_name:
            return
        zone = ZoneInfo(zone_name)
        aware = naive.replace(tzinfo=zone)
        try:
            round_trip = aware.astimezone(ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None)
        except OverflowError:
            # At the ends of the calendar (year 1, year 9999) a far time zone leaves the calendar.
            local_now = timezone.now().astimezone(zone).replace(tzinfo=None)
            self.add_error("starts_at", self._too_early() if naive < local_now else self._too_far_ahead())
            return
        if round_trip != naive:
            self.add_error(
                "starts_at", _("This time does not exist in that time zone (the clocks change). Please choose another.")
            )
            return
        cleaned["starts_at"] = aware
        unchanged = self._is_unchanged_start(naive, zone_name)
        if unchanged:
            # The form shows minutes only; an unchanged start keeps its exact stored value.
            cleaned["starts_at"] = self.instance.starts_at
        now = timezone.now()
        if not unchanged and self.instance is not None and self.instance.starts_at <= now:
            # Netflix's permission covers this one screening, which has taken place: a new date is a new
            # registration.
            self.add_error("starts_at", _("Your screening has begun, so its time can no longer be changed."))
        elif not unchanged and aware <= now:
            self.add_error("starts_at", self._too_early())
        elif aware > now + timedelta(days=settings.SCREENING_MAX_DAYS_AHEAD):
            self.add_error("starts_at", self._too_far_ahead())

    @staticmethod
    def _too_early():
        return _("The screening must start in the future.")

    @staticmethod
    def _too_far_ahead():
        """In years where the limit is whole years (730 days: "two years"), else in days."""
        days = settings.SCREENING_MAX_DAYS_AHEAD
        if days % 365 == 0:
            years = days // 365
            return ngettext(
                "Please register screenings at most %(years)d year ahead.",
                "Please register screenings at most %(years)d years ahead.",
                years,
            ) % {"years": years}
        return ngettext(
            "Please register screenings at most %(days)d day ahead.",
            "Please register screenings at most %(days)d days ahead.",
            days,
        ) % {"days": days}

    def _is_unchanged_start(self, naive, zone_name):
        if self.instance is None or zone_name != self.instance.timezone:
            return False
        return naive == self.instance.local_start.replace(tzinfo=None, second=0, microsecond=0)

    def screening_data(self):
        """The cleaned values that are stored on the screening."""
        data = {name: self.cleaned_data[name] for name in STORED_FIELDS if name in self.fields}
        data["country"] = data.get("country") or ""
        return data


class HostEditForm(ScreeningForm):
    """What a host can change on their page: everything but the email address and the accepted terms."""

    def __init__(self, *args, instance, **kwargs):
        # The page's language labels the time zones; the screening's own language comes from the instance.
        super().__init__(*args, instance=instance, language=translation.get_language() or "de", **kwargs)
        del self.fields["email"]
        del self.fields["accept_terms"]
        del self.fields["website"]
        if not self.is_bound:
            for name in STORED_FIELDS:
                if name in self.fields:
                    value = getattr(instance, name)
                    self.initial[name] = instance.local_start.replace(tzinfo=None) if name == "starts_at" else value
            self.initial["country"] = instance.country.code if instance.country else ""
            self.initial["accept_distancing"] = instance.distancing_accepted_at is not None

    def is_spam(self):
        return False

    def clean(self):
        cleaned = super().clean()
        places = cleaned.get("places")
        if places is not None and "places" not in self.errors:
            taken = self.instance.guests.filter(status="confirmed").count()
            if places < taken:
                self.add_error(
                    "places",
                    ngettext(
                        "%(number)d guest already has a place: you cannot offer fewer.",
                        "%(number)d guests already have a place: you cannot offer fewer.",
                        taken,
                    )
                    % {"number": taken},
                )
        return cleaned


class SendLinkForm(ErrorSummaryMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    email = OrdinaryEmailField(label=_("Email address you registered with"), max_length=254)


def _guest_name_field():
    return forms.CharField(
        label=_("Your name (optional)"),
        max_length=120,
        required=False,
        validators=[no_control_characters],
        help_text=_("The host sees it in the list of guests."),
    )


class GuestNameForm(ErrorSummaryMixin, forms.Form):
    """The guest's name, as the host sees it: shown with the confirmation (whoever signed the address up
    typed it) and changeable afterwards on the guest's page."""

    name = _guest_name_field()

    summary_names = {"name": _("Your name")}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("auto_id", "guest_%s")
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"


class GuestSignUpForm(ErrorSummaryMixin, forms.Form):
    """Signing up for a screening on its page. Its field names: email, name, accept_conduct, website."""

    email = OrdinaryEmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("We send you a link to confirm; the host never sees your address."),
    )
    name = _guest_name_field()
    accept_conduct = forms.BooleanField(
        label=_("I accept the code of conduct for screenings."),
        error_messages={"required": _("Please accept the code of conduct to sign up.")},
    )
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)

    summary_names = {"name": _("Your name"), "accept_conduct": _("Code of conduct")}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("auto_id", "guest_%s")
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "required": True})
        self.fields["name"].widget.attrs["autocomplete"] = "name"

    def is_spam(self):
        return bool(self.data.get("website"))


class ContactHostForm(ErrorSummaryMixin, forms.Form):
    """A visitor writes to the host from the screening's page."""

    name = forms.CharField(label=_("Your name"), max_length=120, validators=[no_control_characters])
    email = OrdinaryEmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("The host receives your message by email and can answer you directly at this address."),
    )
    message = forms.CharField(label=_("Your message"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("auto_id", "contact_%s")
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["name"].widget.attrs["autocomplete"] = "name"

    def is_spam(self):
        return bool(self.data.get("website"))


class HostMessageForm(ErrorSummaryMixin, forms.Form):
    """The host writes to every guest with a place."""

    message = forms.CharField(
        label=_("Message to your guests"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("We send it to every guest with a place. They do not see your address, nor you theirs."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("auto_id", "message_%s")
        super().__init__(*args, **kwargs)


class ScreeningReportForm(ErrorSummaryMixin, forms.ModelForm):
    """The host's report after the screening."""

    class Meta:
        model = ScreeningReport
        fields = ("attendees", "rating", "what_worked", "story", "may_quote")
        labels = {
            "attendees": _("How many people came?"),
            "rating": _("How did it go, all in all?"),
            "what_worked": _("What worked, what would you change? (optional)"),
            "story": _("A moment or story from the conversation, for the campaign (optional)"),
            "may_quote": _("You may quote my story (without my name) on the campaign's pages and channels."),
        }
        widgets = {
            "rating": forms.RadioSelect,
            "what_worked": forms.Textarea(attrs={"rows": 4}),
            "story": forms.Textarea(attrs={"rows": 5}),
        }

    # The summary names each field in a word or two ("How many people came?: …" would read badly).
    summary_names = {
        "attendees": _("Number of people"),
        "rating": _("Rating"),
        "what_worked": _("What worked"),
        "story": _("Story"),
        "may_quote": _("Permission to quote"),
    }

    def __init__(self, *args, screening, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        # In person, the permission allows small groups only: no report counts more.
        self.in_person = screening.format == Screening.Format.IN_PERSON
        most = settings.SCREENING_MAX_IN_PERSON if self.in_person else 100_000
        self.fields["attendees"].max_value = 100_000
        self.fields["attendees"].validators.append(MaxValueValidator(100_000))
        self.fields["attendees"].widget.attrs.update({"min": 0, "max": most})
        self.fields["rating"].choices = ScreeningReport.Rating.choices  # no empty choice

    def clean_attendees(self):
        attendees = self.cleaned_data["attendees"]
        limit = settings.SCREENING_MAX_IN_PERSON
        if self.in_person and attendees > limit:
            raise forms.ValidationError(
                _("In-person screenings are for small groups of at most %(limit)d people.") % {"limit": limit}
            )
        return attendees

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("may_quote") and not cleaned.get("story"):
            self.add_error(
                "may_quote", _("There is no story to quote yet: please write it above, or leave this unticked.")
            )
        return cleaned
