from django import forms
from django.utils.translation import gettext_lazy as _

from socialdilemma.forms import ErrorSummaryMixin

from .services import OPTIONAL_GROUPS

CHOICES = [("accept", _("Allow")), ("decline", _("Do not allow"))]


class ConsentSettingsForm(ErrorSummaryMixin, forms.Form):
    """One accept/decline choice per optional cookie group."""

    def __init__(self, *args, groups, state, **kwargs):
        super().__init__(*args, **kwargs)
        for group in groups:
            current = state.choices.get(group.varname)
            self.fields[group.varname] = forms.ChoiceField(
                label=group.name,
                choices=CHOICES,
                widget=forms.RadioSelect,
                initial={True: "accept", False: "decline"}.get(current, "decline" if state.gpc else None),
                required=True,
                error_messages={"required": _("Please choose whether to allow this category.")},
            )

    def accepted(self):
        return [name for name in OPTIONAL_GROUPS if self.cleaned_data.get(name) == "accept"]

    def declined(self):
        return [name for name in OPTIONAL_GROUPS if self.cleaned_data.get(name) == "decline"]
