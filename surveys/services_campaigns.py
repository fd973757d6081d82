"""Writes of a service's survey campaigns (§3.4): open one, close it, key in a paper questionnaire.

Typed, keyword-only, atomic. Business-rule failures raise ValidationError with French messages keyed by the
form field they concern ("__all__" for the whole form); a user who may not manage the service gets
PermissionDenied. Nothing is saved when one is raised.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from candidates import rules as candidate_rules
from candidates.models import LocalService
from candidates.permissions import can_manage_local_service
from surveys import rules, selectors
from surveys.enums import Channel, SurveyKind
from surveys.models import Campaign, Questionnaire, Response
from surveys.services import response_record


def _fr(day: datetime.date) -> str:
    return date_format(day, "j F Y")


def campaign_closed_on(campaign: Campaign, *, today: datetime.date) -> datetime.date | None:
    """The day a campaign ended: the day it was closed, or its planned closing day once that has passed.

    Interpretation: a campaign nobody closed stops at its planned closing day (answers are no longer taken),
    so the 6-month rule (§3.4) runs from that day; an explicit closing counts from the day it was done.
    """
    if campaign.closed_at is not None:
        return timezone.localdate(campaign.closed_at)
    if campaign.closes_on < today:
        return campaign.closes_on
    return None


def _running(campaigns, today: datetime.date):
    """Campaigns neither closed nor past their closing day (running, or not open yet)."""
    return campaigns.filter(closed_at__isnull=True, closes_on__gte=today)


def next_campaign_allowed_from(
    campaign: Campaign, *, today: datetime.date, results: selectors.CampaignResults | None = None
) -> datetime.date | None:
    """When an ended campaign cannot secure Bronze (users < 70, agents < 50), the day a new one is allowed (§3.4).

    None when the campaign has not ended or its score secures Bronze. `results` saves computing them again.
    """
    closed_on = campaign_closed_on(campaign, today=today)
    if closed_on is None:
        return None
    score = (results or selectors.campaign_results(campaign)).scores.global_score
    if rules.secures_bronze(campaign.kind, score):
        return None
    return rules.new_campaign_allowed_from(closed_on)


@transaction.atomic
def campaign_open(
    *,
    user,
    local_service: LocalService,
    kind: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
    population: int,
    sampling_method: str,
    today: datetime.date | None = None,
) -> Campaign:
    """Open a user or agent survey campaign on the current questionnaire of its kind (§3.4).

    One running campaign per kind at a time; after an ended campaign that could not secure Bronze, a new one
    of that kind only 6 months after its closing. The user survey states its sampling method (a representative
    sample of the users who interacted with the service in the last 12 months, §3.4.1).
    """
    today = today or timezone.localdate()
    if not can_manage_local_service(user, local_service):
        raise PermissionDenied
    # Serialise the openings of one service: the checks below must see each other's campaigns.
    LocalService.objects.select_for_update().filter(pk=local_service.pk).first()
    errors: dict[str, list[str]] = {}
    if kind not in SurveyKind.values:
        raise ValidationError({"kind": _("Choisissez le type d’enquête.")})
    if closes_on < opens_on:
        errors.setdefault("closes_on", []).append(
            _("La date de clôture ne peut pas précéder la date d’ouverture.")
        )
    if population < 1:
        errors.setdefault("population", []).append(_("Indiquez un nombre supérieur ou égal à 1."))
    sampling_method = sampling_method.strip()
    if kind == SurveyKind.USERS and not sampling_method:
        errors.setdefault("sampling_method", []).append(
            _(
                "Décrivez la méthode d’échantillonnage : un échantillon représentatif des usagers ayant été "
                "en relation avec le service au cours des 12 derniers mois."
            )
        )
    campaigns = Campaign.objects.filter(local_service=local_service, kind=kind)
    if _running(campaigns, today).exists():
        errors.setdefault("__all__", []).append(
            _(
                "Une campagne de ce type est déjà ouverte ou programmée pour ce service : "
                "clôturez-la avant d’en ouvrir une nouvelle."
            )
        )
    else:
        ended = [c for c in campaigns.filter(Q(closed_at__isnull=False) | Q(closes_on__lt=today))]
        last = max(ended, key=lambda c: (campaign_closed_on(c, today=today), c.pk), default=None)
        allowed_from = next_campaign_allowed_from(last, today=today) if last is not None else None
        if allowed_from is not None and today < allowed_from:
            errors.setdefault("opens_on", []).append(
                _(
                    "Votre précédente campagne, close le %(closed)s, ne permettait pas d’atteindre le palier "
                    "Bronze : une nouvelle campagne est possible à partir du %(date)s."
                )
                % {"closed": _fr(campaign_closed_on(last, today=today)), "date": _fr(allowed_from)}
            )
    questionnaire = Questionnaire.objects.current(kind)
    if questionnaire is None:
        errors.setdefault("__all__", []).append(
            _("Aucun questionnaire publié pour ce type d’enquête : contactez la DITP.")
        )
    if errors:
        raise ValidationError(errors)
    return Campaign.objects.create(
        local_service=local_service,
        kind=kind,
        questionnaire=questionnaire,
        opens_on=opens_on,
        closes_on=closes_on,
        population=population,
        sampling_method=sampling_method if kind == SurveyKind.USERS else "",
        created_by=user,
    )


@transaction.atomic
def campaign_close(*, user, campaign: Campaign) -> Campaign:
    """Close a campaign: no more answers; its results are final (they date from this day, §3.4)."""
    if not can_manage_local_service(user, campaign.local_service):
        raise PermissionDenied
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.closed_at is not None:
        raise ValidationError(
            _("Cette campagne est déjà close depuis le %(date)s.")
            % {"date": _fr(timezone.localdate(campaign.closed_at))}
        )
    campaign.closed_at = timezone.now()
    campaign.save(update_fields=["closed_at"])
    _schedule_closed(campaign)
    return campaign


def _surveys_run(campaign: Campaign, closed_on: datetime.date) -> None:
    """A labelled service that has now closed both a user and an agent campaign since its label's decision has run
    the surveys its cycle requires (§3.8.1, §3.9.2): that deadline is done."""
    from decisions.models import Label
    from labelsp.deadlines.enums import DeadlineKind
    from labelsp.deadlines.services import deadlines_close

    for label in Label.objects.in_force(closed_on).filter(local_service_id=campaign.local_service_id):
        kinds = set(
            Campaign.objects.filter(
                local_service_id=campaign.local_service_id, closed_at__date__gte=label.starts_on
            ).values_list("kind", flat=True)
        )
        if kinds >= {SurveyKind.USERS, SurveyKind.AGENTS}:
            deadlines_close(label, kinds=[DeadlineKind.SURVEYS])


def _schedule_closed(campaign: Campaign) -> None:
    """A closed campaign's results support an initial audit for 6 months (§3.4); one that cannot secure Bronze
    allows a new campaign 6 months after its closing: both are dated notices to the service."""
    from labelsp.deadlines.enums import DeadlineKind
    from labelsp.deadlines.services import deadline_set

    closed_on = timezone.localdate(campaign.closed_at)
    deadline_set(
        key=f"campaign:{campaign.pk}:results",
        kind=DeadlineKind.SURVEY_RESULTS_EXPIRY,
        subject=campaign,
        due_on=candidate_rules.survey_results_expire_on(closed_on),
    )
    _surveys_run(campaign, closed_on)
    allowed_from = next_campaign_allowed_from(campaign, today=closed_on)
    if allowed_from is not None:
        deadline_set(
            key=f"campaign:{campaign.pk}:new_campaign",
            kind=DeadlineKind.NEW_CAMPAIGN,
            subject=campaign,
            due_on=allowed_from,
        )


@transaction.atomic
def paper_response_record(
    *, user, campaign: Campaign, positions: dict[str, int | None], complete: bool
) -> tuple[Response, int]:
    """Key in one paper questionnaire (§3.4): staff of the service only, until the campaign is closed.

    Returns the questionnaire and its number in the campaign (the count of questionnaires received so far),
    which staff write on the paper copy.
    """
    if not can_manage_local_service(user, campaign.local_service):
        raise PermissionDenied
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.closed_at is not None:
        raise ValidationError(_("Cette campagne est close : elle ne reçoit plus de questionnaires."))
    response = response_record(
        campaign=campaign, positions=positions, channel=Channel.PAPER, complete=complete, entered_by=user
    )
    return response, campaign.responses.filter(pk__lte=response.pk).count()
