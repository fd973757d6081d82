"""Every write of the candidate side (§1.4, §3.1–§3.5). Typed, keyword-only, atomic; they record who acted.

Business-rule failures raise django.core.exceptions.ValidationError with French messages keyed by field,
so views can show each message next to its field; nothing is saved when one is raised.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates import permissions, rules
from candidates.enums import (
    REQUIRED_PIECES,
    ApplicationKind,
    ApplicationOutcome,
    ApplicationStatus,
    ChecklistItem,
    DocumentPiece,
    EligibilityRequestStatus,
    PerimeterDomain,
    SiteKind,
)
from candidates.models import (
    Application,
    ApplicationDocument,
    ApplicationLog,
    ApplicationMessage,
    CentralService,
    ChecklistEntry,
    EligibilityRequest,
    EligibilityRequestLog,
    EligibleCategory,
    LocalService,
    ServiceContract,
    ServiceDomain,
    Site,
)
from labelsp.accounts import services as account_services
from labelsp.accounts.enums import Role
from labelsp.accounts.recipients import body_manager_emails, ditp_emails, service_staff_emails
from labelsp.emails import send_templated_email
from labelsp.uploads import check_upload
from labelsp.workflow import Transition, TransitionNotAllowed, transition

S = ApplicationStatus

# --- Registration (§1.4) -------------------------------------------------------------------------------------------


@transaction.atomic
def service_register(
    *, user, category: EligibleCategory, parent: CentralService | None, sites: list[dict], **fields
) -> LocalService:
    """A candidate registers its service and its sites; the registrant becomes its first staff member."""
    if not category.is_active:
        raise ValidationError(
            {"category": _("Cette catégorie n’est plus sur la liste des services éligibles.")}
        )
    duplicate = ValidationError(
        {"siret": _("Un service est déjà inscrit avec ce SIRET : demandez à son référent de vous rattacher.")}
    )
    if LocalService.objects.filter(siret=fields.get("siret")).exists():
        raise duplicate
    if not sites:
        raise ValidationError({"__all__": _("Déclarez au moins un site en contact avec les usagers.")})
    # A service that says it belongs to a network enters it once the central service confirms (§1.4.1).
    service = LocalService(
        kind=category.kind, category=category, parent=parent, registered_at=timezone.now(), **fields
    )
    service.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            service.save()
    except IntegrityError:  # the same SIRET registered a moment ago by someone else
        raise duplicate from None
    for site in sites:
        site_add(user=user, local_service=service, _skip_permission=True, **site)
    _check_one_principal(service)
    account_services.membership_grant(user=user, role=Role.CANDIDATE, organisation=service)
    if parent is not None:
        emails = _central_emails(parent)
        transaction.on_commit(
            lambda: send_templated_email(
                to=emails, template="network_attachment_requested", context={"service": service}
            )
        )
    return service


@transaction.atomic
def network_attachment_confirm(*, user, local_service: LocalService) -> LocalService:
    """The central service confirms that a self-declared local service belongs to its network."""
    if local_service.parent is None or not permissions.can_manage_central_service(user, local_service.parent):
        raise PermissionDenied
    if local_service.parent_confirmed_at is None:
        local_service.parent_confirmed_at = timezone.now()
        local_service.save(update_fields=["parent_confirmed_at"])
    return local_service


@transaction.atomic
def network_attachment_refuse(*, user, local_service: LocalService, reason: str) -> LocalService:
    """The central service refuses the attachment: the service stays registered, as an independent one."""
    if local_service.parent is None or not permissions.can_manage_central_service(user, local_service.parent):
        raise PermissionDenied
    if local_service.parent_confirmed_at is not None:
        raise ValidationError({"__all__": _("Ce service fait déjà partie du réseau.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Indiquez le motif : il est communiqué au service.")})
    central = local_service.parent
    local_service.parent = None
    local_service.save(update_fields=["parent"])
    emails = service_staff_emails(local_service)
    transaction.on_commit(
        lambda: send_templated_email(
            to=emails,
            template="network_attachment_refused",
            context={"service": local_service, "central": central, "reason": reason},
        )
    )
    return local_service


def _check_one_principal(service):
    principals = service.sites.active().filter(kind="principal").count()
    if principals != 1:
        raise ValidationError({"__all__": _("Un service a exactement un site principal.")})


def site_add(*, user, local_service: LocalService, _skip_permission: bool = False, **fields) -> Site:
    if not _skip_permission and not permissions.can_manage_local_service(user, local_service):
        raise PermissionDenied
    site = Site(local_service=local_service, **fields)
    site.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            site.save()
    except IntegrityError:
        raise ValidationError({"kind": _("Ce service a déjà un site principal.")}) from None
    return site


@transaction.atomic
def site_update(*, user, site: Site, **fields) -> Site:
    """Edit a site. Making it the principal site demotes the current one (a service has exactly one)."""
    if not permissions.can_manage_local_service(user, site.local_service):
        raise PermissionDenied
    was_principal = site.kind == SiteKind.PRINCIPAL
    becomes_principal = fields.get("kind", site.kind) == SiteKind.PRINCIPAL
    if was_principal and not becomes_principal:
        raise ValidationError(
            {
                "kind": _(
                    "Un service a exactement un site principal : désignez plutôt le nouveau site principal."
                )
            }
        )
    if becomes_principal and not was_principal:
        for previous in site.local_service.sites.active().filter(kind=SiteKind.PRINCIPAL).exclude(pk=site.pk):
            previous.kind = SiteKind.SECONDARY
            previous.save(update_fields=["kind"])
    for name, value in fields.items():
        setattr(site, name, value)
    site.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            site.save()
    except IntegrityError:
        raise ValidationError({"kind": _("Ce service a déjà un site principal.")}) from None
    return site


@transaction.atomic
def site_deactivate(*, user, site: Site) -> Site:
    """A site leaves the perimeter; it is kept (audits and attestations may name it)."""
    if not permissions.can_manage_local_service(user, site.local_service):
        raise PermissionDenied
    if site.kind == "principal":
        raise ValidationError(
            _("Le site principal ne peut pas être retiré : désignez d’abord un autre site principal.")
        )
    site.is_active = False
    site.save(update_fields=["is_active"])
    return site


@transaction.atomic
def perimeter_set(*, user, local_service: LocalService, domains: dict[str, str]) -> list[ServiceDomain]:
    """Declare a local authority's perimeter: `domains` maps each chosen domain to its detail (§1.4.2)."""
    if not permissions.can_manage_local_service(user, local_service):
        raise PermissionDenied
    problems = rules.perimeter_problems(local_service.kind, set(domains))
    if PerimeterDomain.OTHER in domains and not domains[PerimeterDomain.OTHER].strip():
        problems.append(_("Précisez l’autre service proposé au périmètre."))
    if problems:
        raise ValidationError({"domains": problems})
    current = {d.domain: d for d in local_service.domains.filter(is_active=True)}
    for domain, existing in current.items():
        if domain not in domains:
            existing.is_active = False
            existing.save(update_fields=["is_active"])
    for domain, detail in domains.items():
        if domain in current:
            if current[domain].detail != detail:
                current[domain].detail = detail
                current[domain].save(update_fields=["detail"])
        else:
            ServiceDomain.objects.create(local_service=local_service, domain=domain, detail=detail)
    return list(local_service.domains.filter(is_active=True))


