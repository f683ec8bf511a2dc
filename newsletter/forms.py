from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from socialdilemma.emailaddress import OrdinaryEmailField
from socialdilemma.forms import ErrorSummaryMixin


class SubscribeForm(ErrorSummaryMixin, forms.Form):
    email = OrdinaryEmailField(label=_("Email address"), max_length=254)
    language = forms.ChoiceField(label=_("Language of the newsletter"), choices=settings.LANGUAGES)
    consent = forms.BooleanField(
        label=_("I would like to receive the newsletter. I can unsubscribe at any time."),
        error_messages={"required": _("Please confirm that you would like to receive the newsletter.")},
    )
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)

    summary_names = {"consent": _("Consent")}

    def __init__(self, *args, language="de", **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = language
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "required": True})

    def is_spam(self):
        return bool(self.data.get("website"))
