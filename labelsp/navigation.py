"""The main navigation of the header: what each role may reach, in order."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from labelsp.accounts.enums import Role


@dataclass
class NavItem:
    label: str
    url: str
    # Sections (a service, a network) stay highlighted on their sub-pages; the dashboard only on itself.
    section: bool = True

    current: bool = False

    def is_current(self, path: str) -> bool:
        return path == self.url or (self.section and path.startswith(self.url))


def nav_items(request) -> list[NavItem]:
    items = _items_for(request)
    for item in items:
        item.current = item.is_current(request.path)
    return items


def _items_for(request) -> list[NavItem]:
    eligibility = NavItem(_("Services éligibles"), reverse("candidates:eligibility_list"), section=False)
    register = NavItem(_("Registre des labellisés"), reverse("registre:list"))
    if not request.user.is_authenticated:
        return [NavItem(_("Accueil"), reverse("home"), section=False), register, eligibility]
    items = [NavItem(_("Tableau de bord"), reverse("accounts:dashboard"), section=False)]
    membership = request.membership
    role = Role(membership.role) if membership is not None else None
    if role == Role.CANDIDATE:
        items += [
            NavItem(
                _("Mon service"),
                reverse("candidates:local_service_detail", args=[membership.local_service_id]),
            ),
            NavItem(_("Mes dossiers"), reverse("candidates:application_list")),
            NavItem(_("Enquêtes"), reverse("surveys:campaign_list")),
            NavItem(_("Audits"), reverse("audits:audit_list")),
        ]
    elif role == Role.CENTRAL:
        items += [
            NavItem(
                _("Mon réseau"),
                reverse("candidates:central_service_detail", args=[membership.central_service_id]),
            ),
            NavItem(_("Dossiers"), reverse("candidates:application_list")),
            NavItem(_("Enquêtes"), reverse("surveys:campaign_list")),
            NavItem(_("Audits"), reverse("audits:audit_list")),
        ]
    elif role in (Role.AUDITOR, Role.CB_MANAGER):
        items += [
            NavItem(_("Dossiers reçus"), reverse("candidates:review_inbox")),
            NavItem(_("Audits"), reverse("audits:audit_list")),
            NavItem(
                _("Mon organisme"),
                reverse("registry:certification_body_detail", args=[membership.certification_body_id]),
            ),
        ]
    elif role == Role.DITP:
        items += [
            NavItem(_("Demandes d’éligibilité"), reverse("candidates:eligibility_requests")),
            NavItem(_("Audits"), reverse("audits:audit_list")),
            NavItem(_("Questionnaires"), reverse("surveys:questionnaire_list")),
            NavItem(_("Grilles d’audit"), reverse("audits:grid_list")),
            NavItem(_("Pilotage"), reverse("registry:backoffice_home")),
        ]
    elif role is None:
        items.append(NavItem(_("Inscrire mon service"), reverse("candidates:register")))
    if role in (Role.DITP, Role.COMMISSION):
        items.append(NavItem(_("Statistiques"), reverse("statistiques:dashboard")))
    items.append(eligibility)
    if request.user.is_staff:
        items.append(NavItem(_("Administration"), reverse("admin:index")))
    return items
