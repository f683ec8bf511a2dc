from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from .timezones import is_main_zone, zone_country


class LongSelect(forms.Select):
    """A <select> with hundreds of options (time zones, countries), rendered without a template per
    option: Django's widget templates take milliseconds per option, which made the registration page
    cost a tenth of a second. The HTML is the same as Django's."""

    def option_attrs(self, value):
        """Extra attributes of one option (escaped by the caller)."""
        return {}

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        selected = "" if value is None else str(value)
        options = []
        for option_value, label in self.choices:
            option_value = "" if option_value is None else str(option_value)
            options.append(
                format_html(
                    '<option value="{}"{}{}>{}</option>',
                    option_value,
                    flatatt(self.option_attrs(option_value)),
                    mark_safe(" selected") if option_value == selected else "",  # noqa: S308 - a constant
                    label,
                )
            )
        return mark_safe(  # noqa: S308 - attributes and options are escaped above
            f"<select{flatatt(final_attrs)}>\n" + "\n".join(conditional_escape(o) for o in options) + "\n</select>"
        )


class TimeZoneSelect(LongSelect):
    """Each zone names its country (data-country), so that a script can put the chosen country's zones
    first and preselect one; without the script the form does the same when it is shown again."""

    def option_attrs(self, value):
        country = zone_country(value)
        if not country:
            return {}
        return {"data-country": country, "data-main": is_main_zone(value)}
