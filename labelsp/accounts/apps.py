from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "labelsp.accounts"
    label = "accounts"
    verbose_name = "Comptes et rôles"
