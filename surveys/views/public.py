"""The public answer page of a survey campaign, reached by its link or QR code (§3.4).

Anonymous by design: nothing that identifies the respondent is stored — no IP address, no user agent, no
cookie beyond CSRF's, and a logged-in visitor's answer is not linked to their account. Abuse is limited by
CSRF, a honeypot field and a rate limit per client and campaign kept in the cache under a keyed SHA-256 of
the address (never the address itself).
"""

import math

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from labelsp.forms import add_service_errors
from labelsp.ratelimit import over_limit
from surveys import services
from surveys.enums import NSP_LABEL, Channel
from surveys.forms.public import PublicAnswerForm
from surveys.models import Campaign

# At most this many submissions per client IP address and campaign in RATE_LIMIT_WINDOW seconds.
RATE_LIMIT = 20
RATE_LIMIT_WINDOW = 60 * 60
# For the duration announced in the introduction.
SECONDS_PER_QUESTION = 20


def estimated_minutes(question_count: int) -> int:
    """The duration announced to respondents: about 20 seconds a question, at least a minute."""
    return max(1, math.ceil(question_count * SECONDS_PER_QUESTION / 60))


def _campaign(token):
    # Public: no user scope; the random token is the only way in.
    return get_object_or_404(
        Campaign.objects.select_related("local_service", "questionnaire"), public_token=token
    )


def _over_rate_limit(request, campaign) -> bool:
    """Count this submission; True once the client has sent more than RATE_LIMIT in the window."""
    return over_limit(
        request, scope=f"surveys.public.answer:{campaign.pk}", limit=RATE_LIMIT, window=RATE_LIMIT_WINDOW
    )


def unavailable_response(request, campaign):
    """Why a campaign cannot be answered today: not open yet, or over (closed early or past its end date)."""
    not_yet_open = campaign.closed_at is None and campaign.opens_on > timezone.localdate()
    if campaign.closed_at is not None:
        closed_on = timezone.localdate(campaign.closed_at)
    else:
        closed_on = campaign.closes_on
    return render(
        request,
        "surveys/public/unavailable.html",
        {"campaign": campaign, "not_yet_open": not_yet_open, "closed_on": closed_on},
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def answer(request, token):
    """The questionnaire of an open campaign; a campaign not open today shows why, with no form."""
    campaign = _campaign(token)
    if not campaign.is_open:
        return unavailable_response(request, campaign)
    questions = campaign.questionnaire.questions.order_by("position")
    if request.method == "POST":
        if _over_rate_limit(request, campaign):
            return render(request, "429.html", status=429)
        form = PublicAnswerForm(request.POST, questions=questions)
        if form.is_valid():
            if form.is_spam():
                return redirect("surveys:thanks", token=campaign.public_token)
            try:
                # entered_by stays empty: the answer is anonymous even from a logged-in visitor.
                services.response_record(
                    campaign=campaign, positions=form.positions(), channel=Channel.PUBLIC_LINK, complete=True
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("surveys:thanks", token=campaign.public_token)
    else:
        form = PublicAnswerForm(questions=questions)
    minutes = estimated_minutes(len(form.questions))
    return render(
        request,
        "surveys/public/answer.html",
        {"campaign": campaign, "form": form, "minutes": minutes, "nsp_label": NSP_LABEL},
    )


@login_not_required
@require_GET
def thanks(request, token):
    campaign = _campaign(token)
    return render(request, "surveys/public/thanks.html", {"campaign": campaign})
