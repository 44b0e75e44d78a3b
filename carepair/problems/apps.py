from django.apps import AppConfig


class ProblemsConfig(AppConfig):
    name = "carepair.problems"
    label = "problems"
