"""The steps of the label's journeys in a real browser (tests/browser/test_journey_*.py), one function per role's
step, each handing over to the next. Every step does what its user does in the interface (links, forms, buttons),
then checks what that user sees and what the database holds.

The clock is a `Clock` (time-machine, ticking): the journeys travel from the registration to the renewal
reminders. The browser's sessions are opened at the travelled time, so a person whose session would have expired
after a jump opens a new one, as they would log in again.
"""

import csv
import datetime
import io
import os
import re
import time
import zoneinfo
from dataclasses import dataclass, field

import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.urls import reverse
from playwright.sync_api import expect

from tests.accounts.factories import DEFAULT_PASSWORD
from tests.browser_support import DESKTOP, TABLET, Network, session_cookie, wait_for_the_offline_grading
from tests.candidates.factories import PDF_BYTES
from tests.pdf_support import qr_codes

# Lets context.route() see (and cut) the service worker's own requests, as a real network loss would.
os.environ["PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS"] = "1"

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TIMEOUT_MS = 15_000


# --- The clock and the people ---------------------------------------------------------------------------------


class Clock:
    """Travelling time for the test and the live server's thread (time-machine patches the whole process)."""

    def __init__(self, start: datetime.datetime):
        self._traveller = time_machine.travel(start, tick=True)
        self._coordinates = None

    def __enter__(self):
        self._coordinates = self._traveller.start()
        return self

    def __exit__(self, *exc):
        self._traveller.stop()

    def move_to(self, day: datetime.date, hour: int = 9) -> None:
        self._coordinates.move_to(datetime.datetime.combine(day, datetime.time(hour), tzinfo=PARIS))

    @staticmethod
    def today() -> datetime.date:
        from django.utils import timezone

        return timezone.localdate()


@dataclass
class Person:
    """Someone acting in their own browser context."""

    user: object
    context: object
    page: object
    live_url: str

    def new_session(self) -> None:
        """A fresh session at the travelled time (as after logging in again)."""
        self.context.clear_cookies()
        self.context.add_cookies([session_cookie(self.user, self.live_url)])


@dataclass
class Journey:
    """What the steps hand over to each other."""

    browser: object
    live_url: str
    steps: object
    people: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)

    def context(self, viewport=DESKTOP):
        # The interface is French: the browser says so (headless Chromium asks for English otherwise).
        context = self.browser.new_context(viewport=viewport, base_url=self.live_url, locale="fr-FR")
        context.set_default_timeout(TIMEOUT_MS)
        return context

    def person(self, name: str, user, *, viewport=DESKTOP, logged_in=True) -> Person:
        context = self.context(viewport)
        page = context.new_page()
        self.steps.watch(page)
        person = Person(user=user, context=context, page=page, live_url=self.live_url)
        if logged_in:
            person.new_session()
        self.people[name] = person
        return person

    def shot(self, person: Person, name: str) -> None:
        self.steps.shot(person.page, name)


def totp_code(user) -> str:
    """What the user's authenticator app shows now (waiting for the next period if this one is about to end)."""
    from allauth.mfa import app_settings

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = decrypt(authenticator.data["secret"])
    period = app_settings.TOTP_PERIOD
    if period - time.time() % period < 2:
        time.sleep(2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def log_in_through_the_form(person: Person) -> None:
    """The login form, then the second factor when the user has one."""
    page = person.page
    person.context.clear_cookies()
    page.goto(reverse("account_login"))
    page.locator("#id_login").fill(person.user.email)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    if Authenticator.objects.filter(user=person.user, type=Authenticator.Type.TOTP).exists():
        expect(page).to_have_url(re.compile(reverse("mfa_authenticate")))
        page.locator("#id_code").fill(totp_code(person.user))
        page.locator("#id_code").press("Enter")
    expect(page).to_have_url(re.compile(r"/espace/$"))


# --- Small helpers for DSFR forms -------------------------------------------------------------------------------


def tick(page, input_id: str) -> None:
    """Check a DSFR checkbox or radio (the input is drawn by its label)."""
    page.locator(f'label[for="{input_id}"]').click()
    expect(page.locator(f"#{input_id}")).to_be_checked()


def nav(page, name: str) -> None:
    """Follow an entry of the header's main navigation."""
    page.locator(".fr-nav").get_by_role("link", name=name, exact=True).click()


def nav_to_files(person: "Person") -> None:
    """The header's entry to the service's files: « Mes dossiers » for a local, « Dossiers » for a central service
    (its network's files are there too)."""
    from labelsp.accounts.enums import Role

    central = person.user.memberships.active().filter(role=Role.CENTRAL).exists()
    nav(person.page, "Dossiers" if central else "Mes dossiers")


def success(page, text) -> None:
    expect(page.locator(".fr-alert--success").filter(has_text=text).first).to_be_visible()


def wait_until(page, condition, timeout=15.0, message="condition not met in time"):
    """Poll the database while letting the browser run (page.wait_for_timeout keeps Playwright's loop alive)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(message)
        page.wait_for_timeout(100)


def csv_file(questions, rows) -> dict:
    """A CSV export of a survey tool: one row per questionnaire, a column per question code (positions 1–4)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([question.code for question in questions] + ["complete"])
    for positions in rows:
        writer.writerow([*positions, "oui"])
    return {"name": "reponses.csv", "mimeType": "text/csv", "buffer": buffer.getvalue().encode()}


def pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}


