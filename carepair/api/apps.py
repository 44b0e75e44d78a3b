from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "carepair.api"
    label = "api"
