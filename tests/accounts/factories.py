import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from labelsp.accounts import services
from labelsp.accounts.enums import Role
from labelsp.accounts.models import User

DEFAULT_PASSWORD = "Un-mot-de-passe-solide-2026"


class UserFactory(factory.django.DjangoModelFactory):
    """A person with a verified e-mail address. Traits give them a membership of each role."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"agent{n}@exemple.gouv.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        if create:
            self.save()

    class Params:
        candidate = factory.Trait(
            membership=factory.RelatedFactory(
                "tests.accounts.factories.MembershipFactory", factory_related_name="user", role=Role.CANDIDATE
            )
        )
        central = factory.Trait(
            membership=factory.RelatedFactory(
                "tests.accounts.factories.MembershipFactory", factory_related_name="user", role=Role.CENTRAL
            )
        )
        auditor = factory.Trait(
            membership=factory.RelatedFactory(
                "tests.accounts.factories.MembershipFactory", factory_related_name="user", role=Role.AUDITOR
            )
        )
        cb_manager = factory.Trait(
            membership=factory.RelatedFactory(
                "tests.accounts.factories.MembershipFactory",
                factory_related_name="user",
                role=Role.CB_MANAGER,
            )
        )
        ditp = factory.Trait(
            membership=factory.RelatedFactory(
                "tests.accounts.factories.MembershipFactory", factory_related_name="user", role=Role.DITP
            )
        )
        commission = factory.Trait(
            membership=factory.RelatedFactory(
                "tests.accounts.factories.MembershipFactory",
                factory_related_name="user",
                role=Role.COMMISSION,
            )
        )


class MembershipFactory(factory.Factory):
    """Grants a membership through the service, so that object permissions follow, as in production.

    `organisation` defaults to a new organisation of the kind the role needs.
    """

    class Meta:
        model = dict

    user = factory.SubFactory(UserFactory)
    role = Role.CANDIDATE
    organisation = None

    @classmethod
    def _create(cls, model_class, user, role, organisation=None):
        role = Role(role)
        if organisation is None:
            organisation = _default_organisation(role)
        return services.membership_grant(user=user, role=role, organisation=organisation)

    _build = _create


def _default_organisation(role):
    from tests.candidates.factories import CentralServiceFactory, LocalServiceFactory
    from tests.registry.factories import CertificationBodyFactory

    return {
        Role.CANDIDATE: LocalServiceFactory,
        Role.CENTRAL: CentralServiceFactory,
        Role.AUDITOR: CertificationBodyFactory,
        Role.CB_MANAGER: CertificationBodyFactory,
    }.get(role, lambda: None)()


def give_totp(user) -> TOTP:
    """Set up a TOTP authenticator for `user` (as if they had scanned the QR code)."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing:
        return existing.wrap()
    return TOTP.activate(user, generate_totp_secret())
