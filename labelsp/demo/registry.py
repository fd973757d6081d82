"""Demo registry (issue #8): a country's worth of labelled services, so that the public registry, its filters, its
exports and the national statistics look real — two services per département (its finances-publiques office and
its primary health-insurance fund), at every tier, labelled over the last three years by the two demo bodies, a
few of them suspended.

Written in bulk (decisions and labels as the demo decisions are: audited before the platform kept their audits);
idempotent: nothing is written once the first of them exists. Their deadlines are not seeded (the deadlines demo
concerns the accounts one can log in with).
"""

import datetime

from django.utils import timezone

from candidates.enums import (
    ApplicationKind,
    ApplicationOutcome,
    ApplicationStatus,
    LocalServiceKind,
    SiteKind,
)
from candidates.models import Application, LocalService, Site
from decisions.enums import DecisionOutcome, LabelStatus, SuspensionReason, Tier
from decisions.models import Decision, Label, Suspension, label_last_day
from labelsp.accounts.models import User
from labelsp.demo import SeedCounter
from labelsp.demo import organisations as org
from labelsp.geo import DEPARTEMENTS, region_of
from labelsp.validators import complete_siret
from registry.models import CertificationBody

# The préfecture (chef-lieu) of each département: the city of its services.
PREFECTURES = {
    "01": "Bourg-en-Bresse", "02": "Laon", "03": "Moulins", "04": "Digne-les-Bains", "05": "Gap", "06": "Nice",
    "07": "Privas", "08": "Charleville-Mézières", "09": "Foix", "10": "Troyes", "11": "Carcassonne", "12": "Rodez",
    "13": "Marseille", "14": "Caen", "15": "Aurillac", "16": "Angoulême", "17": "La Rochelle", "18": "Bourges",
    "19": "Tulle", "21": "Dijon", "22": "Saint-Brieuc", "23": "Guéret",
    "24": "Périgueux", "25": "Besançon", "26": "Valence", "27": "Évreux", "28": "Chartres", "29": "Quimper",
    "30": "Nîmes", "31": "Toulouse", "32": "Auch", "33": "Bordeaux", "34": "Montpellier", "35": "Rennes",
    "36": "Châteauroux", "37": "Tours", "38": "Grenoble", "39": "Lons-le-Saunier", "40": "Mont-de-Marsan",
    "41": "Blois", "42": "Saint-Étienne", "43": "Le Puy-en-Velay", "44": "Nantes", "45": "Orléans", "46": "Cahors",
    "47": "Agen", "48": "Mende", "49": "Angers", "50": "Saint-Lô", "51": "Châlons-en-Champagne", "52": "Chaumont",
    "53": "Laval", "54": "Nancy", "55": "Bar-le-Duc", "56": "Vannes", "57": "Metz", "58": "Nevers", "59": "Lille",
    "60": "Beauvais", "61": "Alençon", "62": "Arras", "63": "Clermont-Ferrand", "64": "Pau", "65": "Tarbes",
    "66": "Perpignan", "67": "Strasbourg", "68": "Colmar", "69": "Lyon", "70": "Vesoul", "71": "Mâcon",
    "72": "Le Mans", "73": "Chambéry", "74": "Annecy", "75": "Paris", "76": "Rouen", "77": "Melun",
    "78": "Versailles", "79": "Niort", "80": "Amiens", "81": "Albi", "82": "Montauban", "83": "Toulon",
    "84": "Avignon", "85": "La Roche-sur-Yon", "86": "Poitiers", "87": "Limoges", "88": "Épinal", "89": "Auxerre",
    "90": "Belfort", "91": "Évry-Courcouronnes", "92": "Nanterre", "93": "Bobigny", "94": "Créteil",
    "95": "Cergy", "971": "Basse-Terre", "972": "Fort-de-France", "973": "Cayenne", "974": "Saint-Denis",
    "976": "Mamoudzou",
}  # fmt: skip
SERVICES = (
    ("Direction départementale des finances publiques", LocalServiceKind.STATE_DECONCENTRATED, "Centre des finances publiques"),
    ("Caisse primaire d’assurance maladie", LocalServiceKind.SOCIAL_SECURITY, "Accueil CPAM"),
)  # fmt: skip
SERIES = "6120"
TIERS = (Tier.BRONZE, Tier.ARGENT, Tier.ARGENT, Tier.OR, Tier.BRONZE, Tier.ARGENT, Tier.OR)
SUSPENDED_EVERY = 29


