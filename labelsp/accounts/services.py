"""Writes on accounts and memberships. Each grant or revocation keeps the object permissions in step."""

from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from labelsp.accounts.enums import ROLE_OBJECT_PERMISSIONS, ROLE_ORGANISATION_FIELD, Role
from labelsp.accounts.models import Membership, User

SESSION_KEY = "labelsp_active_membership"


def _forget_cached_roles(user: User) -> None:
    user.__dict__.pop("_labelsp_national_roles", None)


@transaction.atomic
def membership_grant(*, user: User, role: Role | str, organisation=None) -> Membership:
    """Give `user` the `role` in `organisation` (None for the DITP and the commission).

    Idempotent: an active membership that already matches is returned unchanged.
    """
    role = Role(role)
    field = ROLE_ORGANISATION_FIELD[role]
    if (field is None) != (organisation is None):
        raise ValueError(f"Role {role} expects {'no organisation' if field is None else field}.")
    lookup = {"user": user, "role": role, **({field: organisation} if field else {})}
    membership = Membership.objects.active().filter(**lookup).first()
    if membership is None:
        membership = Membership.objects.create(**lookup)
    for perm in ROLE_OBJECT_PERMISSIONS[role]:
        assign_perm(perm, user, organisation)
    _forget_cached_roles(user)
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership) -> Membership:
    """End a membership; the permissions it granted go unless another active membership still grants them."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.revoked_at is not None:
        return membership
    membership.revoked_at = timezone.now()
    membership.save(update_fields=["revoked_at"])
    organisation = membership.organisation
    if organisation is not None:
        still_granted = set()
        field = ROLE_ORGANISATION_FIELD[Role(membership.role)]
        for other in Membership.objects.active().filter(user=membership.user, **{field: organisation}):
            still_granted.update(ROLE_OBJECT_PERMISSIONS[Role(other.role)])
        for perm in ROLE_OBJECT_PERMISSIONS[Role(membership.role)]:
            if perm not in still_granted:
                remove_perm(perm, membership.user, organisation)
    _forget_cached_roles(membership.user)
    return membership


def membership_activate(*, request, membership: Membership) -> None:
    """Make `membership` the one the user currently acts through (kept in the session)."""
    if membership.user_id != request.user.pk or not membership.is_active:
        raise PermissionError("A user can only switch to one of their own active memberships.")
    request.session[SESSION_KEY] = membership.pk
    request.membership = membership
