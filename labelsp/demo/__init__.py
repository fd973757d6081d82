"""Demo data for `manage.py seed_demo`: fictional organisations and people to try the platform with.

Each capability adds a sibling module exposing `seed(stdout) -> list[DemoAccount]`; the command runs
them in order inside one transaction. Every seed function is idempotent: it looks objects up by a
stable natural key (SIRET, e-mail, (service, site name)) and only writes what differs, so running the
command again changes nothing, not even the history tables.
"""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import models

from labelsp.accounts.enums import MFA_REQUIRED_ROLES, Role
from labelsp.accounts.models import User

# Shared by every demo account; set only when the account is created, so a changed password survives a re-run.
DEMO_PASSWORD = "Demo-Services-Publics-2026"  # noqa: S105 (public demo credential, printed by the command)


@dataclass(frozen=True)
class DemoAccount:
    """One way into the demo: a person acting in one role for one organisation."""

    role: Role
    email: str
    organisation: str
    note: str = ""

    @property
    def needs_totp(self) -> bool:
        return self.role in MFA_REQUIRED_ROLES


@dataclass
class SeedCounter:
    """How many objects of one kind the seed went through, and how many it had to create."""

    label: str
    total: int = 0
    created: int = 0

    def add(self, created: bool) -> None:
        self.total += 1
        self.created += int(created)

    def __str__(self):
        return f"{self.label} : {self.total} ({self.created} nouveau{'x' if self.created > 1 else ''})"


def upsert(model: type[models.Model], *, lookup: dict, values: dict) -> tuple[models.Model, bool]:
    """Get the object matching `lookup`, creating it with `values`, or bring its fields in line with `values`.

    Unlike `update_or_create`, nothing is saved when the object already matches, so a second run writes
    no row and no historical record.
    """
    obj, created = model.objects.get_or_create(**lookup, defaults=values)
    if not created:
        _sync(obj, values)
    return obj, created


def _sync(obj: models.Model, values: dict) -> None:
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        return
    for name in changed:
        setattr(obj, name, values[name])
    if "departement" in changed:
        changed.append("region")  # derived from the département by AddressFields.save()
    obj.save(update_fields=changed)


def demo_user(
    *, email: str, first_name: str, last_name: str, is_staff: bool = False, is_superuser: bool = False
) -> tuple[User, bool]:
    """A demo person with a verified primary e-mail address (allauth's verification is mandatory).

    The password is set only when the account is created: someone who changed it keeps their own.
    """
    email = email.lower()
    values = {
        "first_name": first_name,
        "last_name": last_name,
        "is_staff": is_staff,
        "is_superuser": is_superuser,
    }
    user = User.objects.filter(email=email).first()
    created = user is None
    if created:
        user = User.objects.create_user(email, password=DEMO_PASSWORD, **values)
    else:
        _sync(user, values)
    upsert(EmailAddress, lookup={"user": user, "email": email}, values={"verified": True, "primary": True})
    return user, created
