from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "carepair.ledger"
    label = "ledger"
