"""Accessibility in a real browser: axe-core (through axe-playwright-python, which bundles axe.min.js) on every main
page of every role, with the WCAG 2.0 / 2.1 A and AA rules (those RGAA 4 maps to): no violation allowed. Then the
public survey and the candidate's application completed with the keyboard only, focus visible at every step.

The pages are those of the demo (`manage.py seed_demo`: files, audits, labels and campaigns in every state, the people
of every role), plus the few objects the demo has no example of (an audit being planned, a file ready for its
decision, a labelled service's own staff). Browser tests are transactional: the demo is seeded once per role, each
page of the role checked in a subtest named after it.
"""

import io
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.urls import reverse

from labelsp.accounts.enums import Role
from tests.browser_support import DESKTOP, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE = Axe()


# --- The demo and the objects it lacks ----------------------------------------------------------------------


class Demo:
    """The seeded demo, and the objects and people the pages need, looked up by their demo names."""

    def __init__(self):
        call_command("seed_demo", stdout=io.StringIO())

    @staticmethod
    def user(email):
        from labelsp.accounts.models import User

        return User.objects.get(email=email)

    @staticmethod
    def local(name):
        from candidates.models import LocalService

        return LocalService.objects.get(name=name)

    def application_of(self, name):
        from candidates.models import Application

        return Application.objects.filter(local_service__name=name).order_by("-pk").first()

    def audit_of(self, name):
        from audits.models import Audit

        return Audit.objects.get(local_service__name=name)

    def label_of(self, name, **filters):
        from decisions.models import Label

        return Label.objects.filter(local_service__name=name, **filters).order_by("-pk").first()

    def decision_of(self, name, **filters):
        from decisions.models import Decision

        return Decision.objects.filter(local_service__name=name, **filters).order_by("-pk").first()

    def campaign_of(self, name, kind):
        from surveys.models import Campaign

        return Campaign.objects.get(local_service__name=name, kind=kind)

    def certiqual(self):
        from registry.models import CertificationBody

        return CertificationBody.objects.get(name="Certiqual Services Publics")

    def planning_audit(self):
        """An audit of CAF du Nord's file being planned by Certiqual, with Julien Mercier proposed (not declared)."""
        from audits.enums import AssignmentStatus
        from audits.models import AuditAssignment
        from candidates.enums import ApplicationStatus
        from tests.audits.factories import AuditFactory

        application = self.application_of("CAF du Nord")
        type(application).objects.filter(pk=application.pk).update(status=ApplicationStatus.ACKNOWLEDGED)
        application.refresh_from_db()
        audit = AuditFactory(application=application, created_by=self.user(SOPHIE))
        assignment = AuditAssignment.objects.create(
            audit=audit,
            auditor=self.user(JULIEN),
            proposed_by=self.user(SOPHIE),
            status=AssignmentStatus.PROPOSED,
        )
        return audit, assignment

    def labelled_staff(self):
        """An agent of CAF des Bouches-du-Rhône (labelled Or): the demo has none."""
        from tests.accounts.factories import MembershipFactory

        return MembershipFactory(
            role=Role.CANDIDATE, organisation=self.local("CAF des Bouches-du-Rhône")
        ).user

    def invitation_token(self):
        from surveys.invitations import email_digest
        from surveys.models import Invitation

        campaign = self.campaign_of("CAF du Rhône", "users")
        return Invitation.objects.create(
            campaign=campaign, email_digest=email_digest("usager@exemple.fr")
        ).token


# The demo's people (labelsp/demo/organisations.py and its siblings).
MARC = "marc.dubois@demo.caf.example"  # CAF du Rhône: file awaiting complements, open user campaign
GIRONDE = "qualite.33@demo.caf.example"  # CAF de la Gironde: audit in progress
NICOLAS = "nicolas.girard@demo.villeurbanne.example"  # Villeurbanne (a commune): audited, refused, appeal
AURELIE = "aurelie.petit@demo.prefecture-gironde.example"  # the prefecture: draft file
LAURENT = "laurent.chevalier@demo.prefecture-gironde.example"  # eligibility requests in every state
ISABELLE = "isabelle.moreau@demo.cnaf.example"  # the CNAF (central)
JULIEN = "julien.mercier@demo.certiqual.example"  # Certiqual auditor grading CAF de la Gironde
NADIA = "nadia.benali@demo.certiqual.example"  # Certiqual auditor of Villeurbanne (report sent)
SOPHIE = "sophie.garnier@demo.certiqual.example"  # Certiqual manager
HELENE = "helene.rousseau@demo.ditp.example"  # DITP
BERNARD = "bernard.lefevre@demo.commission.example"  # national commission
NO_ROLE = "sans rôle"  # someone who has just created an account


