from django.contrib.sitemaps import Sitemap

from .models import Entry


class FaqEntrySitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    changefreq = "monthly"

    def items(self):
        return Entry.objects.filter(published=True).order_by("pk")

    def lastmod(self, entry):
        return entry.updated_at