# --- The people outside the journey ------------------------------------------------------------------------------


def certification_body(name: str):
    """A body habilitated by the DITP, with its signing key (deposited by the administrator), a manager (MFA) and
    an auditor."""
    from decisions.signing import make_signing_key
    from labelsp.accounts.enums import Role
    from tests.accounts.factories import MembershipFactory, UserFactory, give_totp
    from tests.registry.factories import CertificationBodyFactory

    body = CertificationBodyFactory(name=name)
    make_signing_key(siret=body.siret, name=body.name)
    staff = {}
    for key, role, first, last in [
        ("manager", Role.CB_MANAGER, "Sophie", "Garnier"),
        ("auditor", Role.AUDITOR, "Julien", "Mercier"),
    ]:
        user = UserFactory(
            first_name=first, last_name=last, email=f"{first.lower()}.{last.lower()}@{body.pk}.example"
        )
        MembershipFactory(user=user, role=role, organisation=body)
        if user.requires_mfa:
            give_totp(user)
        staff[key] = user
    return body, staff


# --- 1. The local service registers, with its sites, and chooses its certification body ------------------------


def candidate_registers(
    j: Journey, *, name: str, siret: str, body_name: str, person: str = "candidate", network: str = ""
) -> None:
    """The quality referent, logged in through the login form, registers the service and two sites, then records
    the contract signed with the body. A local of a `network` (« network name — central service ») declares it
    instead: its central service chooses the body for the whole network."""
    from candidates.models import LocalService, ServiceContract

    candidate = j.people[person]
    log_in_through_the_form(candidate)
    page = candidate.page
    page.goto(reverse("candidates:register"))
    page.locator("#id_category").select_option(label="Caisses d’allocations familiales")
    page.locator("#id_name").fill(name)
    page.locator("#id_siret").fill(siret)
    page.locator("#id_street").fill("12 rue de la Liberté")
    page.locator("#id_postal_code").fill("21000")
    page.locator("#id_city").fill("Dijon")
    page.locator("#id_departement").select_option("21")
    page.locator("#id_contact_name").fill(candidate.user.get_full_name())
    page.locator("#id_contact_email").fill(candidate.user.email)
    if network:
        page.locator("#id_parent").select_option(label=network)
    for n, (site_name, kind, street, postal_code, city, agents) in enumerate(
        [
            ("Accueil de Dijon", "principal", "12 rue de la Liberté", "21000", "Dijon", "14"),
            ("Antenne de Beaune", "secondary", "3 place Carnot", "21200", "Beaune", "6"),
        ]
    ):
        page.locator(f"#id_sites-{n}-name").fill(site_name)
        page.locator(f"#id_sites-{n}-kind").select_option(kind)
        page.locator(f"#id_sites-{n}-street").fill(street)
        page.locator(f"#id_sites-{n}-postal_code").fill(postal_code)
        page.locator(f"#id_sites-{n}-city").fill(city)
        page.locator(f"#id_sites-{n}-departement").select_option("21")
        page.locator(f"#id_sites-{n}-agents_in_contact").fill(agents)
    page.get_by_role("button", name="Inscrire mon service").click()
    success(page, f"Votre service « {name} » est inscrit")
    expect(page.locator("h1")).to_contain_text(name)
    expect(page.locator("main")).to_contain_text("Accueil de Dijon")
    expect(page.locator("main")).to_contain_text("Antenne de Beaune")
    j.shot(candidate, "candidate registered the service and its sites")

    # A third site, added from the service's page.
    page.get_by_role("link", name="Ajouter un site").click()
    page.locator("#id_name").fill("Permanence de Montbard")
    page.locator("#id_kind").select_option("annex")
    page.locator("#id_street").fill("1 rue Carnot")
    page.locator("#id_postal_code").fill("21500")
    page.locator("#id_city").fill("Montbard")
    page.locator("#id_agents_in_contact").fill("2")
    page.get_by_role("button", name="Ajouter le site").click()
    success(page, "Le site « Permanence de Montbard » est ajouté au périmètre.")
    j.shot(candidate, "candidate added a third site")
    service = LocalService.objects.get(siret=siret)
    assert service.sites.filter(is_active=True).count() == 3
    j.data["service"] = service
    if network:
        assert service.parent is not None and service.parent_confirmed_at is None
        return

    page.get_by_role("link", name="Choisir un organisme de certification").click()
    page.locator("#id_certification_body").select_option(label=body_name)
    today = Clock.today()
    page.locator("#id_signed_on").fill(today.isoformat())
    page.locator("#id_cycle_start").fill(today.isoformat())
    expect(page.locator("#id_unit_count")).to_have_value("3")
    page.get_by_role("button", name="Enregistrer le contrat").click()
    success(page, f"Le contrat signé avec {body_name} est enregistré.")
    expect(page.locator("main")).to_contain_text(body_name)
    j.shot(candidate, "candidate recorded the contract with the body")
    assert ServiceContract.objects.get(local_service=service).certification_body.name == body_name