@dataclass(frozen=True)
class Page:
    name: str
    url: callable  # Demo -> path
    who: object = None  # an e-mail, a callable Demo -> User, or None (the role's first person)
    then: callable = None  # what to do on the page before checking it (send a form with errors)


def _send(selector="main form", fields=None):
    """Send the page's form (typed `fields` first, {css selector: text}) and check the page it answers with."""

    def send(page):
        for target, text in (fields or {}).items():
            page.fill(target, text)
        with page.expect_navigation():
            # The server's answer is what is checked, not the browser's own validation bubbles.
            page.evaluate(
                "(selector) => { const form = document.querySelector(selector);"
                " form.noValidate = true; form.requestSubmit(); }",
                selector,
            )
        assert page.locator(".fr-error-text, .fr-alert--error, .fr-message--error").count(), page.url

    return send


def _r(name, *args):
    return lambda d: reverse(name, args=[a(d) if callable(a) else a for a in args])


ANONYMOUS_PAGES = [
    Page("accueil", _r("home")),
    Page("connexion", _r("account_login")),
    Page("inscription", _r("account_signup")),
    Page("mot de passe oublié", _r("account_reset_password")),
    Page("services éligibles", _r("candidates:eligibility_list")),
    Page("registre", _r("registre:list")),
    Page("registre filtré", lambda d: reverse("registre:list") + "?q=Marseille"),
    Page(
        "registre : page d’un service",
        _r("registre:service", lambda d: d.local("CAF des Bouches-du-Rhône").siret),
    ),
    Page("registre : organismes", _r("registre:bodies")),
    Page(
        "vérification d’une attestation",
        _r(
            "decisions:attestation_verify",
            lambda d: d.label_of("CAF des Bouches-du-Rhône").attestations.order_by("-version").first().token,
        ),
    ),
    Page(
        "vérification d’une attestation remplacée",
        _r(
            "decisions:attestation_verify",
            lambda d: d.label_of("CAF des Bouches-du-Rhône").attestations.order_by("version").first().token,
        ),
    ),
    Page("vérification par fichier", _r("decisions:attestation_check_upload")),
    Page(
        "connexion : erreur",
        _r("account_login"),
        then=_send("main form", {"input[name=login]": MARC, "input[name=password]": "pas le bon"}),
    ),
    Page("inscription : erreurs", _r("account_signup"), then=_send("main form")),
    Page(
        "questionnaire public",
        _r("surveys:answer", lambda d: d.campaign_of("CAF du Rhône", "users").public_token),
    ),
    Page(
        "questionnaire : merci",
        _r("surveys:thanks", lambda d: d.campaign_of("CAF du Rhône", "users").public_token),
    ),
    Page("questionnaire : invitation", _r("surveys:invitation_answer", lambda d: d.invitation_token())),
    Page("page introuvable", lambda d: "/cette-page-n-existe-pas/"),
]

