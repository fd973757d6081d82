from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = "Décisions et attestations"

    def ready(self):
        from django.db.models.signals import post_save

        # A renamed service keeps its place in the public registry's order (Label.sort_name).
        for model in ("candidates.LocalService", "candidates.CentralService"):
            post_save.connect(_label_sort_name, sender=model, dispatch_uid=f"label-sort-name-{model}")


def _label_sort_name(sender, instance, created, **_kwargs):
    from decisions.models import Label

    if created:
        return
    field = "local_service" if sender._meta.model_name == "localservice" else "central_service"
    Label.objects.filter(**{field: instance}).exclude(sort_name=instance.name).update(sort_name=instance.name)