def central_confirms_the_attachment(j: Journey, *, local_name: str) -> None:
    """The central service's referent finds the self-declared local among the attachments to confirm on the
    network's page, and confirms it: the local enters the network."""
    central = j.people["central"]
    page = central.page
    page.goto(reverse("candidates:central_service_detail", args=[j.data["central"].pk]))
    pending = page.locator("section[aria-labelledby=attachments-title] li", has_text=local_name)
    pending.get_by_role("button", name="Confirmer le rattachement").click()
    success(page, f"{local_name} fait désormais partie du réseau.")
    expect(page.locator("main table tbody")).to_contain_text(local_name)
    j.shot(central, "central service confirmed the network attachment")
    service = j.data["service"]
    service.refresh_from_db()
    assert service.parent_id == j.data["central"].pk and service.parent_confirmed_at is not None


def central_records_the_contract(j: Journey, *, body_name: str, unit_count: int) -> None:
    """The central service chooses the body for its whole network and records the signed contract."""
    from candidates.models import ServiceContract

    central = j.people["central"]
    page = central.page
    page.goto(reverse("candidates:central_service_detail", args=[j.data["central"].pk]))
    page.get_by_role("link", name="Choisir un organisme de certification").click()
    page.locator("#id_certification_body").select_option(label=body_name)
    today = Clock.today()
    page.locator("#id_signed_on").fill(today.isoformat())
    page.locator("#id_cycle_start").fill(today.isoformat())
    expect(page.locator("#id_unit_count")).to_have_value(str(unit_count))
    page.get_by_role("button", name="Enregistrer le contrat").click()
    success(page, f"Le contrat signé avec {body_name} est enregistré.")
    j.shot(central, "central service recorded the network's contract")
    contract = ServiceContract.objects.get(central_service=j.data["central"])
    assert contract.certification_body.name == body_name and contract.unit_count == unit_count
    j.data["contract"] = contract
    page.goto(reverse("candidates:central_service_detail", args=[j.data["central"].pk]))
    expect(page.locator("#contract-title + p")).to_contain_text(body_name)  # the network page names the body


# --- 2. Both survey campaigns: answers through the public link and a CSV import ---------------------------------


def _open_campaign(page, *, kind_label: str, population: int, sampling: str = "") -> None:
    nav(page, "Enquêtes")
    page.get_by_role("link", name="Créer une campagne").click()
    page.get_by_text(kind_label, exact=True).click()
    page.get_by_role("button", name="Continuer").click()
    today = Clock.today()
    page.locator("#id_opens_on").fill(today.isoformat())
    page.locator("#id_closes_on").fill((today + datetime.timedelta(days=28)).isoformat())
    page.locator("#id_population").fill(str(population))
    if sampling:
        page.locator("#id_sampling_method").fill(sampling)
    page.get_by_role("button", name="Créer la campagne").click()
    success(page, "La campagne est créée.")
    expect(page.locator("h1")).to_contain_text(kind_label)


def respondent_answers(j: Journey, public_url: str, positions: list[int]) -> None:
    """Someone answers the public questionnaire (anonymous, in a browser of their own): one click per question."""
    context = j.context()
    page = j.steps.watch(context.new_page())
    try:
        page.goto(public_url)
        fieldsets = page.locator("main form fieldset")
        expect(fieldsets).to_have_count(len(positions))
        for n, position in enumerate(positions):
            fieldsets.nth(n).locator("label").nth(position - 1).click()
        page.get_by_role("button", name="Envoyer mes réponses").click()
        expect(page.locator("main")).to_contain_text("Merci")
        j.steps.shot(page, "a respondent answered through the public link")
    finally:
        context.close()


def _import_and_close(j: Journey, candidate: Person, campaign, rows: list[list[int]]) -> None:
    page = candidate.page
    questions = list(campaign.questionnaire.questions.order_by("position"))
    page.locator("#id_file").set_input_files(files=[csv_file(questions, rows)])
    page.get_by_role("button", name="Importer le fichier").click()
    success(page, f"{len(rows)} questionnaire(s) importé(s), dont {len(rows)} recevable(s).")
    expect(page.locator("main")).to_contain_text("reponses.csv")
    expect(page.locator("main")).to_contain_text("Campagne valide")
    j.shot(candidate, f"candidate imported the {campaign.get_kind_display()} CSV")
    page.get_by_role("button", name="Clôturer la campagne").click()
    success(page, "La campagne est close : ses résultats sont définitifs.")
    j.shot(candidate, f"candidate closed the {campaign.get_kind_display()}")


def candidate_runs_the_surveys(
    j: Journey, *, user_rows, user_browser_answers, agent_rows, agent_browser_answers
):
    """The candidate opens the user and the agent survey; people answer through the public link; the bulk of the
    questionnaires comes from the survey tool's CSV export; both campaigns are closed. Returns nothing: the
    campaigns are in j.data."""
    from surveys.enums import SurveyKind
    from surveys.models import Campaign

    candidate = j.people["candidate"]
    page = candidate.page
    service = j.data["service"]
    campaigns = {}
    for kind, label, population, rows, answers in [
        (SurveyKind.USERS, "Enquête usagers", 500, user_rows, user_browser_answers),
        (SurveyKind.AGENTS, "Enquête agents", 22, agent_rows, agent_browser_answers),
    ]:
        _open_campaign(
            page,
            kind_label=label,
            population=population,
            sampling="Tirage aléatoire de 500 allocataires reçus sur les 12 derniers mois, tous canaux."
            if kind == SurveyKind.USERS
            else "",
        )
        campaign = Campaign.objects.get(local_service=service, kind=kind)
        j.shot(candidate, f"candidate opened the {label}")
        public_url = page.locator("#share-title + p a").get_attribute("href")
        for positions in answers:
            respondent_answers(j, public_url, positions)
        page.reload()
        expect(page.locator("tr", has_text="Questionnaires reçus")).to_contain_text(str(len(answers)))
        _import_and_close(j, candidate, campaign, rows)
        campaigns[kind] = campaign
        campaign.refresh_from_db()
        assert campaign.closed_at is not None
        assert campaign.responses.count() == len(rows) + len(answers)
    j.data["campaigns"] = campaigns


