from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "carepair.regions"
    label = "regions"
    verbose_name = _("Regions")

    def ready(self):
        from carepair.regions import lookups  # noqa: F401  (registers __prefix)