# --- Eligibility requests (§1.4) -----------------------------------------------------------------------------------

ER = EligibilityRequestStatus
ELIGIBILITY_FORWARD = Transition("forward", [ER.AWAITING_CENTRAL], ER.SUBMITTED)
ELIGIBILITY_DECLINE = Transition("decline", [ER.AWAITING_CENTRAL], ER.DECLINED_BY_CENTRAL)
ELIGIBILITY_ACCEPT = Transition("accept", [ER.SUBMITTED], ER.ACCEPTED)
ELIGIBILITY_REFUSE = Transition("refuse", [ER.SUBMITTED], ER.REFUSED)


def _eligibility_transition(request, spec, *, actor, reason="", **extra):
    try:
        return transition(
            request,
            spec,
            actor=actor,
            reason=reason,
            extra_updates=extra,
            log_model=EligibilityRequestLog,
            log_fk="request",
        )
    except TransitionNotAllowed:
        raise ValidationError({"__all__": _("Cette demande a déjà été traitée.")}) from None


@transaction.atomic
def eligibility_request_file(*, user, central_service: CentralService | None, **fields) -> EligibilityRequest:
    """Filed to the DITP, or first to the central service when the service belongs to a network."""
    status = ER.AWAITING_CENTRAL if central_service else ER.SUBMITTED
    request = EligibilityRequest(requested_by=user, central_service=central_service, status=status, **fields)
    request.full_clean()
    request.save()
    EligibilityRequestLog.objects.create(
        request=request, transition="file", from_state="", to_state=status, actor=user
    )
    recipients = ditp_emails() if status == ER.SUBMITTED else _central_emails(central_service)
    transaction.on_commit(
        lambda: send_templated_email(
            to=recipients, template="eligibility_filed", context={"request": request}
        )
    )
    return request


