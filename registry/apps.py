from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "Registre et habilitations"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from registry.cache import registry_changed

        # Whatever the public registry shows: a change makes its cached pages and exports stale.
        for model in (
            "decisions.Label",
            "decisions.Suspension",
            "decisions.Withdrawal",
            "decisions.Attestation",
            "candidates.LocalService",
            "candidates.CentralService",
            "candidates.Site",
            "registry.CertificationBody",
        ):
            post_save.connect(registry_changed, sender=model, dispatch_uid=f"registry-{model}-save")
            post_delete.connect(registry_changed, sender=model, dispatch_uid=f"registry-{model}-delete")