# --- 3. The application file ---------------------------------------------------------------------------------------

PIECES = {
    "org_chart": "organigramme.pdf",
    "training_plan_current": "plan-de-formation-annee-en-cours.pdf",
    "training_plan_previous": "plan-de-formation-annee-precedente.pdf",
    "self_assessment": "autodiagnostic.pdf",
    "user_survey": "resultats-enquete-usagers.pdf",
    "agent_survey": "resultats-enquete-agents.pdf",
    "action_plan": "plan-d-actions.pdf",
    "indicators": "indicateurs.pdf",
}


def upload_piece(page, piece: str, name: str) -> None:
    page.locator("#id_piece").select_option(piece)
    page.locator("#id_file").set_input_files(files=[pdf(name)])
    page.get_by_role("button", name="Déposer la pièce").click()
    expect(page.locator(".fr-alert--success")).to_contain_text(f": {name}.")


def candidate_files_the_application(
    j: Journey,
    *,
    audit_start: datetime.date,
    audit_end: datetime.date,
    person: str = "candidate",
    surveys_by_hand: dict | None = None,
) -> None:
    """The candidate opens an initial file, fills it (the closed campaigns fill the survey dates and scores),
    attaches the eight pieces and files it. A central service runs no campaign on the platform: its file states
    the surveys' dates and scores by hand (`surveys_by_hand`: field name → value)."""
    from candidates.enums import ApplicationStatus
    from candidates.models import Application

    candidate = j.people[person]
    page = candidate.page
    today = Clock.today()
    nav_to_files(candidate)
    page.get_by_role("link", name="Ouvrir un dossier").click()
    page.locator("#id_kind").select_option("initial")
    page.get_by_role("button", name="Ouvrir le dossier").click()
    success(page, "Le dossier est ouvert")
    page.get_by_role("link", name="Compléter le dossier").click()
    page.locator("#id_labels_held").fill("Aucun")
    page.locator("#id_audit_start").fill(audit_start.isoformat())
    page.locator("#id_audit_end").fill(audit_end.isoformat())
    page.locator("#id_self_assessment_on").fill((today - datetime.timedelta(days=27)).isoformat())
    page.locator("#id_self_assessment_summary").fill(
        "Autodiagnostic des 8 engagements : 6 atteints, 2 en progrès."
    )
    page.locator("#id_sampling_method").fill(
        "Tirage aléatoire de 500 allocataires reçus sur 12 mois, tous canaux."
    )
    if surveys_by_hand is None:
        for name in ("user_survey_campaign", "agent_survey_campaign"):
            select = page.locator(f"#id_{name}")
            select.select_option(index=1)  # the closed campaign of the platform
    else:
        expect(page.locator("#id_user_survey_campaign")).to_have_count(0)
        for name, value in surveys_by_hand.items():
            page.locator(f"#id_{name}").fill(str(value))
    page.locator("#id_indicators_since").fill((today - datetime.timedelta(days=250)).isoformat())
    page.locator("#id_indicators_summary").fill(
        "Délai de réponse aux courriels ; taux de décroché ; satisfaction."
    )
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    success(page, "Le dossier est enregistré.")
    application = Application.objects.filter(created_by=candidate.user).latest("pk")
    if surveys_by_hand is None:
        # The platform's campaigns filled the surveys' scores.
        assert str(application.user_survey_score) == "85.71", application.user_survey_score
        assert str(application.agent_survey_score) == "75.00", application.agent_survey_score
        expect(page.locator("main")).to_contain_text("85,71")
    for piece, name in PIECES.items():
        upload_piece(page, piece, name)
    j.shot(candidate, "candidate filled the file and attached the pieces")
    page.get_by_role("button", name="Déposer le dossier").click()
    success(page, "Dossier déposé.")
    expect(page.locator("main")).to_contain_text("Déposé")
    j.shot(candidate, "candidate filed the application")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    j.data["application"] = application


# --- 4. The body asks for a complement, the candidate completes, the body acknowledges -------------------------

CHECKLIST = [
    "contract",
    "complete",
    "self_assessment_valid",
    "surveys_valid",
    "sample_representative",
    "indicators",
]


def _open_review(j: Journey, person: Person, service_name: str) -> None:
    page = person.page
    nav(page, "Dossiers reçus")
    expect(page.locator("main")).to_contain_text(service_name)
    page.locator("main tr", has_text=service_name).get_by_role("link").first.click()
    if "/examen/" not in page.url:
        page.get_by_role("link", name="Examiner le dossier").click()
    expect(page.locator("h1")).to_be_visible()


def _fill_checklist(page, *, not_ok: dict) -> None:
    for item in CHECKLIST:
        box = page.locator(f"#id_{item}_ok")
        if item in not_ok:
            if box.is_checked():
                page.locator(f'label[for="id_{item}_ok"]').click()
            page.locator(f"#id_{item}_comment").fill(not_ok[item])
        elif not box.is_checked():
            tick(page, f"id_{item}_ok")


