from django.apps import AppConfig


class PairingConfig(AppConfig):
    name = "carepair.pairing"
    label = "pairing"
