from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FaqConfig(AppConfig):
    name = "faq"
    verbose_name = _("FAQ")

    def ready(self):
        from socialdilemma.pagecache import invalidate_on_change

        invalidate_on_change(self.get_model("Category"), self.get_model("Entry"), self.get_model("Action"))
