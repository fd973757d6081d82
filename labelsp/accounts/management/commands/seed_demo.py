"""`manage.py seed_demo`: fill the database with fictional organisations and accounts to try the platform.

Idempotent: run it as often as needed (`make demo` runs it every time); it only creates what is missing.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from labelsp.demo import (
    DEMO_PASSWORD,
    DemoAccount,
    applications,
    audits,
    deadlines,
    decisions,
    organisations,
    registry,
    surveys,
)

# Each capability adds its own module here, after the ones whose data it builds on.
SEEDERS = (
    organisations.seed,
    applications.seed,
    surveys.seed,
    audits.seed,
    decisions.seed,
    deadlines.seed,
    registry.seed,
)

COLUMNS = ("Rôle", "Adresse électronique", "Organisation", "Remarque")


class Command(BaseCommand):
    help = "Crée (ou complète) les données de démonstration : organisations, sites et comptes de chaque rôle."

    def handle(self, *args, **options):
        # The demo's own e-mails (notifications of the files it creates) are not printed.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
            transaction.atomic(),
        ):
            accounts = [account for seed in SEEDERS for account in seed(self.stdout)]
        self._print_accounts(accounts)
        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes"))

    def _print_accounts(self, accounts: list[DemoAccount]) -> None:
        rows = [
            (
                str(account.role.label),
                account.email,
                account.organisation,
                " ; ".join(filter(None, ["TOTP à activer" if account.needs_totp else "", account.note])),
            )
            for account in accounts
        ]
        widths = [max(len(row[i]) for row in [COLUMNS, *rows]) for i in range(len(COLUMNS))]
        self.stdout.write("")
        self.stdout.write(f"Comptes de démonstration — mot de passe commun : {DEMO_PASSWORD}")
        for row in [COLUMNS, tuple("-" * width for width in widths), *rows]:
            self.stdout.write(
                "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            )
        self.stdout.write(
            "TOTP à activer : les responsables d’organisme de certification et la DITP configurent"
        )
        self.stdout.write(
            "une application d’authentification (TOTP) à leur première connexion, à la demande du site."
        )
