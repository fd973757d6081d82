from django.conf import settings
from django.db import models
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from candidates.enums import (
    ApplicationKind,
    ApplicationOutcome,
    ApplicationStatus,
    ChecklistItem,
    DocumentPiece,
    EligibilityRequestStatus,
    LocalServiceKind,
    PerimeterDomain,
    SiteKind,
)
from labelsp.accounts.scoping import objects_with_perm, sees_everything
from labelsp.geo import AddressFields
from labelsp.storage import private_storage
from labelsp.validators import validate_siret
from labelsp.workflow import TransitionLog


class EligibleCategory(models.Model):
    """One line of the eligibility list (annex 3), kept by the DITP: a category of public services that may apply."""

    name = models.CharField(_("catégorie de service public"), max_length=200, unique=True)
    kind = models.CharField(_("nature"), max_length=30, choices=LocalServiceKind.choices)
    description = models.TextField(_("précisions"), blank=True)
    is_active = models.BooleanField(_("éligible"), default=True)
    created_at = models.DateTimeField(_("ajoutée le"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("catégorie éligible")
        verbose_name_plural = _("liste des services éligibles")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name


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

    def network_members(self):
        """Locals whose attachment to their network its central service confirmed (and independent ones)."""
        return self.filter(Q(parent__isnull=True) | Q(parent_confirmed_at__isnull=False))

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
    parent_confirmed_at = models.DateTimeField(
        _("rattachement confirmé le"),
        null=True,
        blank=True,
        help_text=_("Un service qui se déclare d’un réseau y entre quand le service central le confirme."),
    )
    category = models.ForeignKey(
        EligibleCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="local_services",
        verbose_name=_("catégorie de la liste des services éligibles"),
    )
    siret = models.CharField(_("SIRET"), max_length=14, unique=True, validators=[validate_siret])
    contact_name = models.CharField(_("nom du référent qualité"), max_length=200, blank=True)
    contact_email = models.EmailField(_("adresse de contact"), blank=True)
    contact_phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    registered_at = models.DateTimeField(_("inscrit le"), null=True, blank=True)

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


class ServiceDomain(models.Model):
    """A public-action domain in a local authority's perimeter (§1.4.2); withdrawn domains stay, inactive."""

    local_service = models.ForeignKey(
        LocalService, on_delete=models.PROTECT, related_name="domains", verbose_name=_("service")
    )
    domain = models.CharField(_("domaine"), max_length=30, choices=PerimeterDomain.choices)
    detail = models.CharField(_("précision"), max_length=200, blank=True)
    is_active = models.BooleanField(_("dans le périmètre"), default=True)
    added_at = models.DateTimeField(_("ajouté le"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("domaine du périmètre")
        verbose_name_plural = _("domaines du périmètre")
        ordering = ["local_service", "domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_service", "domain"],
                condition=Q(is_active=True),
                name="servicedomain_unique_active",
            ),
            models.CheckConstraint(
                name="servicedomain_domain_valid", condition=Q(domain__in=PerimeterDomain.values)
            ),
        ]

    def __str__(self):
        return str(self.get_domain_display())


# --- Eligibility requests (§1.4) -----------------------------------------------------------------------------------


class EligibilityRequestQuerySet(models.QuerySet):
    def for_user(self, user):
        """The requester's own requests; a central service's staff see those routed through it; the DITP all."""
        if sees_everything(user):
            return self
        if not user.is_authenticated:
            return self.none()
        networks = objects_with_perm(user, "candidates.view_centralservice", CentralService)
        return self.filter(Q(requested_by=user) | Q(central_service__in=networks))


class EligibilityRequest(models.Model):
    """A service outside the eligibility list asks the DITP to be added (through its central service if any)."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("demandeur")
    )
    service_name = models.CharField(_("nom du service"), max_length=200)
    siret = models.CharField(_("SIRET"), max_length=14, validators=[validate_siret])
    kind = models.CharField(_("nature du service"), max_length=30, choices=LocalServiceKind.choices)
    proposed_category = models.CharField(_("catégorie proposée"), max_length=200)
    justification = models.TextField(_("mission de service public et interactions avec les usagers"))
    central_service = models.ForeignKey(
        CentralService,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="eligibility_requests",
        verbose_name=_("service public central de rattachement"),
    )
    status = models.CharField(_("état"), max_length=30, choices=EligibilityRequestStatus.choices)
    created_at = models.DateTimeField(_("déposée le"), default=timezone.now)
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decision_reason = models.TextField(_("motif de la décision"), blank=True)
    resulting_category = models.ForeignKey(
        EligibleCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("catégorie créée"),
    )

    objects = EligibilityRequestQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("demande d’éligibilité")
        verbose_name_plural = _("demandes d’éligibilité")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="eligibilityrequest_status_valid",
                condition=Q(status__in=EligibilityRequestStatus.values),
            ),
            models.CheckConstraint(
                name="eligibilityrequest_refusal_is_motivated",
                condition=~Q(
                    status__in=[
                        EligibilityRequestStatus.REFUSED,
                        EligibilityRequestStatus.DECLINED_BY_CENTRAL,
                    ]
                )
                | ~Q(decision_reason=""),
            ),
        ]

    def __str__(self):
        return f"{self.service_name} — {self.proposed_category}"


class EligibilityRequestLog(TransitionLog):
    request = models.ForeignKey(EligibilityRequest, on_delete=models.PROTECT, related_name="log")

    class Meta(TransitionLog.Meta):
        verbose_name = _("événement de demande d’éligibilité")
        verbose_name_plural = _("historique des demandes d’éligibilité")


# --- Service contracts (§3.2) --------------------------------------------------------------------------------------


class ServiceContractQuerySet(models.QuerySet):
    def for_user(self, user):
        from registry.models import CertificationBody

        if sees_everything(user):
            return self
        return self.filter(
            Q(local_service__in=LocalService.objects.for_user(user))
            | Q(central_service__in=CentralService.objects.for_user(user))
            | Q(certification_body__in=CertificationBody.objects.for_user(user))
        )

    def covering(self, day):
        return self.filter(cycle_start__lte=day, cycle_end__gte=day, terminated_on__isnull=True)


class ServiceContract(models.Model):
    """The service contract between a candidate and a habilitated body, for the label's 3-year cycle (§3.2)."""

    certification_body = models.ForeignKey(
        "registry.CertificationBody",
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("organisme de certification"),
    )
    local_service = models.ForeignKey(
        LocalService,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("service local"),
    )
    central_service = models.ForeignKey(
        CentralService,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("service central"),
    )
    signed_on = models.DateField(_("signé le"))
    cycle_start = models.DateField(_("début du cycle couvert"))
    cycle_end = models.DateField(_("fin du cycle couvert"))
    unit_count = models.PositiveIntegerField(
        _("nombre de services locaux ou de sites"),
        help_text=_("Services locaux du réseau pour un service central, sites pour un service local."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("enregistré par")
    )
    recorded_at = models.DateTimeField(_("enregistré le"), default=timezone.now)
    terminated_on = models.DateField(_("résilié le"), null=True, blank=True)

    objects = ServiceContractQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contrat de prestation")
        verbose_name_plural = _("contrats de prestation")
        ordering = ["-cycle_start", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="servicecontract_one_candidate",
                condition=Q(local_service__isnull=False, central_service__isnull=True)
                | Q(local_service__isnull=True, central_service__isnull=False),
            ),
            models.CheckConstraint(
                name="servicecontract_cycle_ordered", condition=Q(cycle_end__gt=F("cycle_start"))
            ),
            models.CheckConstraint(name="servicecontract_units_positive", condition=Q(unit_count__gte=1)),
        ]

    def __str__(self):
        return f"{self.candidate} — {self.certification_body} ({self.cycle_start:%Y}–{self.cycle_end:%Y})"

    @property
    def candidate(self):
        return self.local_service or self.central_service


# --- The application file (§3.5) -----------------------------------------------------------------------------------


class ApplicationQuerySet(models.QuerySet):
    def for_user(self, user):
        """Candidates (and their central service) see their files; a certification body sees the files filed with
        it once submitted, never drafts; the DITP sees all."""
        from registry.models import CertificationBody

        if sees_everything(user):
            return self
        return self.filter(
            Q(local_service__in=LocalService.objects.for_user(user))
            | Q(central_service__in=CentralService.objects.for_user(user))
            | (
                Q(certification_body__in=CertificationBody.objects.for_user(user))
                & ~Q(status=ApplicationStatus.DRAFT)
            )
        )

    def open(self):
        return self.exclude(status=ApplicationStatus.CLOSED)


class Application(models.Model):
    """A dossier de candidature filed with a certification body before an audit (§3.5)."""

    local_service = models.ForeignKey(
        LocalService,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("service local candidat"),
    )
    central_service = models.ForeignKey(
        CentralService,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("service central candidat"),
    )
    central_application = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="local_applications",
        verbose_name=_("campagne du service central"),
        help_text=_("Pour un service local sélectionné dans la campagne de son réseau (§3.9.2)."),
    )
    kind = models.CharField(_("nature du dossier"), max_length=20, choices=ApplicationKind.choices)
    status = models.CharField(
        _("état"), max_length=30, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    outcome = models.CharField(_("issue"), max_length=20, choices=ApplicationOutcome.choices, blank=True)
    certification_body = models.ForeignKey(
        "registry.CertificationBody",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("organisme de certification"),
    )
    contract = models.ForeignKey(
        ServiceContract,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("contrat de prestation"),
    )
    labels_held = models.TextField(_("labels et certifications déjà obtenus"), blank=True)
    audit_start = models.DateField(_("début d’audit proposé"), null=True, blank=True)
    audit_end = models.DateField(_("fin d’audit proposée"), null=True, blank=True)
    self_assessment_on = models.DateField(_("date de l’autodiagnostic"), null=True, blank=True)
    self_assessment_summary = models.TextField(_("résultats de l’autodiagnostic"), blank=True)
    sampling_method = models.TextField(_("méthode d’échantillonnage de l’enquête usagers"), blank=True)
    user_survey_closed_on = models.DateField(_("clôture de l’enquête usagers"), null=True, blank=True)
    user_survey_score = models.DecimalField(
        _("note globale de l’enquête usagers"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    # The platform's closed campaigns the dates and scores were taken from (None: a survey run elsewhere).
    user_survey_campaign = models.ForeignKey(
        "surveys.Campaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("campagne d’enquête usagers"),
    )
    agent_survey_campaign = models.ForeignKey(
        "surveys.Campaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("campagne d’enquête agents"),
    )
    agent_survey_closed_on = models.DateField(_("clôture de l’enquête agents"), null=True, blank=True)
    agent_survey_score = models.DecimalField(
        _("note globale de l’enquête agents"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    indicators_since = models.DateField(_("indicateurs de qualité en place depuis le"), null=True, blank=True)
    indicators_summary = models.TextField(_("indicateurs de qualité de service suivis"), blank=True)
    previous_audit_on = models.DateField(
        _("date de l’audit précédent"),
        null=True,
        blank=True,
        help_text=_("Pour un audit de suivi : la date de l’audit initial."),
    )
    extension_sites = models.ManyToManyField(
        Site, blank=True, related_name="extension_applications", verbose_name=_("sites ajoutés au périmètre")
    )
    extension_domains = models.JSONField(_("domaines ajoutés au périmètre"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("créé par")
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    submitted_at = models.DateTimeField(_("déposé le"), null=True, blank=True)
    submission_count = models.PositiveSmallIntegerField(_("nombre de dépôts"), default=0)
    acknowledged_at = models.DateTimeField(_("déclaré recevable le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("clos le"), null=True, blank=True)
    refusal_notified_on = models.DateField(_("refus notifié le"), null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["status"])

    class Meta:
        verbose_name = _("dossier de candidature")
        verbose_name_plural = _("dossiers de candidature")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="application_one_candidate",
                condition=Q(local_service__isnull=False, central_service__isnull=True)
                | Q(local_service__isnull=True, central_service__isnull=False),
            ),
            models.CheckConstraint(
                name="application_status_valid", condition=Q(status__in=ApplicationStatus.values)
            ),
            models.CheckConstraint(
                name="application_kind_valid", condition=Q(kind__in=ApplicationKind.values)
            ),
            models.CheckConstraint(
                name="application_audit_dates_ordered",
                condition=Q(audit_start__isnull=True)
                | Q(audit_end__isnull=True)
                | Q(audit_end__gte=F("audit_start")),
            ),
            models.CheckConstraint(
                name="application_closed_has_outcome",
                condition=~Q(status=ApplicationStatus.CLOSED) | ~Q(outcome=""),
            ),
            models.CheckConstraint(
                name="application_scores_in_range",
                condition=(
                    Q(user_survey_score__isnull=True)
                    | Q(user_survey_score__gte=0, user_survey_score__lte=100)
                )
                & (
                    Q(agent_survey_score__isnull=True)
                    | Q(agent_survey_score__gte=0, agent_survey_score__lte=100)
                ),
            ),
            # One open file at a time per candidate.
            models.UniqueConstraint(
                fields=["local_service"],
                condition=Q(local_service__isnull=False) & ~Q(status=ApplicationStatus.CLOSED),
                name="application_one_open_per_local",
            ),
            models.UniqueConstraint(
                fields=["central_service"],
                condition=Q(central_service__isnull=False) & ~Q(status=ApplicationStatus.CLOSED),
                name="application_one_open_per_central",
            ),
        ]
        indexes = [models.Index(fields=["certification_body", "status"])]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.candidate}"

    @property
    def candidate(self):
        return self.local_service or self.central_service

    @property
    def is_editable_by_candidate(self) -> bool:
        return self.status in (ApplicationStatus.DRAFT, ApplicationStatus.COMPLEMENTS_REQUESTED)


class ApplicationLog(TransitionLog):
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="log")

    class Meta(TransitionLog.Meta):
        verbose_name = _("événement de dossier")
        verbose_name_plural = _("historique des dossiers")


class ApplicationMessage(models.Model):
    """A message of the thread between the candidate and the certification body about one file."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("auteur")
    )
    from_certification_body = models.BooleanField(_("envoyé par l’organisme"), default=False)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("envoyé le"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.author} — {self.created_at:%d/%m/%Y %H:%M}"


def _document_path(instance, filename):
    return f"applications/{instance.application_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class ApplicationDocument(models.Model):
    """An uploaded piece of a file, or an attachment of a message. Replaced pieces are kept (superseded)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="documents")
    piece = models.CharField(_("pièce"), max_length=30, choices=DocumentPiece.choices)
    message = models.ForeignKey(
        ApplicationMessage, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(_("fichier"), storage=private_storage, upload_to=_document_path, max_length=300)
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    content_type = models.CharField(_("type de contenu"), max_length=120)
    size = models.PositiveIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("déposé par"),
    )
    uploaded_at = models.DateTimeField(_("déposé le"), default=timezone.now)
    superseded_at = models.DateTimeField(_("remplacé le"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pièce du dossier")
        verbose_name_plural = _("pièces des dossiers")
        ordering = ["piece", "-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                name="applicationdocument_piece_valid", condition=Q(piece__in=DocumentPiece.values)
            ),
        ]

    def __str__(self):
        return f"{self.get_piece_display()} — {self.original_name}"


class ChecklistEntry(models.Model):
    """The certification body's completeness check of a file, one row per item (§3.5.2)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="checklist")
    item = models.CharField(_("point de contrôle"), max_length=30, choices=ChecklistItem.choices)
    is_ok = models.BooleanField(_("conforme"), default=False)
    comment = models.TextField(_("commentaire"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("vérifié par")
    )
    checked_at = models.DateTimeField(_("vérifié le"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("point de recevabilité")
        verbose_name_plural = _("points de recevabilité")
        ordering = ["application", "item"]
        constraints = [
            models.UniqueConstraint(fields=["application", "item"], name="checklistentry_unique_item"),
        ]

    def __str__(self):
        return str(self.get_item_display())