CANDIDATE_PAGES = [
    Page("tableau de bord", _r("accounts:dashboard"), MARC),
    Page("mes rôles", _r("accounts:memberships"), LAURENT),
    Page("mon compte", _r("account_email"), MARC),
    Page("sécurité du compte", _r("mfa_index"), MARC),
    Page("mon service", _r("candidates:local_service_detail", lambda d: d.local("CAF du Rhône").pk), MARC),
    Page("ajouter un site", _r("candidates:site_add", lambda d: d.local("CAF du Rhône").pk), MARC),
    Page(
        "modifier un site",
        _r("candidates:site_edit", lambda d: d.local("CAF du Rhône").sites.order_by("pk").first().pk),
        MARC,
    ),
    Page(
        "périmètre", _r("candidates:perimeter_edit", lambda d: d.local("Mairie de Villeurbanne").pk), NICOLAS
    ),
    Page("contrat", _r("candidates:contract_create"), AURELIE),
    Page(
        "ajouter un site : erreurs",
        _r("candidates:site_add", lambda d: d.local("CAF du Rhône").pk),
        MARC,
        then=_send('main form[method="post"]'),
    ),
    Page("mes dossiers", _r("candidates:application_list"), MARC),
    Page("nouveau dossier", _r("candidates:application_create"), AURELIE),
    Page(
        "dossier : compléments demandés",
        _r("candidates:application_detail", lambda d: d.application_of("CAF du Rhône").pk),
        MARC,
    ),
    Page(
        "dossier : modifier",
        _r("candidates:application_edit", lambda d: d.application_of("CAF du Rhône").pk),
        MARC,
    ),
    Page(
        "dossier : brouillon",
        _r("candidates:application_detail", lambda d: d.application_of("Préfecture de la Gironde").pk),
        AURELIE,
    ),
    Page(
        "dossier : brouillon, modifier",
        _r("candidates:application_edit", lambda d: d.application_of("Préfecture de la Gironde").pk),
        AURELIE,
    ),
    Page(
        "dossier : modifier, erreurs",
        _r("candidates:application_edit", lambda d: d.application_of("Préfecture de la Gironde").pk),
        AURELIE,
        then=_send('main form[method="post"]', {"#id_user_survey_score": "150"}),
    ),
    Page(
        "dossier : dépôt refusé",
        _r("candidates:application_detail", lambda d: d.application_of("Préfecture de la Gironde").pk),
        AURELIE,
        then=_send('main form[action$="/deposer/"]'),
    ),
    Page(
        "dossier : refusé",
        _r("candidates:application_detail", lambda d: d.application_of("Mairie de Villeurbanne").pk),
        NICOLAS,
    ),
    Page("demandes d’éligibilité", _r("candidates:eligibility_requests"), LAURENT),
    Page("nouvelle demande d’éligibilité", _r("candidates:eligibility_create"), LAURENT),
    Page(
        "demande d’éligibilité",
        _r("candidates:eligibility_detail", lambda d: _eligibility(d, "refused").pk),
        LAURENT,
    ),
    Page("enquêtes", _r("surveys:campaign_list"), MARC),
    Page("nouvelle enquête", _r("surveys:campaign_create"), MARC),
    Page(
        "nouvelle enquête : erreurs",
        lambda d: reverse("surveys:campaign_create") + "?kind=users",
        MARC,
        then=_send('main form[method="post"]'),
    ),
    Page(
        "enquête en cours",
        _r("surveys:campaign_detail", lambda d: d.campaign_of("CAF du Rhône", "users").pk),
        MARC,
    ),
    Page(
        "enquête close",
        _r("surveys:campaign_detail", lambda d: d.campaign_of("CAF du Rhône", "agents").pk),
        MARC,
    ),
    Page(
        "enquête non valide",
        _r("surveys:campaign_detail", lambda d: d.campaign_of("Préfecture de la Gironde", "users").pk),
        AURELIE,
    ),
    Page(
        "saisie papier", _r("surveys:paper_entry", lambda d: d.campaign_of("CAF du Rhône", "users").pk), MARC
    ),
    Page(
        "invitations",
        _r("surveys:invitation_list", lambda d: d.campaign_of("CAF du Rhône", "users").pk),
        MARC,
    ),
    Page("audits", _r("audits:audit_list"), GIRONDE),
    Page("audit en cours", _r("audits:audit_detail", lambda d: d.audit_of("CAF de la Gironde").pk), GIRONDE),
    Page(
        "tirage",
        _r("audits:draw_detail", lambda d: d.audit_of("CAF de la Gironde").draws.first().pk),
        GIRONDE,
    ),
    Page(
        "audit terminé", _r("audits:audit_detail", lambda d: d.audit_of("Mairie de Villeurbanne").pk), NICOLAS
    ),
    Page(
        "observations sur le rapport",
        _r("audits:report_answer", lambda d: d.audit_of("Mairie de Villeurbanne").pk),
        NICOLAS,
    ),
    Page(
        "décision de refus",
        _r("decisions:decision_detail", lambda d: d.decision_of("Mairie de Villeurbanne").pk),
        NICOLAS,
    ),
    Page(
        "recours",
        _r("decisions:decision_appeals", lambda d: d.decision_of("Mairie de Villeurbanne").pk),
        NICOLAS,
    ),
    Page(
        "label", _r("decisions:label_detail", lambda d: d.label_of("CAF des Bouches-du-Rhône").pk), "labelled"
    ),
    Page(
        "décision d’attribution",
        _r(
            "decisions:decision_detail",
            lambda d: d.decision_of("CAF des Bouches-du-Rhône", outcome="award").pk,
        ),
        "labelled",
    ),
    Page("mes échéances", _r("deadlines:deadline_list"), NICOLAS),
    Page("notifications", _r("deadlines:notification_list"), NICOLAS),
]

