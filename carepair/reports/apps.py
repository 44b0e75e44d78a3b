from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "carepair.reports"
    label = "reports"
