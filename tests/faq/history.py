"""The FAQ as older databases hold it, for the tests of the data migrations that update them."""

from faq.links_restored import CHANGES
from faq.models import Entry


def faq_without_restored_links():
    """The FAQ's text before migration 0010 restored its links (issue #16)."""
    for entry in Entry.objects.all():
        for _slug, field, old, new in CHANGES:
            setattr(entry, field, getattr(entry, field).replace(new, old))
        entry.answer = entry.answer_de
        entry.save()
