from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "carepair.accounts"
    label = "accounts"
