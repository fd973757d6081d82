from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "labelsp.deadlines"
    label = "deadlines"
    verbose_name = "Échéances et notifications"
