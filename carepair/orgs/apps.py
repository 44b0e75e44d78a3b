from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "carepair.orgs"
    label = "orgs"
