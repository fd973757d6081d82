"""Writes of the personal invitations (§3.4): send them from a list of addresses, take one answer per link.

Typed, keyword-only, atomic. Business-rule failures raise ValidationError with French messages keyed by the
form field they concern ("__all__" for the whole form); a user who may not manage the service gets
PermissionDenied. Nothing is saved (and nothing sent) when one is raised.
"""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from candidates.permissions import can_manage_local_service
from labelsp.emails import send_templated_email
from labelsp.links import absolute_url
from surveys.enums import Channel
from surveys.invitations import email_digest
from surveys.models import Campaign, Invitation, Response
from surveys.services import response_record

logger = logging.getLogger(__name__)

# At most this many addresses in one upload: the messages are rendered in the request.
MAX_ADDRESSES = 5000


def invitation_url(invitation: Invitation) -> str:
    return absolute_url(reverse("surveys:invitation_answer", args=[invitation.token]))


def _send(campaign: Campaign, recipients: list[tuple[str, Invitation]]) -> None:
    """Queue one message per address, then date the invitations queued. Runs after the commit.

    An address that could not be queued leaves its invitation without `sent_at`; the address is not kept.
    """
    queued = []
    for address, invitation in recipients:
        try:
            send_templated_email(
                to=[address],
                template="survey_invitation",
                context={"campaign": campaign, "url": invitation_url(invitation)},
            )
        except Exception:
            logger.exception("Invitation %s of campaign %s could not be queued", invitation.pk, campaign.pk)
        else:
            queued.append(invitation.pk)
    Invitation.objects.filter(pk__in=queued).update(sent_at=timezone.now())


@transaction.atomic
def invitations_send(
    *, user, campaign: Campaign, emails: list[str], line_numbers: list[int] | None = None
) -> tuple[int, int]:
    """Invite each address of `emails` to answer `campaign`, by a personal link that takes one answer.

    Staff of the campaign's service only, while the campaign is open. Every address is checked first: one bad
    address refuses the whole list, each reported with its line (`line_numbers`, else its position in the list).
    An address already invited to this campaign, or repeated in the list, is skipped. Returns (sent, skipped).
    The addresses are used to send the messages once the transaction commits, then forgotten: only their
    digest is stored.
    """
    if not can_manage_local_service(user, campaign.local_service):
        raise PermissionDenied
    # Serialise the uploads of one campaign: the duplicate check below must see the other's rows.
    campaign = (
        Campaign.objects.select_for_update(of=("self",)).select_related("local_service").get(pk=campaign.pk)
    )
    if not campaign.is_open:
        raise ValidationError(
            _("Cette campagne n’est pas ouverte : elle ne peut pas recevoir d’invitations.")
        )
    if line_numbers is None:
        line_numbers = list(range(1, len(emails) + 1))
    entries = [
        (line, address.strip()) for line, address in zip(line_numbers, emails, strict=True) if address.strip()
    ]
    if not entries:
        raise ValidationError({"emails": _("Indiquez au moins une adresse e-mail.")})
    if len(entries) > MAX_ADDRESSES:
        raise ValidationError(
            {
                "emails": _(
                    "La liste compte %(count)s adresses : envoyez-en au plus %(max)s à la fois, "
                    "en plusieurs envois."
                )
                % {"count": len(entries), "max": MAX_ADDRESSES}
            }
        )
    errors = []
    for line, address in entries:
        try:
            validate_email(address)
        except ValidationError:
            errors.append(
                _("Ligne %(line)s : « %(address)s » n’est pas une adresse e-mail valide.")
                % {"line": line, "address": Truncator(address).chars(80)}
            )
    if errors:
        raise ValidationError({"emails": errors})

    unique: dict[str, str] = {}
    for _line, address in entries:
        unique.setdefault(email_digest(address), address)
    already = set(
        Invitation.objects.filter(campaign=campaign, email_digest__in=list(unique)).values_list(
            "email_digest", flat=True
        )
    )
    new = {digest: address for digest, address in unique.items() if digest not in already}
    invitations = Invitation.objects.bulk_create(
        Invitation(campaign=campaign, email_digest=digest) for digest in new
    )
    recipients = list(zip(new.values(), invitations, strict=True))
    transaction.on_commit(lambda: _send(campaign, recipients))
    return len(invitations), len(entries) - len(invitations)


@transaction.atomic
def invitation_answer_record(*, invitation: Invitation, positions: dict[str, int | None]) -> Response | None:
    """Record the questionnaire answered through a personal invitation: one answer per invitation (§3.4).

    The invitation is marked answered by a conditional UPDATE in the same transaction as the questionnaire:
    of two concurrent answers, the second waits for the first, finds the invitation answered and records
    nothing (returns None). Nothing links the invitation to the questionnaire (anonymity).
    """
    used = Invitation.objects.filter(pk=invitation.pk, answered_at__isnull=True).update(
        answered_at=timezone.now()
    )
    if not used:
        return None
    return response_record(
        campaign=invitation.campaign, positions=positions, channel=Channel.INVITATION, complete=True
    )
