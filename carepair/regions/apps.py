from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "carepair.regions"
    label = "regions"