@transaction.atomic
def eligibility_request_forward(*, user, request: EligibilityRequest) -> EligibilityRequest:
    """The central service passes the request on to the DITP, who is told by e-mail."""
    if not request.central_service or not permissions.can_manage_central_service(
        user, request.central_service
    ):
        raise PermissionDenied
    request = _eligibility_transition(request, ELIGIBILITY_FORWARD, actor=user)
    emails = ditp_emails()
    transaction.on_commit(
        lambda: send_templated_email(to=emails, template="eligibility_filed", context={"request": request})
    )
    return request


def eligibility_request_decline(*, user, request: EligibilityRequest, reason: str) -> EligibilityRequest:
    if not request.central_service or not permissions.can_manage_central_service(
        user, request.central_service
    ):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Indiquez le motif : il est communiqué au demandeur.")})
    request = _eligibility_transition(
        request,
        ELIGIBILITY_DECLINE,
        actor=user,
        reason=reason,
        decision_reason=reason,
        decided_at=timezone.now(),
    )
    _notify_requester(request)
    return request


@transaction.atomic
def eligibility_request_accept(
    *, user, request: EligibilityRequest, category_name: str, reason: str = ""
) -> EligibilityRequest:
    """The DITP accepts: the eligibility list gains the category (or reactivates it)."""
    _require_ditp(user)
    category_name = category_name.strip() or request.proposed_category
    category, _created = EligibleCategory.objects.get_or_create(
        name=category_name, defaults={"kind": request.kind, "description": request.justification[:2000]}
    )
    if not category.is_active:
        category.is_active = True
        category.save(update_fields=["is_active"])
    request = _eligibility_transition(
        request,
        ELIGIBILITY_ACCEPT,
        actor=user,
        reason=reason,
        decision_reason=reason,
        decided_at=timezone.now(),
        resulting_category=category,
    )
    _notify_requester(request)
    return request


def eligibility_request_refuse(*, user, request: EligibilityRequest, reason: str) -> EligibilityRequest:
    _require_ditp(user)
    if not reason.strip():
        raise ValidationError({"reason": _("Un refus doit être motivé : indiquez le motif.")})
    request = _eligibility_transition(
        request,
        ELIGIBILITY_REFUSE,
        actor=user,
        reason=reason,
        decision_reason=reason,
        decided_at=timezone.now(),
    )
    _notify_requester(request)
    return request


def _require_ditp(user):
    from labelsp.accounts.scoping import sees_everything

    if not sees_everything(user):
        raise PermissionDenied


def _notify_requester(request):
    transaction.on_commit(
        lambda: send_templated_email(
            to=[request.requested_by.email], template="eligibility_decided", context={"request": request}
        )
    )


