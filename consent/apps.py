from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = _("Visits and consent statistics")

    def ready(self):
        from cookie_consent.models import Cookie, CookieGroup

        from socialdilemma.pagecache import invalidate_on_change

        invalidate_on_change(CookieGroup, Cookie)
