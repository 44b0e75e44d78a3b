from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "carepair.matching"
    verbose_name = "Big data comparison"