def manager_asks_for_a_complement(j: Journey, service_name: str) -> None:
    """The body's manager, logged in through the login form with their second factor, checks the file: the action
    plan has no dates — they ask for a complement."""
    from candidates.enums import ApplicationStatus

    manager = j.people["manager"]
    log_in_through_the_form(manager)
    page = manager.page
    _open_review(j, manager, service_name)
    _fill_checklist(page, not_ok={"complete": "Le plan d’actions n’indique ni échéances ni responsables."})
    page.locator("#id_message").fill(
        "Merci de joindre un plan d’actions daté, avec un responsable par action."
    )
    page.get_by_role("button", name="Demander des compléments").click()
    success(page, "Votre demande de compléments a été envoyée au candidat.")
    j.shot(manager, "manager asked for a complement")
    application = j.data["application"]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLEMENTS_REQUESTED


def candidate_sends_the_complement(j: Journey) -> None:
    from candidates.enums import ApplicationStatus

    candidate = j.people["candidate"]
    page = candidate.page
    nav(page, "Mes dossiers")
    expect(page.locator("main")).to_contain_text("Compléments demandés")
    page.locator("main table a").first.click()
    expect(page.locator("main")).to_contain_text("Merci de joindre un plan d’actions daté")
    upload_piece(page, "action_plan", "plan-d-actions-date.pdf")
    page.locator("#id_body").fill("Voici le plan d’actions daté, avec ses responsables.")
    page.get_by_role("button", name="Envoyer le message").click()
    success(page, "Message envoyé.")
    page.get_by_role("button", name="Redéposer le dossier complété").click()
    success(page, "Dossier déposé.")
    j.shot(candidate, "candidate sent the complement and filed again")
    application = j.data["application"]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RESUBMITTED


def manager_acknowledges(j: Journey, service_name: str, *, piece: str = "plan-d-actions-date.pdf") -> None:
    from candidates.enums import ApplicationStatus

    manager = j.people["manager"]
    page = manager.page
    _open_review(j, manager, service_name)
    expect(page.locator("main")).to_contain_text(piece)
    _fill_checklist(page, not_ok={})
    page.get_by_role("button", name="Déclarer recevable").click()
    success(page, "Le dossier est déclaré recevable")
    j.shot(manager, "manager acknowledged the file")
    application = j.data["application"]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACKNOWLEDGED


# --- 5. The body plans the audit: team, no-conflict declaration, draw of the sites, plan sent 10 working days ahead -


def manager_creates_the_audit_and_proposes_the_auditor(j: Journey, service_name: str) -> None:
    from audits.models import Audit

    manager = j.people["manager"]
    page = manager.page
    _open_review(j, manager, service_name)
    page.get_by_role("button", name="Créer l’audit").click()
    success(page, "L’audit est créé")
    auditor = j.people["auditor"].user
    page.locator("#id_auditor").select_option(str(auditor.pk))
    tick(page, "id_is_lead")
    page.get_by_role("button", name="Proposer cet auditeur").click()
    success(page, f"{auditor.get_full_name()} est proposé")
    j.shot(manager, "manager created the audit and proposed the auditor")
    j.data["audit"] = Audit.objects.get(application=j.data["application"])


def auditor_signs_the_declaration(j: Journey) -> None:
    from audits.enums import AssignmentStatus

    auditor = j.people["auditor"]
    page = auditor.page
    page.goto(reverse("accounts:dashboard"))
    nav(page, "Audits")
    declarations = page.locator(".fr-alert", has_text="Déclarations d’absence de conflit d’intérêts à signer")
    declarations.get_by_role("link").first.click()
    tick(page, "id_answer_0")
    page.get_by_role("button", name="Envoyer ma déclaration").click()
    success(page, "Déclaration signée : vous êtes affecté à cet audit.")
    j.shot(auditor, "auditor signed the no-conflict declaration")
    assert j.data["audit"].assignments.get(auditor=auditor.user).status == AssignmentStatus.ASSIGNED


