import datetime

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from labelsp.accounts.scoping import objects_with_perm, sees_everything
from labelsp.validators import validate_siret
from labelsp.workflow import TransitionLog
from registry import rules
from registry.enums import AccreditationStandard, HabilitationStatus

IAF_SECTOR_PUBLIC_ADMINISTRATION = "EA/IAF 36"


class CertificationBodyQuerySet(models.QuerySet):
    def habilitated(self, on: datetime.date | None = None):
        """Bodies whose habilitation is active on `on` (today by default): the only ones candidates may choose."""
        on = on or timezone.localdate()
        return self.filter(
            habilitation_status=HabilitationStatus.ACTIVE,
            habilitation_start__lte=on,
            habilitation_end__gte=on,
        )

    def for_user(self, user):
        """The bodies `user` may see: the DITP sees every body, others only their own (guardian)."""
        if sees_everything(user):
            return self
        return self.filter(pk__in=objects_with_perm(user, "registry.view_certificationbody", self.model))


class CertificationBody(models.Model):
    """An organisme de certification habilitated by the DITP to audit and award the label (§1.3)."""

    name = models.CharField(_("raison sociale"), max_length=200)
    siret = models.CharField(_("SIRET"), max_length=14, unique=True, validators=[validate_siret])
    accreditation_number = models.CharField(_("numéro d’accréditation COFRAC"), max_length=30)
    accreditation_standard = models.CharField(
        _("norme d’accréditation"), max_length=20, choices=AccreditationStandard.choices
    )
    accreditation_sector = models.CharField(
        _("secteur d’accréditation"), max_length=20, default=IAF_SECTOR_PUBLIC_ADMINISTRATION, editable=False
    )
    habilitation_start = models.DateField(_("début d’habilitation"))
    habilitation_end = models.DateField(_("fin d’habilitation"))
    habilitation_status = models.CharField(
        _("statut d’habilitation"),
        max_length=20,
        choices=HabilitationStatus.choices,
        default=HabilitationStatus.ACTIVE,
    )
    engagement_contract_signed_on = models.DateField(
        _("contrat d’engagement signé le"), null=True, blank=True
    )
    contact_email = models.EmailField(_("adresse de contact"), blank=True)
    city = models.CharField(_("ville du siège"), max_length=100, blank=True)

    objects = CertificationBodyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisme de certification")
        verbose_name_plural = _("organismes de certification")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="certificationbody_habilitation_dates_ordered",
                condition=Q(habilitation_end__gt=F("habilitation_start")),
            ),
            models.CheckConstraint(
                name="certificationbody_sector_is_public_administration",
                condition=Q(accreditation_sector=IAF_SECTOR_PUBLIC_ADMINISTRATION),
            ),
            models.CheckConstraint(
                name="certificationbody_standard_valid",
                condition=Q(accreditation_standard__in=AccreditationStandard.values),
            ),
            models.CheckConstraint(
                name="certificationbody_status_valid",
                condition=Q(habilitation_status__in=HabilitationStatus.values),
            ),
        ]

    def __str__(self):
        return self.name

    def habilitation_is_active(self, on: datetime.date | None = None) -> bool:
        return rules.habilitation_is_active(
            status=self.habilitation_status,
            start=self.habilitation_start,
            end=self.habilitation_end,
            on=on or timezone.localdate(),
        )


class HabilitationLog(TransitionLog):
    """One DITP decision on a body's habilitation (grant, renewal, suspension, lifting, withdrawal, §1.3), with the
    habilitation period and engagement contract it left in force. Append-only."""

    certification_body = models.ForeignKey(
        CertificationBody, on_delete=models.PROTECT, related_name="habilitation_log"
    )
    habilitation_start = models.DateField(_("début d’habilitation"))
    habilitation_end = models.DateField(_("fin d’habilitation"))
    engagement_contract_signed_on = models.DateField(
        _("contrat d’engagement signé le"), null=True, blank=True
    )

    class Meta(TransitionLog.Meta):
        verbose_name = _("événement d’habilitation")
        verbose_name_plural = _("historique des habilitations")


class CertificationBodyUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(CertificationBody, on_delete=models.CASCADE)


class CertificationBodyGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(CertificationBody, on_delete=models.CASCADE)
