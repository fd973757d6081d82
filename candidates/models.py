from django.db import models
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from candidates.enums import LocalServiceKind, SiteKind
from labelsp.accounts.scoping import objects_with_perm, sees_everything
from labelsp.geo import AddressFields
from labelsp.validators import validate_siret


class CentralServiceQuerySet(models.QuerySet):
    def for_user(self, user):
        """Central services `user` may see: the DITP every one, central staff their own."""
        if sees_everything(user):
            return self
        return self.filter(pk__in=objects_with_perm(user, "candidates.view_centralservice", self.model))


class CentralService(models.Model):
    """A national head of a network of local services (§1.4.1), e.g. the national family-allowance fund."""

    name = models.CharField(_("nom"), max_length=200)
    network_name = models.CharField(_("nom du réseau"), max_length=200, help_text=_("Par exemple « CAF »."))
    ministry = models.CharField(_("ministère de rattachement"), max_length=200)
    siret = models.CharField(_("SIRET"), max_length=14, unique=True, validators=[validate_siret])
    contact_email = models.EmailField(_("adresse de contact"), blank=True)

    objects = CentralServiceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service public central")
        verbose_name_plural = _("services publics centraux")
        ordering = ["name"]

    def __str__(self):
        return self.name


class LocalServiceQuerySet(models.QuerySet):
    def for_user(self, user):
        """Local services `user` may see: their own, every local of a network they steer, all for the DITP."""
        if sees_everything(user):
            return self
        own = objects_with_perm(user, "candidates.view_localservice", self.model)
        networks = objects_with_perm(user, "candidates.view_centralservice", CentralService)
        return self.filter(Q(pk__in=own) | Q(parent__in=networks))

    def with_site_figures(self):
        return self.annotate(
            site_count=Count("sites", filter=Q(sites__is_active=True)),
            agent_count=Sum("sites__agents_in_contact", filter=Q(sites__is_active=True)),
        )


class LocalService(AddressFields):
    """One public service in contact with users (§1.4.2), possibly multi-site, possibly in a central network."""

    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("catégorie"), max_length=30, choices=LocalServiceKind.choices)
    parent = models.ForeignKey(
        CentralService,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="local_services",
        verbose_name=_("service public central de rattachement"),
    )
    siret = models.CharField(_("SIRET"), max_length=14, unique=True, validators=[validate_siret])
    contact_email = models.EmailField(_("adresse de contact"), blank=True)
    contact_phone = models.CharField(_("téléphone"), max_length=20, blank=True)

    objects = LocalServiceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service public local")
        verbose_name_plural = _("services publics locaux")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="localservice_kind_valid", condition=Q(kind__in=LocalServiceKind.values)
            ),
        ]
        indexes = [models.Index(fields=["departement"]), models.Index(fields=["region"])]

    def __str__(self):
        return self.name

    @property
    def is_local_authority(self) -> bool:
        return self.kind in LocalServiceKind.local_authorities()


class SiteQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(local_service__in=LocalService.objects.for_user(user))

    def active(self):
        return self.filter(is_active=True)


class Site(AddressFields):
    """A physical point of contact of a local service; every site in contact with users is in the perimeter."""

    local_service = models.ForeignKey(
        LocalService, on_delete=models.PROTECT, related_name="sites", verbose_name=_("service")
    )
    name = models.CharField(_("nom du site"), max_length=200)
    kind = models.CharField(_("type de site"), max_length=20, choices=SiteKind.choices)
    agents_in_contact = models.PositiveIntegerField(
        _("agents en contact avec les usagers"),
        help_text=_("Nombre d’agents en contact direct ou indirect avec les usagers sur ce site."),
    )
    is_active = models.BooleanField(_("actif"), default=True)

    objects = SiteQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["local_service", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_service"],
                condition=Q(kind=SiteKind.PRINCIPAL, is_active=True),
                name="site_one_principal_per_service",
            ),
            models.CheckConstraint(name="site_kind_valid", condition=Q(kind__in=SiteKind.values)),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"


class CentralServiceUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(CentralService, on_delete=models.CASCADE)


class CentralServiceGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(CentralService, on_delete=models.CASCADE)


class LocalServiceUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(LocalService, on_delete=models.CASCADE)


class LocalServiceGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(LocalService, on_delete=models.CASCADE)