def manager_draws_and_sends_the_plan(j: Journey, *, visit_start, visit_end, draw_size: int) -> None:
    """The manager draws the audited units at random (recorded, re-playable), writes the plan, is refused a visit
    sooner than 10 French working days, and sends the plan."""
    from audits.enums import AuditStatus
    from audits.rules import first_visit_day

    manager = j.people["manager"]
    page = manager.page
    audit = j.data["audit"]
    page.goto(reverse("audits:audit_detail", args=[audit.pk]))
    expect(page.locator("#id_size")).to_have_value(str(draw_size))
    page.get_by_role("button", name="Tirer au sort").click()
    success(page, "Tirage au sort enregistré")
    draw = audit.draws.get()
    assert len(draw.selected) == draw_size
    for identifier in draw.selected:
        expect(page.locator("main")).to_contain_text(draw.labels[str(identifier)])
    if audit.is_central:
        page.goto(reverse("audits:audit_detail", args=[audit.pk]))
        drawn = page.locator('section[aria-labelledby="sample-title"] ul > li')
        expect(drawn).to_have_count(draw_size)
        for identifier in draw.selected:
            expect(drawn.filter(has_text=draw.labels[str(identifier)])).to_have_count(1)
    j.shot(manager, "manager drew the audited units")
    page.goto(reverse("audits:audit_detail", args=[audit.pk]))
    page.get_by_role("link", name="Préparer le plan").click()
    earliest = first_visit_day(Clock.today())
    too_soon = earliest - datetime.timedelta(days=3)
    page.locator("#id_visit_start").fill(too_soon.isoformat())
    page.locator("#id_visit_end").fill(too_soon.isoformat())
    page.locator("#id_duration_days").fill("1,5")
    page.locator("#id_resource_persons").fill("Claire Moreau, référente qualité, 03 80 00 00 00.")
    page.locator("#id_agenda").fill(
        "Réunion d’ouverture ; entretiens ; visite des sites tirés ; réunion de clôture."
    )
    page.get_by_role("button", name="Enregistrer le plan").click()
    expect(page.locator("main")).to_contain_text("au moins 10 jours ouvrés avant la visite")
    from django.utils import dateformat, translation

    with translation.override("fr"):
        expect(page.locator("main")).to_contain_text(dateformat.format(earliest, "l j F Y"))
    j.shot(manager, "a visit sooner than 10 working days is refused")
    page.locator("#id_visit_start").fill(visit_start.isoformat())
    page.locator("#id_visit_end").fill(visit_end.isoformat())
    page.get_by_role("button", name="Enregistrer le plan").click()
    success(page, "Le plan d’audit est enregistré.")
    page.get_by_role("button", name="Envoyer le plan au candidat").click()
    success(page, "Le plan d’audit est envoyé")
    j.shot(manager, "manager sent the audit plan")
    audit.refresh_from_db()
    assert audit.status == AuditStatus.PLAN_SENT
    assert (audit.visit_start, audit.visit_end) == (visit_start, visit_end)


# --- 6. The auditor grades on a tablet, part of it offline, then holds the closing meeting ----------------------


def _grades(audit) -> dict[str, str]:
    from audits.models import Grade

    return {
        code: str(points.normalize())
        for code, points in Grade.objects.filter(audit=audit).values_list("checkpoint__code", "points")
    }


def auditor_grades_on_the_tablet(j: Journey, *, grades: dict[str, str], offline_sections: list[str]) -> None:
    """On a 1024×768 tablet: the sections not in `offline_sections` are graded online (each tap reaches the server),
    then (when `offline_sections` is not empty) the network goes (Chromium offline and every request cut, the service worker's included); the grades are
    queued on the tablet, survive a reload served by the service worker, and all reach the server once the network
    is back."""
    audit = j.data["audit"]
    if "tablet" in j.people:
        j.people["tablet"].context.close()
    tablet = j.person("tablet", j.people["auditor"].user, viewport=TABLET)
    page, context = tablet.page, tablet.context
    network = Network(context)
    checkpoints = {
        cp.code: cp for cp in audit.grid.checkpoints.select_related("section").order_by("section__pk", "pk")
    }
    sections: dict[str, list[str]] = {}
    for code, checkpoint in checkpoints.items():
        sections.setdefault(checkpoint.section.code, []).append(code)

    def grade_section(section: str) -> None:
        page.locator(f'.grading-nav__link[data-section="{section}"]').click()
        expect(page.locator(f"#partie-{section}")).to_be_visible()
        for code in sections[section]:
            page.locator(
                f'#point-{checkpoints[code].pk} .grading-button[data-points="{grades[code]}"]'
            ).click()

    # From the audit's page, as the auditor opens it on site.
    page.goto(reverse("audits:audit_detail", args=[audit.pk]))
    page.get_by_role("link", name="Noter sur la tablette").click()
    wait_for_the_offline_grading(page)
    banner = page.locator("#grading-banner")
    pending = page.locator('[data-role="pending-count"]')
    expect(banner.locator('[data-role="network"]')).to_have_text("En ligne")

    online = [code for section in sections if section not in offline_sections for code in sections[section]]
    for section in sections:
        if section not in offline_sections:
            grade_section(section)
    wait_until(page, lambda: set(_grades(audit)) == set(online), message="online grades not saved")
    expect(pending).to_have_text("0")
    j.shot(tablet, "auditor graded online on the tablet")

    if not offline_sections:  # graded online only (the offline part is the local journey's)
        wait_until(page, lambda: _grades(audit) == grades, message="grades not saved")
    else:
        network.go_offline()
        expect(banner.locator('[data-role="network"]')).to_have_text("Hors ligne")
        offline = [code for section in offline_sections for code in sections[section]]
        for section in offline_sections:
            grade_section(section)
        expect(pending).to_have_text(str(len(offline)))
        j.shot(tablet, "auditor graded offline, grades queued")
        response = page.reload()
        assert response is not None and response.from_service_worker
        expect(page.locator("#grading")).to_have_attribute("data-ready", "true")
        expect(pending).to_have_text(str(len(offline)))
        assert set(_grades(audit)) == set(online), "nothing left the tablet while offline"
        assert network.cut, "no request was cut"

        network.go_online()
        expect(pending).to_have_text("0", timeout=20_000)
        wait_until(page, lambda: _grades(audit) == grades, message="offline grades not synchronised")
        expect(banner.locator('[data-role="network"]')).to_have_text("En ligne")
        expect(page.locator('[data-role="total-graded"]')).to_have_text(str(len(grades)))
        j.shot(tablet, "back online, every grade reached the server")

    banner.get_by_role("link", name="Réunion de clôture").click()
    page.locator("#id_closing_summary").fill(
        "Accueil bienveillant et information claire ; à renforcer : le pilotage de l’amélioration continue."
    )
    page.get_by_role("button", name="Enregistrer la synthèse").click()
    success(page, "La synthèse de la réunion de clôture est enregistrée.")
    j.shot(tablet, "auditor recorded the closing meeting")
    audit.refresh_from_db()
    assert audit.closing_meeting_at is not None