def _central_emails(central) -> list[str]:
    return service_staff_emails(central)


# --- Certification body and contract (§3.2) -------------------------------------------------------------------------


def effective_contract(candidate, *, on: datetime.date) -> ServiceContract | None:
    """The contract that covers `candidate` on `on`: its own, or its central service's for a network's local (§3.2)."""
    if isinstance(candidate, LocalService) and candidate.parent_id:
        if candidate.parent_confirmed_at is None:
            return None  # not in the network until its central service confirms
        return ServiceContract.objects.covering(on).filter(central_service_id=candidate.parent_id).first()
    lookup = (
        {"central_service": candidate}
        if isinstance(candidate, CentralService)
        else {"local_service": candidate}
    )
    return ServiceContract.objects.covering(on).filter(**lookup).first()


@transaction.atomic
def contract_record(
    *,
    user,
    candidate,
    certification_body,
    signed_on: datetime.date,
    cycle_start: datetime.date,
    unit_count: int,
    today: datetime.date | None = None,
) -> ServiceContract:
    """Record the signed service contract with a body habilitated today (§3.2).

    A central service chooses the body for its whole network: its locals cannot sign their own.
    """
    today = today or timezone.localdate()
    if not permissions.can_manage_candidate(user, candidate):
        raise PermissionDenied
    errors = {}
    if isinstance(candidate, LocalService) and candidate.parent_id:
        errors["certification_body"] = _(
            "Votre service central choisit l’organisme de certification pour tout son réseau."
        )
    elif not certification_body.habilitation_is_active(today):
        errors["certification_body"] = _("Cet organisme n’est pas habilité par la DITP à ce jour.")
    if signed_on > today:
        errors["signed_on"] = _("Le contrat doit être signé : sa date de signature ne peut pas être future.")
    if (
        ServiceContract.objects.covering(cycle_start)
        .filter(
            **(
                {"central_service": candidate}
                if isinstance(candidate, CentralService)
                else {"local_service": candidate}
            )
        )
        .exists()
    ):
        errors["cycle_start"] = _("Un contrat couvre déjà ce cycle.")
    if errors:
        raise ValidationError(errors)
    contract = ServiceContract(
        certification_body=certification_body,
        local_service=candidate if isinstance(candidate, LocalService) else None,
        central_service=candidate if isinstance(candidate, CentralService) else None,
        signed_on=signed_on,
        cycle_start=cycle_start,
        cycle_end=rules.contract_cycle_end(cycle_start),
        unit_count=unit_count,
        recorded_by=user,
    )
    contract.full_clean()
    contract.save()
    return contract


# --- The application file (§3.5) ----------------------------------------------------------------------------------

APP_SUBMIT = Transition("submit", [S.DRAFT], S.SUBMITTED)
APP_RESUBMIT = Transition("resubmit", [S.COMPLEMENTS_REQUESTED], S.RESUBMITTED)
APP_REQUEST_COMPLEMENTS = Transition(
    "request_complements", [S.SUBMITTED, S.RESUBMITTED], S.COMPLEMENTS_REQUESTED
)
APP_ACKNOWLEDGE = Transition("acknowledge", [S.SUBMITTED, S.RESUBMITTED], S.ACKNOWLEDGED)
APP_CLOSE = Transition("close", [S.ACKNOWLEDGED], S.CLOSED)
APP_WITHDRAW = Transition(
    "withdraw", [S.DRAFT, S.SUBMITTED, S.COMPLEMENTS_REQUESTED, S.RESUBMITTED], S.CLOSED
)
APPLICATION_TRANSITIONS = (
    APP_SUBMIT,
    APP_RESUBMIT,
    APP_REQUEST_COMPLEMENTS,
    APP_ACKNOWLEDGE,
    APP_CLOSE,
    APP_WITHDRAW,
)


