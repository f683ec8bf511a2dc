from django.contrib.sitemaps import Sitemap

from .models import Screening


class ScreeningSitemap(Sitemap):
    """The pages of the screenings on the virtual tour, in both languages."""

    i18n = True
    alternates = True
    x_default = True
    changefreq = "daily"
    limit = 5000

    def items(self):
        return Screening.objects.on_tour().only("pk", "title", "updated_at").order_by("starts_at", "pk")

    def lastmod(self, screening):
        return screening.updated_at