# --- 7. The report, the candidate's observations, the file handed over for decision ---------------------------

REPORT = {
    "report_presentation": "Caisse de 120 agents, trois sites en Côte-d’Or, 180 000 allocataires.",
    "report_synthesis": "Les engagements sont tenus au palier Argent ; le pilotage reste à structurer.",
    "report_illustrations": "Rappel systématique sous 48 h ; affichage des délais à l’accueil de Dijon.",
    "report_strengths": "Accueil, accessibilité des informations, écoute des usagers.",
    "report_improvements": "Formaliser la revue annuelle des résultats et le plan d’amélioration.",
}


def auditor_sends_the_report(j: Journey) -> None:
    from audits.enums import AuditStatus

    auditor = j.people["auditor"]
    page = auditor.page
    audit = j.data["audit"]
    page.goto(reverse("audits:audit_detail", args=[audit.pk]))
    page.get_by_role("link", name="Rapport d’audit").click()
    for name, text in REPORT.items():
        page.locator(f"#id_{name}").fill(text)
    page.get_by_role("button", name="Enregistrer le rapport").click()
    expect(page.get_by_role("button", name="Envoyer le rapport")).to_be_enabled()
    page.get_by_role("button", name="Envoyer le rapport").click()
    success(page, "rapport")
    j.shot(auditor, "auditor sent the report")
    audit.refresh_from_db()
    assert audit.status == AuditStatus.REPORT_SENT
    assert audit.report_sha256


def candidate_sends_observations(j: Journey) -> None:
    from audits.models import Observation

    candidate = j.people["candidate"]
    page = candidate.page
    audit = j.data["audit"]
    nav(page, "Audits")
    page.locator("main table a").first.click()
    page.get_by_role("link", name="Rapport (PDF)").wait_for()
    page.get_by_role("link", name="Observations et actions correctives").click()
    page.locator("#id_text").fill("Le plan d’amélioration a été adopté en comité de direction le 15 février.")
    page.get_by_role("button", name="Envoyer mes observations").click()
    expect(page.locator("main")).to_contain_text("Le plan d’amélioration a été adopté")
    j.shot(candidate, "candidate sent observations on the report")
    assert Observation.objects.filter(audit=audit).count() == 1


def central_proposes_a_corrective_action(j: Journey, *, code: str, proposal: str) -> None:
    """The central service answers its report: a corrective action on the checkpoint graded « non » (§3.9.2)."""
    from audits.models import CorrectiveAction

    central = j.people["central"]
    page = central.page
    audit = j.data["audit"]
    page.goto(reverse("audits:report_answer", args=[audit.pk]))
    page.get_by_role("link", name="Télécharger le rapport d’audit (PDF)").wait_for()
    select = page.locator("#id_checkpoint")
    expect(select.locator("option")).to_have_count(2)  # the empty choice and the one « non »
    select.select_option(index=1)
    expect(select.locator("option:checked")).to_contain_text(code)
    page.locator("#id_proposal").fill(proposal)
    page.get_by_role("button", name="Proposer cette action corrective").click()
    success(page, "Votre action corrective est transmise à l’auditeur.")
    expect(page.locator("main")).to_contain_text(proposal)
    j.shot(central, "central service proposed a corrective action")
    action = CorrectiveAction.objects.get(audit=audit)
    assert action.checkpoint.code == code


def auditor_judges_the_corrective_action(j: Journey, *, code: str, comment: str) -> None:
    from audits.enums import CorrectiveJudgement
    from audits.models import CorrectiveAction

    auditor = j.people["auditor"]
    page = auditor.page
    audit = j.data["audit"]
    page.goto(reverse("audits:audit_detail", args=[audit.pk]))
    page.get_by_role("link", name="Observations et actions correctives").click()
    action = CorrectiveAction.objects.get(audit=audit)
    page.locator(f"#id_action-{action.pk}-judgement_comment").fill(comment)
    page.get_by_role("button", name="Accepter", exact=True).click()
    success(page, f"Votre avis sur l’action corrective du point {code} est enregistré.")
    j.shot(auditor, "auditor accepted the corrective action")
    action.refresh_from_db()
    assert action.judgement == CorrectiveJudgement.ACCEPTED and action.judged_by == auditor.user


def auditor_hands_over_for_decision(j: Journey) -> None:
    from audits.enums import AuditStatus

    auditor = j.people["auditor"]
    page = auditor.page
    audit = j.data["audit"]
    page.goto(reverse("audits:audit_detail", args=[audit.pk]))
    page.get_by_role("link", name="Observations et actions correctives").click()
    page.get_by_role("button", name="Transmettre le dossier pour décision").click()
    expect(page.locator(".fr-alert--success")).to_be_visible()
    j.shot(auditor, "auditor handed the file over for decision")
    audit.refresh_from_db()
    assert audit.status == AuditStatus.CLOSED


# --- 8. The decision, the attestation and its QR code, the public register -------------------------------------


