from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

admin.site.site_header = _("The Social Dilemma – administration")
admin.site.site_title = _("The Social Dilemma")
admin.site.index_title = _("Site content")

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path(settings.ADMIN_URL, admin.site.urls),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("code-of-conduct/", views.code_of_conduct, name="code-of-conduct"),
    path("imprint/", views.imprint, name="imprint"),
)

handler500 = "socialdilemma.views.server_error"
