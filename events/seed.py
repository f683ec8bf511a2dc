"""The first version of Netflix's terms as summarised for hosts. Created once by a data migration."""

from datetime import UTC, datetime

SUMMARY_DE = """Die Erlaubnis gilt für eine einmalige Vorführung des Films.
Die Vorführung ist nicht kommerziell.
Es wird kein Eintrittsgeld erhoben.
Der Film wird über ein Netflix-Konto abgespielt."""

SUMMARY_EN = """The permission covers one single screening of the film.
The screening is non-commercial.
No admission fee is charged.
The film is played from a Netflix account."""


def netflix_terms_create(*, terms_model):
    """Create the first version unless any exists. The model is a parameter for the data migration."""
    if terms_model.objects.exists():
        return
    terms_model.objects.create(
        version="2020-09",
        title="Bedingungen von Netflix für einmalige Vorführungen",
        title_de="Bedingungen von Netflix für einmalige Vorführungen",
        title_en="Netflix's terms for one-time screenings",
        summary=SUMMARY_DE,
        summary_de=SUMMARY_DE,
        summary_en=SUMMARY_EN,
        official_url="https://help.netflix.com/legal/termsofuse",
        # The film's release on Netflix: 9 September 2020, 12:00 PST.
        valid_from=datetime(2020, 9, 9, 20, 0, tzinfo=UTC),
    )
