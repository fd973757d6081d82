from django.apps import AppConfig


class ProConnectConfig(AppConfig):
    name = "labelsp.proconnect"
    label = "proconnect"
    verbose_name = "ProConnect"
