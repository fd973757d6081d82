"""What each role has to do next: the content of the dashboard, computed from data, one function per role.

Each function returns a `Dashboard`: the organisation's key figures and a list of next actions. An
empty list of actions is a real state the template explains ("nothing to do, here is why").
"""

import datetime
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from candidates.models import CentralService, LocalService
from labelsp.accounts.enums import Role
from registry.models import CertificationBody

# A body is warned this long before its habilitation ends, to leave time for the DITP renewal.
HABILITATION_WARNING = datetime.timedelta(days=180)


@dataclass
class Action:
    title: str
    description: str
    url: str = ""
    link_label: str = ""
    level: str = "info"  # info | warning


@dataclass
class Dashboard:
    template: str
    actions: list[Action] = field(default_factory=list)
    context: dict = field(default_factory=dict)


def build_dashboard(membership) -> Dashboard:
    if membership is None:
        return Dashboard(template="accounts/dashboard/_no_membership.html")
    builder = {
        Role.CANDIDATE: _local_service,
        Role.CENTRAL: _central_service,
        Role.AUDITOR: _auditor,
        Role.CB_MANAGER: _cb_manager,
        Role.DITP: _ditp,
        Role.COMMISSION: _commission,
    }[Role(membership.role)]
    return builder(membership)


def _local_service(membership) -> Dashboard:
    service = (
        LocalService.objects.with_site_figures().select_related("parent").get(pk=membership.local_service_id)
    )
    actions = []
    if service.site_count == 0:
        actions.append(
            Action(
                title=_("Déclarez vos sites"),
                description=_(
                    "Tous les sites en contact avec les usagers entrent dans le périmètre de labellisation "
                    "(§1.4.2). Déclarez au moins votre site principal."
                ),
                url=reverse("candidates:local_service_detail", args=[service.pk]),
                link_label=_("Voir mon service"),
                level="warning",
            )
        )
    elif not service.sites.filter(kind="principal", is_active=True).exists():
        actions.append(
            Action(
                title=_("Désignez votre site principal"),
                description=_("Un service multi-sites pilote ses sites depuis son site principal (§1.4.2)."),
                url=reverse("candidates:local_service_detail", args=[service.pk]),
                link_label=_("Voir mes sites"),
                level="warning",
            )
        )
    actions.append(
        Action(
            title=_("Préparez votre candidature"),
            description=_(
                "Avant l’audit : autodiagnostic de moins de 12 mois, enquêtes usagers et agents de moins de "
                "6 mois, dossier déposé au moins un mois avant les dates d’audit (§3.1 à §3.5)."
            ),
        )
    )
    return Dashboard(
        template="accounts/dashboard/_local_service.html", actions=actions, context={"service": service}
    )


def _central_service(membership) -> Dashboard:
    central = CentralService.objects.get(pk=membership.central_service_id)
    locals_qs = central.local_services.all()
    local_count = locals_qs.count()
    without_staff = locals_qs.exclude(
        memberships__revoked_at__isnull=True, memberships__role=Role.CANDIDATE
    ).count()
    actions = []
    if local_count == 0:
        actions.append(
            Action(
                title=_("Rattachez vos services locaux"),
                description=_("Aucun service local n’est encore rattaché à votre réseau."),
                level="warning",
            )
        )
    elif without_staff:
        actions.append(
            Action(
                title=ngettext(
                    "%(count)d service local n’a pas encore de référent",
                    "%(count)d services locaux n’ont pas encore de référent",
                    without_staff,
                )
                % {"count": without_staff},
                description=_(
                    "Chaque service local audité déposera son propre dossier dans la même campagne (§3.9.2)."
                ),
                url=reverse("candidates:central_service_detail", args=[central.pk]),
                link_label=_("Voir le réseau"),
                level="warning",
            )
        )
    return Dashboard(
        template="accounts/dashboard/_central_service.html",
        actions=actions,
        context={"central": central, "local_count": local_count, "without_staff": without_staff},
    )


def _auditor(membership) -> Dashboard:
    return Dashboard(
        template="accounts/dashboard/_auditor.html", context={"body": membership.certification_body}
    )


def _cb_manager(membership) -> Dashboard:
    body = membership.certification_body
    today = timezone.localdate()
    actions = []
    if not body.habilitation_is_active(today):
        actions.append(
            Action(
                title=_("Votre habilitation n’est pas active"),
                description=_(
                    "Tant que l’habilitation DITP n’est pas active, votre organisme ne peut ni être choisi par "
                    "les candidats ni délivrer de décision."
                ),
                level="warning",
            )
        )
    elif body.habilitation_end - today <= HABILITATION_WARNING:
        actions.append(
            Action(
                title=_("Votre habilitation arrive à échéance"),
                description=_("Elle prend fin le %(date)s : rapprochez-vous de la DITP pour la renouveler.")
                % {"date": body.habilitation_end.strftime("%d/%m/%Y")},
                level="warning",
            )
        )
    auditor_count = body.memberships.active().filter(role=Role.AUDITOR).count()
    if auditor_count == 0:
        actions.append(
            Action(
                title=_("Aucun auditeur rattaché"),
                description=_("Rattachez au moins un auditeur pour pouvoir planifier des audits."),
                url=reverse("registry:certification_body_detail", args=[body.pk]),
                link_label=_("Voir mon organisme"),
                level="warning",
            )
        )
    return Dashboard(
        template="accounts/dashboard/_cb_manager.html",
        actions=actions,
        context={"body": body, "auditor_count": auditor_count},
    )


def _ditp(membership) -> Dashboard:
    today = timezone.localdate()
    bodies = list(CertificationBody.objects.order_by("habilitation_end"))
    ending = [
        b
        for b in bodies
        if b.habilitation_is_active(today) and b.habilitation_end - today <= HABILITATION_WARNING
    ]
    actions = [
        Action(
            title=_("Habilitation de %(name)s à renouveler") % {"name": body.name},
            description=_("Elle prend fin le %(date)s.")
            % {"date": body.habilitation_end.strftime("%d/%m/%Y")},
            url=reverse("registry:certification_body_detail", args=[body.pk]),
            link_label=_("Voir l’organisme"),
            level="warning",
        )
        for body in ending
    ]
    return Dashboard(
        template="accounts/dashboard/_ditp.html",
        actions=actions,
        context={
            "bodies": bodies,
            "habilitated_count": sum(1 for b in bodies if b.habilitation_is_active(today)),
            "local_count": LocalService.objects.count(),
            "central_count": CentralService.objects.count(),
        },
    )


def _commission(membership) -> Dashboard:
    return Dashboard(
        template="accounts/dashboard/_commission.html",
        context={
            "habilitated_count": CertificationBody.objects.habilitated().count(),
            "local_count": LocalService.objects.count(),
            "central_count": CentralService.objects.count(),
        },
    )
