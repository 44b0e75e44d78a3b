from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "carepair.demo"
    label = "demo"
