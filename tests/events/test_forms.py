"""The registration form's fields are prepared once per language and shared; no form may change them."""

import pytest
from django.core.exceptions import ValidationError

from events.forms import HostEditForm, ScreeningForm, no_control_characters

pytestmark = pytest.mark.django_db


def _form_html(client, language):
    return client.get(f"/{language}/screenings/register/").content.decode()


def test_forms_share_prepared_fields_per_language_but_each_has_its_own_list(make_screening):
    first, second = ScreeningForm(language="de"), ScreeningForm(language="de")
    assert first.fields["email"] is second.fields["email"]
    assert first.fields is not second.fields
    assert first.fields["language"].initial == "de"
    assert ScreeningForm(language="en").fields["language"].initial == "en"

    screening, _token = make_screening(language="en")
    host_form = HostEditForm(instance=screening)
    assert {"email", "accept_terms", "website"}.isdisjoint(host_form.fields)
    assert host_form["language"].value() == "en"  # the screening's, whatever the page's language
    # Leaving fields out of one form leaves them in every other.
    assert {"email", "accept_terms", "website"} <= set(ScreeningForm(language="de").fields)


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_refused_registration_leaves_the_next_visitors_form_as_it_was(client, form_data, settings, language):
    settings.PAGE_CACHE_SECONDS = 0  # rendered for each request, from the shared fields
    before = _form_html(client, language)
    refused = client.post(
        f"/{language}/screenings/register/", form_data(email="not-an-address", host_name="", language="en")
    )
    assert refused.status_code == 400 and 'aria-invalid="true"' in refused.content.decode()
    after = _form_html(client, language)
    assert after == before
    assert "aria-invalid" not in after and "not-an-address" not in after


@pytest.mark.parametrize("character", ["\t", "\n", "\x1f", "\x7f", "\x85", "\u2028", "\u2029"])
def test_single_line_fields_refuse_every_control_character(character):
    with pytest.raises(ValidationError):
        no_control_characters(f"Abend{character}eins")


def test_single_line_fields_take_any_printable_text():
    no_control_characters("Filmabend – „Das soziale Dilemma“ in Köln 🎬")