CENTRAL_PAGES = [
    Page("tableau de bord", _r("accounts:dashboard")),
    Page(
        "mon réseau",
        _r(
            "candidates:central_service_detail",
            lambda d: d.user(ISABELLE).memberships.get().central_service_id,
        ),
    ),
    Page("un service du réseau", _r("candidates:local_service_detail", lambda d: d.local("CAF du Rhône").pk)),
    Page("dossiers", _r("candidates:application_list")),
    Page("dossier du réseau", _r("candidates:application_detail", lambda d: _central_application(d).pk)),
    Page(
        "dossier d’un service du réseau",
        _r("candidates:application_detail", lambda d: d.application_of("CAF du Rhône").pk),
    ),
    Page("nouveau dossier", _r("candidates:application_create")),
    Page("contrat", _r("candidates:contract_create")),
    Page("demandes d’éligibilité", _r("candidates:eligibility_requests")),
    Page(
        "demande à transmettre",
        _r("candidates:eligibility_detail", lambda d: _eligibility(d, "awaiting_central").pk),
    ),
    Page("enquêtes", _r("surveys:campaign_list")),
    Page(
        "enquête d’un service",
        _r("surveys:campaign_detail", lambda d: d.campaign_of("CAF du Rhône", "users").pk),
    ),
    Page("audits", _r("audits:audit_list")),
    Page("audit d’un service", _r("audits:audit_detail", lambda d: d.audit_of("CAF de la Gironde").pk)),
    Page("label suspendu", _r("decisions:label_detail", lambda d: d.label_of("CAF du Bas-Rhin").pk)),
    Page("mes échéances", _r("deadlines:deadline_list")),
]

AUDITOR_PAGES = [
    Page("tableau de bord", _r("accounts:dashboard")),
    Page("dossiers reçus", _r("candidates:review_inbox")),
    Page(
        "examen d’un dossier",
        _r("candidates:application_review", lambda d: d.application_of("CAF de la Gironde").pk),
    ),
    Page("audits", _r("audits:audit_list")),
    Page("audit en cours", _r("audits:audit_detail", lambda d: d.audit_of("CAF de la Gironde").pk)),
    Page("notation sur la tablette", _r("audits:grading", lambda d: d.audit_of("CAF de la Gironde").pk)),
    Page("rapport", _r("audits:report_edit", lambda d: d.audit_of("CAF de la Gironde").pk)),
    Page("déclaration d’absence de conflit", _r("audits:assignment_declare", lambda d: d.planning[1].pk)),
    Page(
        "audit terminé", _r("audits:audit_detail", lambda d: d.audit_of("Mairie de Villeurbanne").pk), NADIA
    ),
    Page(
        "réponses au rapport",
        _r("audits:report_answer", lambda d: d.audit_of("Mairie de Villeurbanne").pk),
        NADIA,
    ),
    Page("grille d’audit", _r("audits:grid_detail", lambda d: d.audit_of("CAF de la Gironde").grid_id)),
    Page("mon organisme", _r("registry:certification_body_detail", lambda d: d.certiqual().pk)),
    Page("notifications", _r("deadlines:notification_list")),
]

