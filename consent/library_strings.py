"""django-cookie-consent ships no German translation. Its interface strings are listed here so that
`make messages` puts them into our catalogue, where they are translated like our own."""

from django.utils.translation import gettext_noop

LIBRARY_STRINGS = [
    gettext_noop("# cookies"),
    gettext_noop("Accept"),
    gettext_noop("Accepted"),
    gettext_noop("Action"),
    gettext_noop("Apply to all cookie groups"),
    gettext_noop("Are cookies in this group required."),
    gettext_noop("Can cookies in this group be deleted."),
    gettext_noop("Cookie Group"),
    gettext_noop("Cookie Groups"),
    gettext_noop("Cookie group varnames"),
    gettext_noop("Cookie"),
    gettext_noop("Cookies"),
    gettext_noop("Created"),
    gettext_noop("Decline"),
    gettext_noop("Declined"),
    gettext_noop("Description"),
    gettext_noop("Domain"),
    gettext_noop("Is deletable?"),
    gettext_noop("Is required"),
    gettext_noop("Log item"),
    gettext_noop("Log items"),
    gettext_noop("Name"),
    gettext_noop("Ordering"),
    gettext_noop("Path"),
    gettext_noop("Variable name"),
    gettext_noop("Version"),
    gettext_noop("Warning icon for missing cookies in cookie group."),
    gettext_noop("cookie consent"),
    gettext_noop("Enter a valid 'varname' consisting of letters, numbers, underscores or hyphens."),
]
