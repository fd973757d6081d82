"""Create a self-signed signing key and certificate for a certification body (demo and test environments)."""

from django.core.management.base import BaseCommand, CommandError

from decisions.signing import key_paths, make_signing_key
from registry.models import CertificationBody


class Command(BaseCommand):
    help = "Crée une clé de signature et un certificat autosigné pour un organisme de certification (démonstration)."

    def add_arguments(self, parser):
        parser.add_argument("siret", help="SIRET de l’organisme de certification")
        parser.add_argument("--force", action="store_true", help="remplace la clé existante")

    def handle(self, *args, siret, force, **options):
        body = CertificationBody.objects.filter(siret=siret).first()
        if body is None:
            raise CommandError(f"No certification body with SIRET {siret}.")
        key_path, cert_path = key_paths(siret)
        existed = key_path.exists() and cert_path.exists()
        make_signing_key(siret=siret, name=body.name, overwrite=force)
        if existed and not force:
            self.stdout.write(
                f"Key already present for {body.name}: {cert_path} (use --force to replace it)."
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Signing key created for {body.name}: {key_path}, {cert_path}")
            )