CB_MANAGER_PAGES = [
    Page("tableau de bord", _r("accounts:dashboard")),
    Page("dossiers reçus", _r("candidates:review_inbox")),
    Page(
        "examen : compléments demandés",
        _r("candidates:application_review", lambda d: d.application_of("CAF du Rhône").pk),
    ),
    Page(
        "examen : déposé", _r("candidates:application_review", lambda d: d.application_of("CAF de Paris").pk)
    ),
    Page("audits", _r("audits:audit_list")),
    Page("plan d’audit", _r("audits:plan_edit", lambda d: d.planning[0].pk)),
    Page("audit en préparation", _r("audits:audit_detail", lambda d: d.planning[0].pk)),
    Page("audit en cours", _r("audits:audit_detail", lambda d: d.audit_of("CAF de la Gironde").pk)),
    Page(
        "décision à prendre",
        _r("decisions:decision_prepare", lambda d: d.decidable[0].pk),
        lambda d: d.decidable[1],
    ),
    Page(
        "décision de refus",
        _r("decisions:decision_detail", lambda d: d.decision_of("Mairie de Villeurbanne").pk),
    ),
    Page(
        "recours à instruire",
        _r("decisions:decision_appeals", lambda d: d.decision_of("Mairie de Villeurbanne").pk),
    ),
    Page("labels", _r("decisions:label_list")),
    Page("label actif", _r("decisions:label_detail", lambda d: d.label_of("CAF des Bouches-du-Rhône").pk)),
    Page("label suspendu", _r("decisions:label_detail", lambda d: d.label_of("CAF du Bas-Rhin").pk)),
    Page("label retiré", _r("decisions:label_detail", lambda d: d.label_of("CAF d’Ille-et-Vilaine").pk)),
    Page("mon organisme", _r("registry:certification_body_detail", lambda d: d.certiqual().pk)),
    Page("mes échéances", _r("deadlines:deadline_list")),
    Page("notifications", _r("deadlines:notification_list")),
]

DITP_PAGES = [
    Page("tableau de bord", _r("accounts:dashboard")),
    Page("demandes d’éligibilité", _r("candidates:eligibility_requests")),
    Page(
        "demande d’éligibilité à décider",
        _r("candidates:eligibility_detail", lambda d: _eligibility(d, "submitted").pk),
    ),
    Page("audits", _r("audits:audit_list")),
    Page("questionnaires", _r("surveys:questionnaire_list")),
    Page(
        "questionnaire",
        _r("surveys:questionnaire_detail", lambda d: d.campaign_of("CAF du Rhône", "users").questionnaire_id),
    ),
    Page("grilles d’audit", _r("audits:grid_list")),
    Page("grille d’audit", _r("audits:grid_detail", lambda d: d.audit_of("CAF de la Gironde").grid_id)),
    Page("pilotage", _r("registry:backoffice_home")),
    Page("habilitations", _r("registry:habilitation_list")),
    Page("habilitation", _r("registry:habilitation_detail", lambda d: d.certiqual().pk)),
    Page("contrôles de publication", _r("registry:publication_controls")),
    Page("statistiques", _r("statistiques:dashboard")),
    Page("labels", _r("decisions:label_list")),
    Page("mes échéances", _r("deadlines:deadline_list")),
]

COMMISSION_PAGES = [
    Page("tableau de bord", _r("accounts:dashboard")),
    Page("statistiques", _r("statistiques:dashboard")),
]

NO_ROLE_PAGES = [
    Page("tableau de bord", _r("accounts:dashboard")),
    Page("inscrire mon service", _r("candidates:register")),
    Page("inscrire mon service : erreurs", _r("candidates:register"), then=_send('main form[method="post"]')),
]

ROLES = {
    "anonyme": (None, ANONYMOUS_PAGES),
    "sans-role": (NO_ROLE, NO_ROLE_PAGES),
    Role.CANDIDATE.value: (MARC, CANDIDATE_PAGES),
    Role.CENTRAL.value: (ISABELLE, CENTRAL_PAGES),
    Role.AUDITOR.value: (JULIEN, AUDITOR_PAGES),
    Role.CB_MANAGER.value: (SOPHIE, CB_MANAGER_PAGES),
    Role.DITP.value: (HELENE, DITP_PAGES),
    Role.COMMISSION.value: (BERNARD, COMMISSION_PAGES),
}


def _eligibility(d, status):
    from candidates.models import EligibilityRequest

    return EligibilityRequest.objects.filter(status=status).order_by("pk").first()


def _central_application(d):
    from candidates.models import Application

    return Application.objects.filter(central_service__isnull=False, local_service__isnull=True).first()


# --- Running axe ------------------------------------------------------------------------------------------------