def manager_decides(j: Journey, *, tier_label: str, network_attested: bool = False):
    """The body's manager (who did not take part in the audit) reads every input and the proposed outcome, and
    confirms it."""
    from decisions.enums import DecisionOutcome
    from decisions.models import Decision

    manager = j.people["manager"]
    page = manager.page
    audit = j.data["audit"]
    page.goto(reverse("audits:audit_detail", args=[audit.pk]))
    page.get_by_role("link", name="Préparer la décision").click()
    if network_attested:
        # Without the network's yearly self-assessments the central service is refused; the manager reads the
        # proposal as it stands once they are attested, then attests them.
        expect(page.locator(".fr-callout__title")).to_have_text("Refus du label")
        page.get_by_role(
            "link", name="Voir la proposition si le réseau a transmis ses autodiagnostics"
        ).click()
    expect(page.locator(".fr-callout__title")).to_have_text(f"Label attribué au palier {tier_label}")
    j.shot(manager, "manager reads the proposed decision")
    if network_attested and not page.locator("#id_network_attested").is_checked():
        tick(page, "id_network_attested")
    tick(page, "id_confirm")
    page.get_by_role("button", name="Émettre la décision").click()
    success(page, "La décision est émise et notifiée au service.")
    j.shot(manager, "manager issued the decision")
    decision = Decision.objects.get(application=j.data["application"])
    assert decision.outcome == DecisionOutcome.AWARD
    assert decision.decided_by == manager.user
    label = decision.labels.get()
    j.data["decision"], j.data["label"] = decision, label
    return decision


def candidate_downloads_the_attestation_and_checks_its_qr_code(
    j: Journey, *, tier_label: str, person: str = "candidate"
) -> bytes:
    """From the closed file to the label's page, the signed PDF is downloaded; its QR code, read by a real reader,
    leads anyone to the verification page, which says the label is valid. Returns the PDF."""
    candidate = j.people[person]
    page = candidate.page
    label = j.data["label"]
    attestation = label.attestations.get()
    nav_to_files(candidate)
    page.locator("main table a").first.click()  # the service's own files come first
    page.get_by_role("link", name="Le label et ses attestations").click()
    expect(page.locator("main")).to_contain_text(attestation.number)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le PDF signé").click()
    with open(download_info.value.path(), "rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF")
    j.shot(candidate, "candidate downloaded the signed attestation")
    verify_url = j.live_url + reverse("decisions:attestation_verify", args=[attestation.token])
    assert verify_url in qr_codes(content), qr_codes(content)

    context = j.context()
    visitor = j.steps.watch(context.new_page())
    visitor.goto(verify_url)
    status = visitor.locator("#attestation-status")
    expect(status).to_contain_text(re.compile("valide", re.I))
    expect(status).to_contain_text("Ce label est en vigueur à ce jour.")
    expect(visitor.locator("main")).to_contain_text(attestation.number)
    expect(visitor.locator("main")).to_contain_text(tier_label)
    j.steps.shot(visitor, "anyone verifies the attestation from its QR code")
    context.close()
    return content


def visitor_finds_the_service_in_the_register(
    j: Journey, *, name: str, tier_label: str, network: str = "", network_rows: dict | None = None
) -> None:
    """Anyone finds the service in the public register, by its name, or by its `network` (the central service's
    name): then every row is one of `network_rows` (name → tier) and each of them is there."""
    context = j.context()
    visitor = j.steps.watch(context.new_page())
    visitor.goto(reverse("registre:list"))
    if network:
        visitor.locator("#id_network").select_option(label=network)
    else:
        visitor.locator("#id_q").fill(name)
    visitor.get_by_role("button", name="Rechercher").click()
    rows = visitor.locator("main table tbody tr")

    def row_of(
        service_name,
    ):  # by the service's own cell (a local's row names its network's central service too)
        return rows.filter(has=visitor.locator("td:first-child", has_text=service_name))

    expect(row_of(name)).to_have_count(1)
    expect(row_of(name)).to_contain_text(tier_label)
    if network:
        expect(rows).to_have_count(len(network_rows))
        for row_name, row_tier in network_rows.items():
            expect(row_of(row_name)).to_contain_text(row_tier)
    j.steps.shot(visitor, "the service is in the public register")
    context.close()


# --- 9. The clock moves: follow-up and renewal reminders, swept and shown to the right people -------------------


def sweep_and_read_notifications(
    j: Journey, clock: Clock, day: datetime.date, expected: dict[str, list[str]], absent: dict[str, list[str]]
) -> None:
    """Move the clock to `day`, run the deadline sweep (the beat task), and let each person open their notifications
    from the header's bell: the `expected` subjects are there, the `absent` ones are not."""
    from labelsp.deadlines.tasks import sweep_deadlines

    clock.move_to(day, hour=6)
    sweep_deadlines()
    clock.move_to(day, hour=9)
    for name in {*expected, *absent}:
        person = j.people[name]
        person.new_session()
        page = person.page
        page.goto(reverse("accounts:dashboard"))
        page.locator(f'header a[href="{reverse("deadlines:notification_list")}"]').first.click()
        expect(page.locator("h1")).to_have_text("Notifications")
        main = page.locator("main")
        for subject in expected.get(name, []):
            expect(main).to_contain_text(subject)
        for subject in absent.get(name, []):
            expect(main).not_to_contain_text(subject)
        j.shot(person, f"{name} reads the notifications of {day.isoformat()}")