def _application_transition(application, spec, *, actor, reason="", **extra):
    try:
        return transition(
            application,
            spec,
            actor=actor,
            reason=reason,
            extra_updates=extra,
            log_model=ApplicationLog,
            log_fk="application",
        )
    except TransitionNotAllowed:
        raise ValidationError(
            {
                "__all__": _("Action impossible : le dossier est à l’état « %(status)s ».")
                % {"status": application.get_status_display()}
            }
        ) from None


def last_refusal_date(candidate) -> datetime.date | None:
    """The date of the refusal that starts the candidate's 6-month wait (§3.8.1): the latest refusal decision still
    in force (a refusal corrected or overturned on appeal no longer counts), or the dated notification of a file
    the body refused without a decision recorded on the platform."""
    from decisions.enums import DecisionOutcome
    from decisions.models import Decision

    lookup = (
        {"central_service": candidate}
        if isinstance(candidate, CentralService)
        else {"local_service": candidate}
    )
    decided = Decision.objects.filter(
        **lookup, outcome=DecisionOutcome.REFUSAL, replaced_by__isnull=True
    ).aggregate(last=Max("decided_on"))["last"]
    notified = Application.objects.filter(
        **lookup,
        outcome=ApplicationOutcome.REFUSED,
        refusal_notified_on__isnull=False,
        decisions__isnull=True,
    ).aggregate(last=Max("refusal_notified_on"))["last"]
    return max((day for day in (decided, notified) if day), default=None)


@transaction.atomic
def application_create(*, user, candidate, kind: str, today: datetime.date | None = None) -> Application:
    """Open a new file with the body of the contract that covers the candidate today."""
    today = today or timezone.localdate()
    if not permissions.can_manage_candidate(user, candidate):
        raise PermissionDenied
    lookup = (
        {"central_service": candidate}
        if isinstance(candidate, CentralService)
        else {"local_service": candidate}
    )
    if Application.objects.open().filter(**lookup).exists():
        raise ValidationError(
            {"kind": _("Un dossier est déjà en cours : terminez-le ou retirez-le d’abord.")}
        )
    refused_on = last_refusal_date(candidate)
    if refused_on and kind in (ApplicationKind.INITIAL, ApplicationKind.RENEWAL):
        allowed_from = rules.new_application_allowed_from(refused_on)
        if today < allowed_from:
            raise ValidationError(
                {
                    "kind": _(
                        "Après un refus notifié le %(refused)s, une nouvelle candidature est possible à partir du %(date)s."
                    )
                    % {"refused": rules._fr(refused_on), "date": rules._fr(allowed_from)}
                }
            )
    contract = effective_contract(candidate, on=today)
    if isinstance(candidate, LocalService) and candidate.parent_id and candidate.parent_confirmed_at is None:
        raise ValidationError(
            {
                "kind": _(
                    "Votre rattachement au réseau %(network)s attend la confirmation de son service central : "
                    "le dossier sera ouvert sous son contrat une fois le rattachement confirmé."
                )
                % {"network": candidate.parent.network_name}
            }
        )
    if contract is None:
        raise ValidationError(
            {
                "kind": _(
                    "Aucun contrat de prestation ne couvre votre service aujourd’hui : choisissez un organisme de "
                    "certification habilité et enregistrez le contrat signé avant d’ouvrir un dossier."
                )
            }
        )
    central_application = None
    if isinstance(candidate, LocalService) and candidate.parent_id:
        central_application = (
            Application.objects.open().filter(central_service_id=candidate.parent_id).first()
        )
    application = Application.objects.create(
        **lookup,
        kind=kind,
        certification_body=contract.certification_body,
        contract=contract,
        central_application=central_application,
        created_by=user,
    )
    ApplicationLog.objects.create(
        application=application, transition="create", from_state="", to_state=S.DRAFT, actor=user
    )
    return application


EDITABLE_FIELDS = {
    "labels_held",
    "audit_start",
    "audit_end",
    "self_assessment_on",
    "self_assessment_summary",
    "sampling_method",
    "user_survey_campaign",
    "user_survey_closed_on",
    "user_survey_score",
    "agent_survey_campaign",
    "agent_survey_closed_on",
    "agent_survey_score",
    "indicators_since",
    "indicators_summary",
    "previous_audit_on",
    "extension_domains",
}