def violations_of(page) -> list[dict]:
    """axe's WCAG 2.0/2.1 A and AA violations on the page as it is now."""
    results = AXE.run(
        page, options={"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}
    )
    return results.response["violations"]


def describe(violations: list[dict], where: str) -> str:
    lines = [f"{len(violations)} règle(s) WCAG A/AA non respectée(s) sur {where} :"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:10]:
            lines.append(f"    {' '.join(node['target'])}  {node['failureSummary'].splitlines()[-1].strip()}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    … and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


def _person(d, who, default):
    from tests.accounts.factories import give_totp

    if who is None:
        who = default
    if who is None:
        return None
    if who == "labelled":
        user = d.labelled
    elif who == NO_ROLE:
        user = d.no_role
    elif callable(who):
        user = who(d)
    else:
        user = d.user(who)
    if user.requires_mfa:
        give_totp(user)
    return user


@pytest.fixture
def demo(transactional_db):
    """Seeded before the browser starts: signing the demo's attestations runs an asyncio loop of its own (pyHanko),
    which cannot start while Playwright's runs."""
    from tests.accounts.factories import UserFactory
    from tests.decisions.test_services import _decidable

    d = Demo()
    d.planning = d.planning_audit()
    d.labelled = d.labelled_staff()
    d.no_role = UserFactory()
    d.decidable = _decidable()
    return d


@pytest.mark.parametrize("role", list(ROLES))
def test_main_pages_meet_wcag_2_1_aa(role, demo, browser, live_url, subtests, steps):
    default, pages = ROLES[role]
    d = demo
    contexts = {}
    try:
        for page_spec in pages:
            with subtests.test(page=page_spec.name):
                user = _person(d, page_spec.who, default)
                key = user.pk if user else None
                if key not in contexts:
                    context = browser.new_context(viewport=DESKTOP, base_url=live_url, locale="fr-FR")
                    context.set_default_timeout(10_000)
                    if user is not None:
                        context.add_cookies([session_cookie(user, live_url)])
                    contexts[key] = context.new_page()
                page = contexts[key]
                url = page_spec.url(d)
                response = page.goto(url)
                assert response is not None and response.status in (200, 404), (
                    url,
                    response and response.status,
                )
                # The page itself, not the login or the second factor's setup it would redirect to.
                assert response.request.redirected_from is None, (url, page.url)
                page.wait_for_selector("html[data-fr-js='true']", state="attached")
                if page_spec.then is not None:
                    page_spec.then(page)
                    page.wait_for_selector("html[data-fr-js='true']", state="attached")
                found = violations_of(page)
                if found:
                    steps.shot(page, f"{role} {page_spec.name}")
                assert not found, describe(found, f"« {page_spec.name} » ({role}, {url})")
    finally:
        for page in contexts.values():
            page.context.close()


# --- Keyboard only ------------------------------------------------------------------------------------------------

# Where the focused element shows its focus: its own outline or box-shadow, the outline of its ::before (DSFR's
# enlarged links), the outline of the box its label draws (DSFR radios and checkboxes, whose input is invisible),
# or the ring of an ancestor that has the focus within.
FOCUS_STATE = """(selector) => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return {element: false};
    const ring = (style) => style && (
        (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
        || (style.boxShadow && style.boxShadow !== "none")
    );
    const outline = (style) => style && style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    // DSFR's enlarged links (cards, the header's brand) draw their ring on the link's ::before.
    let visible = ring(getComputedStyle(el)) || outline(getComputedStyle(el, "::before"));
    for (const label of el.labels || []) {
        visible = visible || outline(getComputedStyle(label, "::before")) || outline(getComputedStyle(label));
    }
    let parent = el.parentElement;
    for (let depth = 0; parent && depth < 4 && !visible; depth++, parent = parent.parentElement) {
        visible = parent.matches(":focus-within") && outline(getComputedStyle(parent));
    }
    const text = (el.getAttribute("aria-label") || el.textContent || el.name || "").trim().slice(0, 60);
    return {
        element: true,
        matches: el.matches(selector),
        visible: !!visible,
        description: `<${el.tagName.toLowerCase()} id="${el.id}" name="${el.name || ""}" class="${el.className}"> ${text}`,
    };
}"""


class KeyboardUser:
    """Reaches controls with Tab only, checking at every stop that the focus can be seen."""

    def __init__(self, page):
        self.page = page
        self.stops = 0

    def press(self, key):
        self.page.keyboard.press(key)
        self.check_focus()

    def check_focus(self, selector="*"):
        state = self.page.evaluate(FOCUS_STATE, selector)
        if state["element"]:
            self.stops += 1
            assert state["visible"], f"focus not visible on {state['description']} ({self.page.url})"
        return state

    def tab_to(self, selector, limit=200):
        """Press Tab until `selector` has the focus (at most `limit` times)."""
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            if self.check_focus(selector).get("matches"):
                return
        raise AssertionError(f"{selector} never reached with Tab on {self.page.url}")

    def value(self):
        return self.page.evaluate("() => document.activeElement.value")

    def choose(self, value, limit=40):
        """In the focused select, move with the arrow keys to the option `value`."""
        options = self.page.evaluate("() => [...document.activeElement.options].map((o) => o.value)")
        target = options.index(value)
        for _ in range(limit):
            current = options.index(self.value())
            if current == target:
                return
            self.press("ArrowDown" if current < target else "ArrowUp")
        raise AssertionError(f"option {value} not reached")

    def type(self, text):
        self.page.keyboard.type(text)
        self.check_focus()

    def activate(self, key="Enter"):
        """Press `key` on the focused button or link and wait for the page it leads to."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)
        self.page.wait_for_selector("html[data-fr-js='true']", state="attached")

    def open_file_chooser(self):
        """Space on the focused file input opens the system's file chooser (Enter too, tried second)."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        for key in ("Space", "Enter", "Space"):
            try:
                with self.page.expect_file_chooser(timeout=3000) as chooser:
                    self.page.keyboard.press(key)
                return chooser.value
            except PlaywrightTimeout:
                continue
        raise AssertionError(f"no file chooser opened from the keyboard on {self.page.url}")


def _context(browser, live_url, user=None):
    context = browser.new_context(viewport=DESKTOP, base_url=live_url, locale="fr-FR")
    context.set_default_timeout(10_000)
    if user is not None:
        context.add_cookies([session_cookie(user, live_url)])
    return context


def _date_field_format(browser) -> str:
    """The order in which Chromium's date field takes the day and the month: it follows the browser's own language
    (not the page's), which headless Chromium does not let us choose. Typed digits move to the next part by
    themselves; 02 and 03 are valid both as a day and as a month, so a blank field shows the order."""
    context = browser.new_context()
    try:
        probe = context.new_page()
        probe.set_content('<input type="date" aria-label="date">')
        probe.keyboard.press("Tab")
        probe.keyboard.type("02032004")
        value = probe.evaluate("() => document.querySelector('input').value")
    finally:
        context.close()
    formats = {"2004-03-02": "%d%m%Y", "2004-02-03": "%m%d%Y"}
    assert value in formats, value
    return formats[value]


@pytest.fixture
def open_campaign(transactional_db):
    from tests.surveys.factories import CampaignFactory

    return CampaignFactory()


def test_the_public_survey_is_answered_with_the_keyboard_only(open_campaign, browser, live_url, steps):
    from surveys.models import Response

    campaign = open_campaign
    questions = list(campaign.questionnaire.questions.order_by("position"))
    context = _context(browser, live_url)
    page = steps.watch(context.new_page())
    page.goto(reverse("surveys:answer", args=[campaign.public_token]))
    keyboard = KeyboardUser(page)
    expected = ""
    for n, question in enumerate(questions):
        # No answer yet: Tab stops on the group's first radio; Space checks it, the arrows move and check.
        keyboard.tab_to(f'input[type=radio][name="q_{question.code}"]')
        choice = n % 5  # the four positions of the scale in turn, then « ne se prononce pas »
        if choice == 0:
            keyboard.press("Space")
        for _ in range(choice):
            keyboard.press("ArrowDown")
        expected += "0" if choice == 4 else str(choice + 1)
        checked = page.evaluate(
            f"() => document.querySelector('input[name=\"q_{question.code}\"]:checked').value"
        )
        assert checked == ("nsp" if choice == 4 else str(choice + 1)), question.code
    steps.shot(page, "questionnaire rempli au clavier")
    keyboard.tab_to("main form button[type=submit]")
    keyboard.activate("Enter")
    assert page.url.endswith(reverse("surveys:thanks", args=[campaign.public_token])), page.url
    response = Response.objects.get(campaign=campaign)
    assert response.positions == expected
    assert keyboard.stops > len(questions)


@pytest.fixture
def candidate_with_contract(transactional_db):
    """An agent of an independent local service with a contract, and the body's manager (who is notified)."""
    from tests.accounts.factories import MembershipFactory, UserFactory
    from tests.candidates.factories import ServiceContractFactory

    user = UserFactory(candidate=True)
    contract = ServiceContractFactory(local_service=user.memberships.get().local_service)
    MembershipFactory(role=Role.CB_MANAGER, organisation=contract.certification_body)
    return user


def test_the_candidate_opens_fills_and_files_an_application_with_the_keyboard_only(
    candidate_with_contract, browser, live_url, steps, tmp_path
):
    import datetime

    from django.utils import timezone

    from candidates.enums import REQUIRED_PIECES, ApplicationStatus, DocumentPiece
    from candidates.models import Application
    from tests.candidates.factories import PDF_BYTES

    user = candidate_with_contract
    today = timezone.localdate()

    date_format = _date_field_format(browser)

    def day(offset):
        return (today + datetime.timedelta(days=offset)).strftime(date_format)

    texts = {
        "labels_held": "Marianne (2019)",
        "self_assessment_summary": "Engagements 1 à 8 évalués en équipe.",
        "sampling_method": "Tirage aléatoire de 2 000 usagers reçus dans les 12 derniers mois.",
        "indicators_summary": "Délai de réponse aux courriels ; taux de décroché.",
        "user_survey_score": "82",
        "agent_survey_score": "71",
    }
    dates = {
        "audit_start": 60,
        "audit_end": 61,
        "self_assessment_on": -90,
        "user_survey_closed_on": -30,
        "agent_survey_closed_on": -30,
        "indicators_since": -400,
    }
    context = _context(browser, live_url, user)
    page = steps.watch(context.new_page())
    keyboard = KeyboardUser(page)
    page.goto(reverse("candidates:application_list"))
    keyboard.tab_to(f'main a[href="{reverse("candidates:application_create")}"]')
    keyboard.activate()

    keyboard.tab_to("#id_kind")
    keyboard.choose("initial")
    keyboard.tab_to("main form button[type=submit]")
    keyboard.activate()
    application = Application.objects.get(local_service=user.memberships.get().local_service)
    assert application.status == ApplicationStatus.DRAFT
    steps.shot(page, "dossier ouvert")

    keyboard.tab_to(f'main a[href="{reverse("candidates:application_edit", args=[application.pk])}"]')
    keyboard.activate()
    order = page.evaluate("() => [...document.querySelectorAll('main form [name]')].map((e) => e.name)")
    for name in order:
        if name in dates:
            keyboard.tab_to(f"#id_{name}")
            keyboard.type(day(dates[name]))
            iso = (today + datetime.timedelta(days=dates[name])).isoformat()
            assert keyboard.value() == iso, (name, keyboard.value())
        elif name in texts:
            keyboard.tab_to(f"#id_{name}")
            keyboard.type(texts[name])
    steps.shot(page, "dossier complété")
    keyboard.tab_to("main form button[type=submit]")
    keyboard.activate()
    application.refresh_from_db()
    assert application.audit_start == today + datetime.timedelta(days=60)
    assert application.user_survey_score == 82

    for piece in REQUIRED_PIECES:
        pdf = tmp_path / f"{piece}.pdf"
        pdf.write_bytes(PDF_BYTES)
        keyboard.tab_to("#id_piece")
        keyboard.choose(piece)
        keyboard.tab_to("#id_file")
        keyboard.open_file_chooser().set_files(str(pdf))
        keyboard.tab_to('form[action$="/pieces/"] button[type=submit]')
        keyboard.activate()
    uploaded = set(application.documents.values_list("piece", flat=True))
    assert uploaded == set(REQUIRED_PIECES)
    steps.shot(page, "pièces déposées")

    keyboard.tab_to('form[action$="/deposer/"] button[type=submit]')
    keyboard.activate()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.submission_count == 1
    assert application.documents.filter(piece=DocumentPiece.DEPOSIT_RECEIPT).exists()