def seed(stdout) -> list:
    counter = SeedCounter("Registre national")
    # Corsica's postal codes (20…) do not start with its département codes (2A, 2B): left out of the demo.
    codes = [code for code in DEPARTEMENTS if code in PREFECTURES and code not in ("2A", "2B")]
    first = _siret(0)
    if LocalService.objects.filter(siret=first).exists():
        counter.total = len(codes) * len(SERVICES)
        stdout.write(f"  {counter}")
        return []
    bodies = list(CertificationBody.objects.filter(siret__in=[b.siret for b in org.CERTIFICATION_BODIES]))
    managers = {b.siret: User.objects.get(email=b.manager.email) for b in org.CERTIFICATION_BODIES}
    today = timezone.localdate()
    rows = []
    for index, (code, (number, (kind_name, kind, site_name))) in enumerate(
        (code, item) for code in codes for item in enumerate(SERVICES)
    ):
        rows.append((index, code, number, kind_name, kind, site_name))
    services = LocalService.objects.bulk_create(
        LocalService(
            name=f"{kind_name} — {DEPARTEMENTS[code][0]}",
            kind=kind,
            siret=_siret(index),
            street="1 place de la République",
            postal_code=_postal_code(code),
            city=PREFECTURES[code],
            departement=code,
            region=region_of(code),
        )
        for index, code, number, kind_name, kind, site_name in rows
    )
    Site.objects.bulk_create(
        Site(
            local_service=service,
            name=f"{row[5]} de {PREFECTURES[row[1]]}",
            kind=SiteKind.PRINCIPAL,
            agents_in_contact=8 + row[0] % 30,
            street=service.street,
            postal_code=service.postal_code,
            city=service.city,
            departement=service.departement,
            region=service.region,
        )
        for service, row in zip(services, rows, strict=True)
    )
    applications, decisions = [], []
    for service, (index, *_rest) in zip(services, rows, strict=True):
        body = bodies[index % len(bodies)]
        decided_on = today - datetime.timedelta(days=20 + (index * 37) % 1050)
        applications.append(
            Application(
                local_service=service,
                kind=ApplicationKind.INITIAL,
                status=ApplicationStatus.CLOSED,
                outcome=ApplicationOutcome.LABELLED,
                certification_body=body,
                created_by=managers[body.siret],
            )
        )
        decisions.append((service, body, decided_on, TIERS[index % len(TIERS)]))
    applications = Application.objects.bulk_create(applications)
    decisions = Decision.objects.bulk_create(
        Decision(
            application=application,
            local_service=service,
            certification_body=body,
            outcome=DecisionOutcome.AWARD,
            tier=tier,
            inputs={},
            decided_by=managers[body.siret],
            decided_on=decided_on,
        )
        for application, (service, body, decided_on, tier) in zip(applications, decisions, strict=True)
    )
    labels = Label.objects.bulk_create(
        Label(
            local_service=decision.local_service,
            certification_body=decision.certification_body,
            decision=decision,
            tier=decision.tier,
            starts_on=decision.decided_on,
            ends_on=label_last_day(decision.decided_on),
            sort_name=decision.local_service.name,
        )
        for decision in decisions
    )
    suspended = [
        label for index, label in enumerate(labels) if index % SUSPENDED_EVERY == SUSPENDED_EVERY - 1
    ]
    Label.objects.filter(pk__in=[label.pk for label in suspended]).update(status=LabelStatus.SUSPENDED)
    Suspension.objects.bulk_create(
        Suspension(
            label=label,
            reason=SuspensionReason.AT_REQUEST,
            details="Réorganisation des accueils : suspension à la demande du service.",
            starts_on=today - datetime.timedelta(days=15),
            ends_on=today + datetime.timedelta(days=120),
            decided_by=label.decision.decided_by,
        )
        for label in suspended
    )
    for _service in services:
        counter.add(True)
    stdout.write(f"  {counter}")
    return []


def _siret(index: int) -> str:
    return complete_siret(f"{SERIES}{index:09d}")


def _postal_code(code: str) -> str:
    return f"{code}000" if len(code) == 2 else f"{code}00"
