"""Personal invitations by e-mail (§3.4): staff upload a list of addresses; each person gets a link that takes
one answer.

The page of a campaign's invitations shows how many were sent and answered, never who: the addresses are not
kept after sending, and nothing links an invitation to the questionnaire it produced.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from candidates.permissions import can_manage_local_service
from labelsp.forms import add_service_errors
from surveys import services_invitations
from surveys.enums import NSP_LABEL
from surveys.forms.invitations import InvitationForm
from surveys.forms.public import PublicAnswerForm
from surveys.models import Campaign, Invitation
from surveys.views.public import estimated_minutes, unavailable_response


@require_http_methods(["GET", "POST"])
def invitation_list(request, pk):
    """How many people were invited and how many answered; the staff send new invitations from here."""
    campaign = get_object_or_404(
        Campaign.objects.for_user(request.user).select_related("local_service", "questionnaire"), pk=pk
    )
    can_manage = can_manage_local_service(request.user, campaign.local_service)
    form = None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        form = InvitationForm(request.POST, request.FILES)
        if form.is_valid():
            entries = form.entries()
            try:
                sent, skipped = services_invitations.invitations_send(
                    user=request.user,
                    campaign=campaign,
                    emails=[address for _line, address in entries],
                    line_numbers=[line for line, _address in entries],
                )
            except ValidationError as error:
                add_service_errors(form, error, renames={"emails": form.source_field})
            else:
                message = _("%(sent)s invitation(s) envoyée(s).") % {"sent": sent}
                if skipped:
                    message += " " + _(
                        "%(skipped)s adresse(s) déjà invitée(s) à cette enquête ou en double n’ont pas reçu de "
                        "nouveau message."
                    ) % {"skipped": skipped}
                messages.success(request, message)
                return redirect("surveys:invitation_list", campaign.pk)
    elif can_manage and campaign.is_open:
        form = InvitationForm()
    counts = campaign.invitations.aggregate(
        invited=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False))
    )
    return render(
        request,
        "surveys/invitations/list.html",
        {
            "campaign": campaign,
            "service": campaign.local_service,
            "invited": counts["invited"],
            "answered": counts["answered"],
            "can_manage": can_manage,
            "is_open": campaign.is_open,
            "form": form,
        },
    )


def _already_answered(request, campaign):
    return render(request, "surveys/invitations/answered.html", {"campaign": campaign})


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_answer(request, token):
    """The questionnaire reached by a personal invitation: the public form, but the link takes one answer."""
    # Public: no user scope; the random token is the only way in.
    invitation = get_object_or_404(
        Invitation.objects.select_related("campaign__local_service", "campaign__questionnaire"), token=token
    )
    campaign = invitation.campaign
    if invitation.answered_at is not None:
        return _already_answered(request, campaign)
    if not campaign.is_open:
        return unavailable_response(request, campaign)
    questions = campaign.questionnaire.questions.order_by("position")
    if request.method == "POST":
        form = PublicAnswerForm(request.POST, questions=questions)
        if form.is_valid():
            if form.is_spam():
                return redirect("surveys:thanks", token=campaign.public_token)
            try:
                response = services_invitations.invitation_answer_record(
                    invitation=invitation, positions=form.positions()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if response is None:  # answered meanwhile, from another tab or device
                    return _already_answered(request, campaign)
                return redirect("surveys:thanks", token=campaign.public_token)
    else:
        form = PublicAnswerForm(questions=questions)
    minutes = estimated_minutes(len(form.questions))
    return render(
        request,
        "surveys/public/answer.html",
        {"campaign": campaign, "form": form, "minutes": minutes, "nsp_label": NSP_LABEL},
    )
