from django.contrib.sitemaps import Sitemap
from django.urls import NoReverseMatch, reverse


class PageSitemap(Sitemap):
    """The site's pages without a model of their own, in both languages."""

    i18n = True
    alternates = True
    x_default = True
    changefreq = "weekly"
    url_names = [
        "home",
        "faq:index",
        "events:screenings",
        "events:register",
        "events:tour",
        "take-action",
        "newsletter:subscribe",
        "events:resources",
        "consent:settings",
        "privacy",
        "code-of-conduct",
        "imprint",
        "accessibility",
    ]

    def items(self):
        return [name for name in self.url_names if self._exists(name)]

    @staticmethod
    def _exists(name):
        try:
            reverse(name)
        except NoReverseMatch:
            return False
        return True

    def location(self, name):
        return reverse(name)