@transaction.atomic
def application_update(*, user, application: Application, extension_sites=None, **fields) -> Application:
    if not permissions.can_edit_application(user, application):
        raise PermissionDenied
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(application, name, value)
    if application.audit_start and application.audit_end and application.audit_end < application.audit_start:
        raise ValidationError({"audit_end": _("La fin de l’audit ne peut pas précéder son début.")})
    for name, kind in (("user_survey_campaign", "users"), ("agent_survey_campaign", "agents")):
        campaign = fields.get(name)
        if campaign is not None and (
            campaign.local_service_id != application.local_service_id
            or campaign.closed_at is None
            or campaign.kind != kind
        ):
            raise ValidationError(
                {name: _("Choisissez une campagne close de votre service, de ce type d’enquête.")}
            )
    application.full_clean(
        exclude=["local_service", "central_service", "created_by"], validate_constraints=False
    )
    application.save(update_fields=sorted(fields))
    if extension_sites is not None:
        sites = list(extension_sites)
        if any(site.local_service_id != application.local_service_id for site in sites):
            raise ValidationError({"extension_sites": _("Ces sites n’appartiennent pas à votre service.")})
        application.extension_sites.set(sites)
    if "audit_start" in fields:
        _schedule_file(application)
    return application


def _schedule_file(application: Application) -> None:
    """The file is due one month before the proposed audit dates (§3.5.1): a deadline while it is not filed."""
    from labelsp.deadlines.enums import DeadlineKind, DeadlineStatus
    from labelsp.deadlines.services import deadline_set, deadlines_close

    if application.audit_start is None:
        deadlines_close(application, kinds=[DeadlineKind.APPLICATION_FILE], status=DeadlineStatus.CANCELLED)
        return
    deadline_set(
        key=f"application:{application.pk}:file",
        kind=DeadlineKind.APPLICATION_FILE,
        subject=application,
        due_on=rules.latest_submission_date(application.audit_start),
    )


@transaction.atomic
def document_add(
    *, user, application: Application, piece: str, uploaded, message: ApplicationMessage | None = None
) -> ApplicationDocument:
    """Attach a piece (checked by content and size); the previous version of the same piece is kept, superseded."""
    if message is None and not permissions.can_edit_application(user, application):
        raise PermissionDenied
    try:
        checked = check_upload(uploaded)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from None
    if message is None and piece != DocumentPiece.OTHER:
        application.documents.filter(piece=piece, superseded_at__isnull=True, message__isnull=True).update(
            superseded_at=timezone.now()
        )
    document = ApplicationDocument(
        application=application,
        piece=piece,
        message=message,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=user,
    )
    document.file.save(checked.name, checked.file, save=False)
    document.save()
    return document


def current_documents(application: Application):
    return application.documents.filter(superseded_at__isnull=True, message__isnull=True)


