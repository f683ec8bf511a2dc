from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from events.sitemaps import ScreeningSitemap
from faq import views as faq_views
from faq.sitemaps import FaqEntrySitemap

from . import views
from .adminlogin import LockoutAdminAuthenticationForm
from .sitemaps import PageSitemap

admin.site.site_header = _("The Social Dilemma – administration")
admin.site.site_title = _("The Social Dilemma")
admin.site.index_title = _("Site content")
admin.site.login_form = LockoutAdminAuthenticationForm

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("manifest.webmanifest", views.web_manifest, name="web-manifest"),
    path(settings.ADMIN_URL, admin.site.urls),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": {"pages": PageSitemap, "faq": FaqEntrySitemap, "screenings": ScreeningSitemap}},
        name="django.contrib.sitemaps.views.sitemap",
    ),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("code-of-conduct/", views.code_of_conduct, name="code-of-conduct"),
    path("imprint/", views.imprint, name="imprint"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("faq/", include("faq.urls")),
    path("take-action/", faq_views.take_action, name="take-action"),
    path("newsletter/", include("newsletter.urls")),
    path("cookies/", include("consent.urls")),
    path("", include("events.urls")),
)

handler500 = "socialdilemma.views.server_error"
