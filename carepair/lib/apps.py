from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "carepair.lib"
    label = "carepair_lib"