def submission_problems(application: Application, *, today: datetime.date) -> dict[str, list[str]]:
    """Everything that keeps a file from being submitted, keyed by form field ("__all__" for the file)."""
    problems: dict[str, list[str]] = {}

    def add(field, message):
        if message:
            problems.setdefault(field, []).append(message)

    required = {
        "audit_start": _("Proposez des dates d’audit."),
        "audit_end": _("Proposez des dates d’audit."),
        "self_assessment_on": _("Indiquez la date de l’autodiagnostic."),
        "self_assessment_summary": _("Présentez les résultats de l’autodiagnostic."),
        "sampling_method": _("Décrivez la méthode d’échantillonnage de l’enquête usagers."),
        "user_survey_closed_on": _("Indiquez la date de clôture de l’enquête usagers."),
        "user_survey_score": _("Indiquez la note globale de l’enquête usagers."),
        "agent_survey_closed_on": _("Indiquez la date de clôture de l’enquête agents."),
        "agent_survey_score": _("Indiquez la note globale de l’enquête agents."),
        "indicators_since": _("Indiquez depuis quand vos indicateurs de qualité sont en place."),
        "indicators_summary": _("Listez vos indicateurs de qualité de service."),
    }
    for field, message in required.items():
        if getattr(application, field) in (None, ""):
            add(field, message)
    present = set(current_documents(application).values_list("piece", flat=True))
    missing = [DocumentPiece(p).label for p in REQUIRED_PIECES if p not in present]
    if missing:
        add(
            "documents", _("Pièces manquantes : %(pieces)s.") % {"pieces": ", ".join(str(m) for m in missing)}
        )
    audit = application.audit_start
    if audit:
        add("audit_start", rules.submission_problem(today, audit))
        if application.self_assessment_on:
            add("self_assessment_on", rules.self_assessment_problem(application.self_assessment_on, audit))
        initial = application.kind in (ApplicationKind.INITIAL, ApplicationKind.RENEWAL)
        for field in ("user_survey_closed_on", "agent_survey_closed_on"):
            if getattr(application, field):
                add(field, rules.survey_problem(getattr(application, field), audit, initial=initial))
    if application.indicators_since:
        add("indicators_since", rules.indicators_problem(application.indicators_since, today))
    if application.kind == ApplicationKind.FOLLOW_UP:
        if not application.previous_audit_on:
            add("previous_audit_on", _("Indiquez la date de l’audit initial."))
        elif (
            application.self_assessment_on
            and application.user_survey_closed_on
            and application.agent_survey_closed_on
        ):
            for message in rules.follow_up_problems(
                previous_audit=application.previous_audit_on,
                self_assessment=application.self_assessment_on,
                user_survey=application.user_survey_closed_on,
                agent_survey=application.agent_survey_closed_on,
            ):
                add("__all__", message)
    if application.kind == ApplicationKind.EXTENSION and not (
        application.extension_domains or application.extension_sites.exists()
    ):
        add(
            "extension_sites",
            _("Une extension de périmètre doit indiquer les sites ou les domaines ajoutés."),
        )
    return problems


@transaction.atomic
def application_submit(*, user, application: Application, today: datetime.date | None = None) -> Application:
    """File (or re-file after a complements request) a complete, valid file; produces the proof of deposit."""
    today = today or timezone.localdate()
    if not permissions.can_edit_application(user, application):
        raise PermissionDenied
    problems = submission_problems(application, today=today)
    if problems:
        raise ValidationError(problems)
    spec = APP_SUBMIT if application.status == S.DRAFT else APP_RESUBMIT
    application = _application_transition(
        application,
        spec,
        actor=user,
        submitted_at=timezone.now(),
        submission_count=application.submission_count + 1,
    )
    application_id, number = application.pk, application.submission_count
    from labelsp.deadlines.enums import DeadlineKind
    from labelsp.deadlines.services import deadlines_close

    deadlines_close(application, kinds=[DeadlineKind.APPLICATION_FILE])
    transaction.on_commit(lambda: _queue_receipt(application_id, number))
    emails = body_manager_emails(application.certification_body)
    transaction.on_commit(
        lambda: send_templated_email(
            to=emails, template="application_submitted", context={"application": application}
        )
    )
    return application


def _queue_receipt(application_id, number):
    from candidates.tasks import render_deposit_receipt

    render_deposit_receipt.delay(application_id, number)


def _save_checklist(*, user, application, checklist: dict[str, tuple[bool, str]]):
    for item, (is_ok, comment) in checklist.items():
        ChecklistEntry.objects.update_or_create(
            application=application,
            item=item,
            defaults={"is_ok": is_ok, "comment": comment, "checked_by": user, "checked_at": timezone.now()},
        )


def contract_problem(application: Application) -> str | None:
    """No file is acknowledged without a signed contract covering the proposed audit (§3.5.2)."""
    day = application.audit_start or timezone.localdate()
    contract = effective_contract(application.candidate, on=day)
    if contract is None or contract.certification_body_id != application.certification_body_id:
        return _("Aucun contrat signé avec ce candidat ne couvre les dates d’audit proposées.")
    return None


