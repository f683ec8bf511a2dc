from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Screenings")

    def ready(self):
        from socialdilemma.pagecache import invalidate_on_change

        # Screenings change public pages only through review, cancellation or removal; the services
        # that do so renew the content version themselves (a new registration changes no public page).
        invalidate_on_change(self.get_model("NetflixTerms"), self.get_model("Resource"))
