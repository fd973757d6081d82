"""What each role has to do next: the content of the dashboard, computed from data, one function per role.

Each function returns a `Dashboard`: the organisation's key figures and a list of next actions. An
empty list of actions is a real state the template explains ("nothing to do, here is why").
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from candidates import rules, services
from candidates.enums import ApplicationStatus, EligibilityRequestStatus
from candidates.models import Application, CentralService, EligibilityRequest, LocalService
from labelsp.accounts.enums import Role
from labelsp.deadlines.models import Deadline
from registry.models import CertificationBody

# A body is warned this long before its habilitation ends, to leave time for the DITP renewal.
HABILITATION_WARNING = datetime.timedelta(days=180)
# How many of the next deadlines the dashboard lists (the whole list is on its own page).
UPCOMING_DEADLINES = 5


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
    deadlines: list = field(default_factory=list)


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
    board = builder(membership)
    board.deadlines = upcoming_deadlines(membership.user)
    return board


def upcoming_deadlines(user) -> list[Deadline]:
    """The next open or overdue deadlines of the organisations the user acts for, by due date (issue #7): the
    overdue ones, already past, come first."""
    return list(Deadline.objects.for_user(user).pending()[:UPCOMING_DEADLINES])


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
    application = Application.objects.open().filter(local_service=service).first()
    actions += _application_actions(service, application)
    if application is None:
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
        template="accounts/dashboard/_local_service.html",
        actions=actions,
        context={"service": service, "application": application},
    )


def _application_actions(candidate, application) -> list[Action]:
    """The candidate's next step on its application file, from its contract and its open file (§3.2, §3.5)."""
    today = timezone.localdate()
    actions = []
    has_contract = services.effective_contract(candidate, on=today) is not None
    if not has_contract:
        if (
            isinstance(candidate, LocalService)
            and candidate.parent_id
            and candidate.parent_confirmed_at is None
        ):
            actions.append(
                Action(
                    title=_("Votre rattachement au réseau attend sa confirmation"),
                    description=_(
                        "Le service central de votre réseau doit confirmer que votre service en fait partie ; vous "
                        "déposerez ensuite votre dossier sous son contrat."
                    ),
                    level="warning",
                )
            )
        elif isinstance(candidate, LocalService) and candidate.parent_id:
            actions.append(
                Action(
                    title=_("Votre service central n’a pas encore enregistré de contrat"),
                    description=_(
                        "Le service central choisit l’organisme de certification pour tout son réseau (§3.2) : "
                        "vous pourrez ouvrir votre dossier dès que son contrat sera enregistré."
                    ),
                )
            )
        else:
            actions.append(
                Action(
                    title=_("Choisissez votre organisme de certification"),
                    description=_(
                        "Signez un contrat de prestation avec un organisme habilité par la DITP pour le cycle de "
                        "trois ans du label, puis enregistrez-le ici (§3.2)."
                    ),
                    url=reverse("candidates:contract_create"),
                    link_label=_("Enregistrer le contrat"),
                    level="warning",
                )
            )
    if application is None:
        if has_contract:
            actions.append(
                Action(
                    title=_("Ouvrez votre dossier de candidature"),
                    description=_(
                        "Un contrat couvre votre service : ouvrez votre dossier, complétez-le et déposez-le au "
                        "moins un mois avant les dates d’audit (§3.5)."
                    ),
                    url=reverse("candidates:application_create"),
                    link_label=_("Ouvrir mon dossier"),
                )
            )
        return actions
    url = reverse("candidates:application_detail", args=[application.pk])
    status = application.status
    if status == ApplicationStatus.DRAFT:
        if application.audit_start:
            description = _(
                "Pour un audit à partir du %(audit)s, votre dossier doit être déposé au plus tard le %(date)s."
            ) % {
                "audit": date_format(application.audit_start, "j F Y"),
                "date": date_format(rules.latest_submission_date(application.audit_start), "j F Y"),
            }
        else:
            description = _(
                "Proposez vos dates d’audit : le dossier doit être déposé au moins un mois avant (§3.5.1)."
            )
        actions.append(
            Action(
                title=_("Complétez et déposez votre dossier"),
                description=description,
                url=url,
                link_label=_("Voir mon dossier"),
            )
        )
    elif status == ApplicationStatus.COMPLEMENTS_REQUESTED:
        actions.append(
            Action(
                title=_("L’organisme demande des compléments"),
                description=_("Lisez sa demande, complétez votre dossier puis déposez-le à nouveau."),
                url=url,
                link_label=_("Voir la demande"),
                level="warning",
            )
        )
    elif status in (ApplicationStatus.SUBMITTED, ApplicationStatus.RESUBMITTED):
        actions.append(
            Action(
                title=_("Dossier en cours d’examen"),
                description=_(
                    "L’organisme de certification vérifie que votre dossier est complet et valide. "
                    "Il le déclarera recevable ou vous demandera des compléments."
                ),
                url=url,
                link_label=_("Voir mon dossier"),
            )
        )
    elif status == ApplicationStatus.ACKNOWLEDGED:
        actions.append(
            Action(
                title=_("Dossier recevable"),
                description=_("L’organisme de certification vous adressera le plan d’audit."),
                url=url,
                link_label=_("Voir mon dossier"),
            )
        )
    return actions


def _central_service(membership) -> Dashboard:
    central = CentralService.objects.get(pk=membership.central_service_id)
    locals_qs = central.local_services.network_members()
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
    campaign = Application.objects.open().filter(central_service=central).first()
    actions += _application_actions(central, campaign)
    counts = dict(
        Application.objects.filter(local_service__parent=central)
        .values_list("status")
        .annotate(count=Count("pk"))
        .order_by("status")
    )
    network_files = [
        (label, counts[value]) for value, label in ApplicationStatus.choices if counts.get(value)
    ]
    return Dashboard(
        template="accounts/dashboard/_central_service.html",
        actions=actions,
        context={
            "central": central,
            "local_count": local_count,
            "without_staff": without_staff,
            "campaign": campaign,
            "network_files": network_files,
        },
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
    to_review = Application.objects.filter(
        certification_body=body, status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.RESUBMITTED]
    ).count()
    if to_review:
        actions.append(
            Action(
                title=ngettext("%(count)d dossier à examiner", "%(count)d dossiers à examiner", to_review)
                % {"count": to_review},
                description=_(
                    "Vérifiez que chaque dossier est complet et valide, puis déclarez-le recevable ou demandez des "
                    "compléments avant l’audit (§3.5.2)."
                ),
                url=reverse("candidates:review_inbox"),
                link_label=_("Voir les dossiers reçus"),
            )
        )
    return Dashboard(
        template="accounts/dashboard/_cb_manager.html",
        actions=actions,
        context={"body": body, "auditor_count": auditor_count, "to_review": to_review},
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
            url=reverse("registry:habilitation_detail", args=[body.pk]),
            link_label=_("Renouveler l’habilitation"),
            level="warning",
        )
        for body in ending
    ]
    eligibility_count = EligibilityRequest.objects.filter(status=EligibilityRequestStatus.SUBMITTED).count()
    if eligibility_count:
        actions.append(
            Action(
                title=ngettext(
                    "%(count)d demande d’éligibilité à examiner",
                    "%(count)d demandes d’éligibilité à examiner",
                    eligibility_count,
                )
                % {"count": eligibility_count},
                description=_(
                    "Des services hors de la liste des services éligibles demandent à y être ajoutés (§1.4)."
                ),
                url=reverse("candidates:eligibility_requests"),
                link_label=_("Voir les demandes"),
            )
        )
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