@transaction.atomic
def application_request_complements(
    *, user, application: Application, message: str, checklist: dict
) -> Application:
    if not permissions.can_review_application(user, application):
        raise PermissionDenied
    if not message.strip():
        raise ValidationError({"message": _("Précisez au candidat les compléments attendus.")})
    _save_checklist(user=user, application=application, checklist=checklist)
    application = _application_transition(application, APP_REQUEST_COMPLEMENTS, actor=user, reason=message)
    message_post(user=user, application=application, body=message)
    return application


@transaction.atomic
def application_acknowledge(*, user, application: Application, checklist: dict) -> Application:
    if not permissions.can_review_application(user, application):
        raise PermissionDenied
    problem = contract_problem(application)
    if problem:
        raise ValidationError({"__all__": problem})
    missing = [
        ChecklistItem(item).label for item in ChecklistItem.values if not checklist.get(item, (False, ""))[0]
    ]
    if missing:
        raise ValidationError(
            {
                "__all__": _("Avant de déclarer le dossier recevable, vérifiez : %(items)s.")
                % {"items": "; ".join(str(m) for m in missing)}
            }
        )
    _save_checklist(user=user, application=application, checklist=checklist)
    application = _application_transition(
        application, APP_ACKNOWLEDGE, actor=user, acknowledged_at=timezone.now()
    )
    emails = service_staff_emails(application.candidate)
    transaction.on_commit(
        lambda: send_templated_email(
            to=emails, template="application_acknowledged", context={"application": application}
        )
    )
    return application


@transaction.atomic
def application_close(
    *,
    user,
    application: Application,
    outcome: str,
    reason: str = "",
    refusal_notified_on: datetime.date | None = None,
) -> Application:
    """The body closes an acknowledged file once its audit and decision are done."""
    if not permissions.can_review_application(user, application):
        raise PermissionDenied
    if outcome == ApplicationOutcome.REFUSED and not refusal_notified_on:
        raise ValidationError({"refusal_notified_on": _("Indiquez la date de notification du refus.")})
    if outcome == ApplicationOutcome.WITHDRAWN:
        raise ValidationError({"outcome": _("Seul le candidat peut retirer son dossier.")})
    return _application_transition(
        application,
        APP_CLOSE,
        actor=user,
        reason=reason,
        outcome=outcome,
        closed_at=timezone.now(),
        refusal_notified_on=refusal_notified_on if outcome == ApplicationOutcome.REFUSED else None,
    )


@transaction.atomic
def application_withdraw(*, user, application: Application, reason: str = "") -> Application:
    if not permissions.can_manage_candidate(user, application.candidate):
        raise PermissionDenied
    return _application_transition(
        application,
        APP_WITHDRAW,
        actor=user,
        reason=reason,
        outcome=ApplicationOutcome.WITHDRAWN,
        closed_at=timezone.now(),
    )


@transaction.atomic
def message_post(*, user, application: Application, body: str, attachments=()) -> ApplicationMessage:
    """A message of the file's thread; the other side is told by e-mail."""
    if not permissions.can_post_message(user, application):
        raise PermissionDenied
    if not body.strip():
        raise ValidationError({"body": _("Le message est vide.")})
    from_body = permissions.is_member_of_body(
        user, application.certification_body
    ) and not permissions.can_manage_candidate(user, application.candidate)
    message = ApplicationMessage.objects.create(
        application=application, author=user, body=body.strip(), from_certification_body=from_body
    )
    for uploaded in attachments:
        document_add(
            user=user, application=application, piece=DocumentPiece.OTHER, uploaded=uploaded, message=message
        )
    emails = (
        service_staff_emails(application.candidate)
        if from_body
        else body_manager_emails(application.certification_body)
    )
    transaction.on_commit(
        lambda: send_templated_email(
            to=emails,
            template="application_message",
            context={"application": application, "message": message},
        )
    )
    return message
