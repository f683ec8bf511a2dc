"""What every form of the site shares (socialdilemma/forms.py)."""

import pytest
from django.forms.utils import pretty_name
from django.utils import translation

import consent.forms
import events.forms
import faq.forms
import newsletter.forms
from socialdilemma.forms import ErrorSummaryMixin

FORM_MODULES = (consent.forms, events.forms, faq.forms, newsletter.forms)


def _forms():
    forms = {
        value
        for module in FORM_MODULES
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, ErrorSummaryMixin) and value is not ErrorSummaryMixin
    }
    assert len(forms) >= 6
    return sorted(forms, key=lambda form: form.__name__)


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_error_summary_names_every_field_in_a_word_or_two(language):
    """ "Name: error" reads well; "How many people came?: error" or "Your name (optional): error" does
    not. A field whose label is a question, a remark or a sentence has a summary name. (The consent
    settings' fields are its cookie groups, named by staff, and made per form: not among base_fields.)"""
    with translation.override(language):
        for form_class in _forms():
            for name, field in form_class.base_fields.items():
                if name == "website":  # the honeypot: never shown, never in the summary
                    continue
                # As the summary names it: the label, or Django's name for a field without one.
                summary_name = str(form_class.summary_names.get(name, field.label or pretty_name(name)))
                assert summary_name and not summary_name.rstrip().endswith(("?", ")", ":", ".", "!")), (
                    form_class.__name__,
                    name,
                    summary_name,
                )
