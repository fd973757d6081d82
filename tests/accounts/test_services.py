import pytest
from django.db import IntegrityError, transaction
from guardian.shortcuts import get_perms

from candidates.models import LocalService
from labelsp.accounts import services
from labelsp.accounts.enums import Role
from labelsp.accounts.models import Membership
from registry.models import CertificationBody
from tests.accounts.factories import UserFactory
from tests.candidates.factories import CentralServiceFactory, LocalServiceFactory
from tests.registry.factories import CertificationBodyFactory

pytestmark = pytest.mark.django_db


def test_grant_gives_object_permissions_on_the_organisation_only():
    user = UserFactory()
    own, other = LocalServiceFactory(), LocalServiceFactory()
    services.membership_grant(user=user, role=Role.CANDIDATE, organisation=own)
    assert set(get_perms(user, own)) == {"view_localservice", "change_localservice"}
    assert get_perms(user, other) == []
    assert list(LocalService.objects.for_user(user)) == [own]


def test_grant_is_idempotent():
    user, body = UserFactory(), CertificationBodyFactory()
    first = services.membership_grant(user=user, role=Role.AUDITOR, organisation=body)
    second = services.membership_grant(user=user, role=Role.AUDITOR, organisation=body)
    assert first.pk == second.pk
    assert Membership.objects.filter(user=user).count() == 1


@pytest.mark.parametrize(
    ("role", "needs_organisation"),
    [
        (Role.CANDIDATE, True),
        (Role.CENTRAL, True),
        (Role.AUDITOR, True),
        (Role.DITP, False),
        (Role.COMMISSION, False),
    ],
)
def test_grant_refuses_a_missing_or_superfluous_organisation(role, needs_organisation):
    user = UserFactory()
    organisation = None if needs_organisation else LocalServiceFactory()
    with pytest.raises(ValueError):
        services.membership_grant(user=user, role=role, organisation=organisation)
    assert not Membership.objects.exists()


def test_revoke_removes_permissions_and_scope_but_keeps_the_row():
    user, local = UserFactory(), LocalServiceFactory()
    membership = services.membership_grant(user=user, role=Role.CANDIDATE, organisation=local)
    services.membership_revoke(membership=membership)
    membership.refresh_from_db()
    assert membership.revoked_at is not None
    assert get_perms(user, local) == []
    assert not LocalService.objects.for_user(user).exists()
    # Revoking twice is harmless and keeps the first date.
    revoked_at = membership.revoked_at
    services.membership_revoke(membership=membership)
    membership.refresh_from_db()
    assert membership.revoked_at == revoked_at


def test_revoke_keeps_permissions_another_active_membership_still_grants():
    user, body = UserFactory(), CertificationBodyFactory()
    manager = services.membership_grant(user=user, role=Role.CB_MANAGER, organisation=body)
    services.membership_grant(user=user, role=Role.AUDITOR, organisation=body)
    services.membership_revoke(membership=manager)
    assert set(get_perms(user, body)) == {"view_certificationbody"}
    assert list(CertificationBody.objects.for_user(user)) == [body]


def test_a_revoked_membership_can_be_granted_again():
    user, local = UserFactory(), LocalServiceFactory()
    services.membership_revoke(
        membership=services.membership_grant(user=user, role=Role.CANDIDATE, organisation=local)
    )
    services.membership_grant(user=user, role=Role.CANDIDATE, organisation=local)
    assert Membership.objects.filter(user=user).count() == 2
    assert Membership.objects.active().filter(user=user).count() == 1


def test_database_refuses_a_membership_whose_organisation_does_not_match_its_role():
    user, local = UserFactory(), LocalServiceFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.AUDITOR, local_service=local)


def test_database_refuses_two_active_identical_memberships():
    user = UserFactory()
    Membership.objects.create(user=user, role=Role.DITP)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.DITP)


def test_central_staff_see_every_local_of_their_network_and_nothing_else():
    central = CentralServiceFactory()
    network = LocalServiceFactory.create_batch(3, parent=central)
    LocalServiceFactory(parent=CentralServiceFactory())
    LocalServiceFactory()
    user = UserFactory()
    services.membership_grant(user=user, role=Role.CENTRAL, organisation=central)
    assert set(LocalService.objects.for_user(user)) == set(network)


def test_ditp_sees_everything_and_global_permissions_grant_nothing():
    from django.contrib.auth.models import Permission

    LocalServiceFactory.create_batch(2)
    ditp = UserFactory()
    services.membership_grant(user=ditp, role=Role.DITP)
    assert LocalService.objects.for_user(ditp).count() == 2

    # A model-level (global) permission must not open object scopes: accept_global_perms=False.
    other = UserFactory()
    other.user_permissions.add(Permission.objects.get(codename="view_localservice"))
    assert not LocalService.objects.for_user(other).exists()


def test_superuser_without_ditp_membership_sees_no_organisation_in_the_application():
    LocalServiceFactory()
    admin = UserFactory(is_staff=True, is_superuser=True)
    assert not LocalService.objects.for_user(admin).exists()


@pytest.mark.parametrize(
    ("role", "required"),
    [
        (Role.CANDIDATE, False),
        (Role.CENTRAL, False),
        (Role.AUDITOR, False),
        (Role.COMMISSION, False),
        (Role.CB_MANAGER, True),
        (Role.DITP, True),
    ],
)
def test_mfa_is_required_for_managers_and_ditp(role, required):
    from tests.accounts.factories import MembershipFactory

    user = UserFactory()
    MembershipFactory(user=user, role=role)
    assert user.requires_mfa is required
