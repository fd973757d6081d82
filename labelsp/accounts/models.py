from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from labelsp.accounts.enums import MFA_REQUIRED_ROLES, ROLE_ORGANISATION_FIELD, Role

ORGANISATION_FIELDS = ("local_service", "central_service", "certification_body")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person. People log in with their e-mail address; what they may do comes from their memberships."""

    username = None
    email = models.EmailField(_("adresse électronique"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def requires_mfa(self) -> bool:
        """Certification-body managers, the DITP and the admin staff must use a second factor."""
        if self.is_staff or self.is_superuser:
            return True
        return self.memberships.active().filter(role__in=MFA_REQUIRED_ROLES).exists()


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def with_organisations(self):
        return self.select_related("local_service", "central_service", "certification_body")


class Membership(models.Model):
    """A user's role within one organisation (or a national role for the DITP and the commission).

    A person may hold several memberships and switch between them. A membership is revoked, never deleted.
    """

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("personne")
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    local_service = models.ForeignKey(
        "candidates.LocalService",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("service public local"),
    )
    central_service = models.ForeignKey(
        "candidates.CentralService",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("service public central"),
    )
    certification_body = models.ForeignKey(
        "registry.CertificationBody",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("organisme de certification"),
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rattachement")
        verbose_name_plural = _("rattachements")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="membership_organisation_matches_role",
                condition=(
                    Q(
                        role=Role.CANDIDATE,
                        local_service__isnull=False,
                        central_service__isnull=True,
                        certification_body__isnull=True,
                    )
                    | Q(
                        role=Role.CENTRAL,
                        local_service__isnull=True,
                        central_service__isnull=False,
                        certification_body__isnull=True,
                    )
                    | Q(
                        role__in=[Role.AUDITOR, Role.CB_MANAGER],
                        local_service__isnull=True,
                        central_service__isnull=True,
                        certification_body__isnull=False,
                    )
                    | Q(
                        role__in=[Role.DITP, Role.COMMISSION],
                        local_service__isnull=True,
                        central_service__isnull=True,
                        certification_body__isnull=True,
                    )
                ),
            ),
            # One active membership per user, role and organisation (one partial index per organisation
            # kind, so that it holds on SQLite too, which has no NULLS NOT DISTINCT).
            *[
                models.UniqueConstraint(
                    fields=["user", "role", field],
                    condition=Q(revoked_at__isnull=True, **{f"{field}__isnull": False}),
                    name=f"membership_unique_active_{field}",
                )
                for field in ORGANISATION_FIELDS
            ],
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(
                    revoked_at__isnull=True,
                    local_service__isnull=True,
                    central_service__isnull=True,
                    certification_body__isnull=True,
                ),
                name="membership_unique_active_national",
            ),
            models.CheckConstraint(
                name="membership_revoked_after_created",
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=models.F("created_at")),
            ),
        ]

    def __str__(self):
        organisation = self.organisation
        if organisation is None:
            return str(self.get_role_display())
        return f"{self.get_role_display()} — {organisation}"

    @property
    def organisation(self):
        field = ROLE_ORGANISATION_FIELD[Role(self.role)]
        return getattr(self, field) if field else None

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
