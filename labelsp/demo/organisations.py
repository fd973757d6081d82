"""Demo organisations and their people: the DITP, two certification bodies, the CAF network, a prefecture
and a commune.

Names of bodies and people are fictional; cities, postal codes and département codes are real, street
addresses are plausible. SIRETs are made up (valid checksum) and derived from stable numbers, never
from a position in a list, so that they stay the natural key from one run to the next.
"""

import datetime
from dataclasses import dataclass

from candidates.enums import LocalServiceKind, SiteKind
from candidates.models import CentralService, LocalService, Site
from labelsp.accounts.enums import Role
from labelsp.accounts.services import membership_grant
from labelsp.demo import DemoAccount, SeedCounter, demo_user, upsert
from labelsp.validators import complete_siret
from registry.enums import AccreditationStandard, HabilitationStatus
from registry.models import CertificationBody
from registry.rules import habilitation_end

CNAF_NAME = "Caisse nationale des allocations familiales"
CAF_MINISTRY = "Ministère du Travail, de la Santé, des Solidarités et des Familles"
CAF_PHONE = "32 30"  # the national number every CAF answers on


def _siret(series: str, number: int) -> str:
    """A made-up SIRET: 4-digit series, 9-digit number, Luhn check digit."""
    return complete_siret(f"{series}{number:09d}")


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    email: str


@dataclass(frozen=True)
class SiteData:
    name: str
    kind: SiteKind
    street: str
    postal_code: str
    city: str
    agents: int


@dataclass(frozen=True)
class LocalData:
    name: str
    departement: str
    street: str
    postal_code: str
    city: str
    principal_agents: int
    other_sites: tuple[SiteData, ...] = ()


@dataclass(frozen=True)
class BodyData:
    name: str
    siret: str
    accreditation_number: str
    standard: AccreditationStandard
    habilitation_start: datetime.date
    city: str
    contact_email: str
    manager: Person
    auditors: tuple[Person, ...]


# --- National roles -------------------------------------------------------------------------------------

DITP_AGENT = Person("Hélène", "Rousseau", "helene.rousseau@demo.ditp.example")
COMMISSION_MEMBER = Person("Bernard", "Lefèvre", "bernard.lefevre@demo.commission.example")

# --- Certification bodies ---------------------------------------------------------------------------------

CERTIFICATION_BODIES = (
    BodyData(
        name="Certiqual Services Publics",
        siret=_siret("8512", 1),
        accreditation_number="5-0687",
        standard=AccreditationStandard.ISO_17065,
        habilitation_start=datetime.date(2023, 9, 1),
        city="Lyon",
        contact_email="habilitation@demo.certiqual.example",
        manager=Person("Sophie", "Garnier", "sophie.garnier@demo.certiqual.example"),
        auditors=(
            Person("Julien", "Mercier", "julien.mercier@demo.certiqual.example"),
            Person("Nadia", "Benali", "nadia.benali@demo.certiqual.example"),
        ),
    ),
    BodyData(
        name="OECO Certification",
        siret=_siret("8512", 2),
        accreditation_number="4-0615",
        standard=AccreditationStandard.ISO_17021_1,
        habilitation_start=datetime.date(2025, 2, 3),
        city="Nantes",
        contact_email="label-sp@demo.oeco.example",
        manager=Person("Thomas", "Lambert", "thomas.lambert@demo.oeco.example"),
        auditors=(
            Person("Camille", "Faure", "camille.faure@demo.oeco.example"),
            Person("Karim", "Haddad", "karim.haddad@demo.oeco.example"),
        ),
    ),
)

# --- The CAF network ----------------------------------------------------------------------------------------

CNAF_SIRET = _siret("7780", 1)
CNAF_STAFF = Person("Isabelle", "Moreau", "isabelle.moreau@demo.cnaf.example")
CAF_RHONE_CANDIDATE = Person("Marc", "Dubois", "marc.dubois@demo.caf.example")

_S, _A = SiteKind.SECONDARY, SiteKind.ANNEX

# One CAF per département, at the prefecture; the SIRET number is the département's number.
CAF_LOCALS = (
    LocalData("CAF du Rhône", "69", "67 boulevard Vivier-Merle", "69003", "Lyon", 118, (
        SiteData("Agence de Villefranche-sur-Saône", _S, "2 rue de Thizy", "69400",
                 "Villefranche-sur-Saône", 24),
        SiteData("Agence de Vénissieux", _S, "12 avenue Marcel-Houël", "69200", "Vénissieux", 19),
        SiteData("Point d’accueil de Vaulx-en-Velin", _A, "3 place de la Nation", "69120",
                 "Vaulx-en-Velin", 6),
    )),
    LocalData("CAF de la Gironde", "33", "rue du Docteur-Gabriel-Péry", "33000", "Bordeaux", 96, (
        SiteData("Agence de Mérignac", _S, "15 avenue de la Marne", "33700", "Mérignac", 21),
        SiteData("Point d’accueil de Langon", _A, "8 cours Sadi-Carnot", "33210", "Langon", 5),
    )),
    LocalData("CAF des Bouches-du-Rhône", "13", "215 chemin de Gibbes", "13014", "Marseille", 124, (
        SiteData("Agence d’Aix-en-Provence", _S, "4 avenue des Belges", "13100", "Aix-en-Provence", 23),
        SiteData("Point d’accueil d’Arles", _A, "10 boulevard Émile-Combes", "13200", "Arles", 7),
    )),
    LocalData("CAF du Nord", "59", "82 rue Brûle-Maison", "59000", "Lille", 131, (
        SiteData("Agence de Roubaix", _S, "45 boulevard du Général-Leclerc", "59100", "Roubaix", 31),
        SiteData("Agence de Dunkerque", _S, "6 rue de la Marine", "59140", "Dunkerque", 26),
        SiteData("Agence de Valenciennes", _S, "23 avenue de Liège", "59300", "Valenciennes", 28),
    )),
    LocalData("CAF de la Haute-Garonne", "31", "24 rue Riquet", "31000", "Toulouse", 102, (
        SiteData("Agence de Saint-Gaudens", _S, "9 boulevard Jean-Bepmale", "31800", "Saint-Gaudens", 11),
    )),
    LocalData("CAF de Loire-Atlantique", "44", "22 rue de Malville", "44000", "Nantes", 88),
    LocalData("CAF du Bas-Rhin", "67", "18 rue de Berne", "67000", "Strasbourg", 85),
    LocalData("CAF d’Ille-et-Vilaine", "35", "cours des Alliés", "35000", "Rennes", 74),
    LocalData("CAF de l’Hérault", "34", "139 avenue de Lodève", "34000", "Montpellier", 79),
    LocalData("CAF des Alpes-Maritimes", "06", "143 boulevard René-Cassin", "06200", "Nice", 81),
    LocalData("CAF de Paris", "75", "50 rue du Docteur-Finlay", "75015", "Paris", 142),
    LocalData("CAF de la Seine-Maritime", "76", "12 avenue de Bretagne", "76100", "Rouen", 77),
    LocalData("CAF de la Côte-d’Or", "21", "8 boulevard Georges-Clemenceau", "21000", "Dijon", 46),
    LocalData("CAF du Loiret", "45", "2 place Saint-Charles", "45000", "Orléans", 52),
    LocalData("CAF du Puy-de-Dôme", "63", "3 rue Pélissier", "63000", "Clermont-Ferrand", 55),
    LocalData("CAF de l’Isère", "38", "3 rue des Alliés", "38000", "Grenoble", 83, (
        SiteData("Agence de Vienne", _S, "17 cours Romestang", "38200", "Vienne", 14),
        SiteData("Point d’accueil de Bourgoin-Jallieu", _A, "5 rue de la Libération", "38300",
                 "Bourgoin-Jallieu", 6),
    )),
    LocalData("CAF de Meurthe-et-Moselle", "54", "21 rue de Saint-Lambert", "54000", "Nancy", 58),
    LocalData("CAF de la Marne", "51", "14 rue Jean-Jaurès", "51000", "Châlons-en-Champagne", 39),
    LocalData("CAF de la Somme", "80", "21 boulevard de Strasbourg", "80000", "Amiens", 51),
    LocalData("CAF du Calvados", "14", "8 avenue du Six-Juin", "14000", "Caen", 53),
    LocalData("CAF du Finistère", "29", "4 avenue de la Libération", "29000", "Quimper", 44, (
        SiteData("Agence de Brest", _S, "10 rue Jean-Macé", "29200", "Brest", 27),
        SiteData("Point d’accueil de Morlaix", _A, "2 place Charles-de-Gaulle", "29600", "Morlaix", 4),
    )),
    LocalData("CAF de Maine-et-Loire", "49", "32 rue Louis-Gain", "49000", "Angers", 57),
    LocalData("CAF de la Vienne", "86", "41 rue du Touffenet", "86000", "Poitiers", 38),
    LocalData("CAF de la Haute-Vienne", "87", "29 rue de la Boucherie", "87000", "Limoges", 36),
    LocalData("CAF des Pyrénées-Atlantiques", "64", "10 boulevard Barbanègre", "64000", "Pau", 49),
    LocalData("CAF du Gard", "30", "8 rue de la République", "30000", "Nîmes", 54),
    LocalData("CAF du Doubs", "25", "2 rue Denis-Papin", "25000", "Besançon", 42),
    LocalData("CAF d’Indre-et-Loire", "37", "1 rue Jacques-Marie-Rougé", "37000", "Tours", 47),
    LocalData("CAF du Var", "83", "85 boulevard Commandant-Nicolas", "83000", "Toulon", 68),
    LocalData("CAF de La Réunion", "974", "4 rue Juliette-Dodu", "97400", "Saint-Denis", 92, (
        SiteData("Agence de Saint-Pierre", _S, "20 rue François-de-Mahy", "97410", "Saint-Pierre", 33),
        SiteData("Agence de Saint-Paul", _S, "6 rue Évariste-de-Parny", "97460", "Saint-Paul", 21),
    )),
)  # fmt: skip

CAF_PRINCIPAL_SITE = "Siège et accueil principal"

# --- Independent local services -----------------------------------------------------------------------------

PREFECTURE = LocalData(
    "Préfecture de la Gironde",
    "33",
    "2 esplanade Charles-de-Gaulle",
    "33000",
    "Bordeaux",
    54,
    (SiteData("Sous-préfecture de Libourne", SiteKind.ANNEX, "31 rue Thiers", "33500", "Libourne", 9),),
)
PREFECTURE_SIRET = _siret("1733", 33)
PREFECTURE_PRINCIPAL_SITE = "Accueil de la préfecture"
PREFECTURE_CANDIDATE = Person("Aurélie", "Petit", "aurelie.petit@demo.prefecture-gironde.example")
# Candidate for the prefecture and member of the national commission: shows role switching.
TWO_ROLE_PERSON = Person("Laurent", "Chevalier", "laurent.chevalier@demo.prefecture-gironde.example")

COMMUNE = LocalData(
    "Mairie de Villeurbanne",
    "69",
    "place du Docteur-Lazare-Goujon",
    "69100",
    "Villeurbanne",
    38,
    (
        SiteData(
            "Mairie annexe de Cusset", SiteKind.ANNEX, "10 rue Pierre-Baratin", "69100", "Villeurbanne", 7
        ),
        SiteData(
            "Mairie annexe des Buers", SiteKind.ANNEX, "17 rue Alexandre-Boutin", "69100", "Villeurbanne", 5
        ),
    ),
)
COMMUNE_SIRET = _siret("2169", 266)  # 69266: the INSEE code of Villeurbanne
COMMUNE_PRINCIPAL_SITE = "Hôtel de ville"
COMMUNE_CANDIDATE = Person("Nicolas", "Girard", "nicolas.girard@demo.villeurbanne.example")


class _Tally:
    """Counts what the seed went through, to tell the operator what a run created."""

    def __init__(self):
        self.counters = {
            key: SeedCounter(label)
            for key, label in (
                ("bodies", "Organismes de certification"),
                ("centrals", "Services publics centraux"),
                ("locals", "Services publics locaux"),
                ("sites", "Sites"),
                ("users", "Comptes"),
            )
        }

    def add(self, key: str, created: bool) -> None:
        self.counters[key].add(created)


def seed(stdout) -> list[DemoAccount]:
    """Create (or bring up to date) every demo organisation, its sites and its people."""
    tally = _Tally()
    accounts = [
        *_seed_national_roles(tally),
        *_seed_certification_bodies(tally),
        *_seed_caf_network(tally),
        *_seed_independent_locals(tally),
    ]
    stdout.write("Organisations et comptes :")
    for counter in tally.counters.values():
        stdout.write(f"  {counter}")
    return accounts


def _person(tally: _Tally, person: Person, **flags):
    user, created = demo_user(
        email=person.email, first_name=person.first_name, last_name=person.last_name, **flags
    )
    tally.add("users", created)
    return user


def _grant(user, role: Role, organisation=None, note: str = "") -> DemoAccount:
    membership_grant(user=user, role=role, organisation=organisation)
    return DemoAccount(
        role=role,
        email=user.email,
        organisation=str(organisation) if organisation else "Niveau national",
        note=note,
    )


def _seed_national_roles(tally: _Tally) -> list[DemoAccount]:
    ditp = _person(tally, DITP_AGENT, is_staff=True, is_superuser=True)
    commission = _person(tally, COMMISSION_MEMBER)
    return [
        _grant(ditp, Role.DITP, note="administration Django (/admin/)"),
        _grant(commission, Role.COMMISSION),
    ]


def _seed_certification_bodies(tally: _Tally) -> list[DemoAccount]:
    accounts = []
    for data in CERTIFICATION_BODIES:
        body, created = upsert(
            CertificationBody,
            lookup={"siret": data.siret},
            values={
                "name": data.name,
                "accreditation_number": data.accreditation_number,
                "accreditation_standard": data.standard,
                "habilitation_start": data.habilitation_start,
                "habilitation_end": habilitation_end(data.habilitation_start),
                "habilitation_status": HabilitationStatus.ACTIVE,
                "engagement_contract_signed_on": data.habilitation_start,
                "contact_email": data.contact_email,
                "city": data.city,
            },
        )
        tally.add("bodies", created)
        accounts.append(_grant(_person(tally, data.manager), Role.CB_MANAGER, body))
        accounts.extend(_grant(_person(tally, auditor), Role.AUDITOR, body) for auditor in data.auditors)
    return accounts


def _seed_caf_network(tally: _Tally) -> list[DemoAccount]:
    cnaf, created = upsert(
        CentralService,
        lookup={"siret": CNAF_SIRET},
        values={
            "name": CNAF_NAME,
            "network_name": "CAF",
            "ministry": CAF_MINISTRY,
            "contact_email": "reseau@demo.cnaf.example",
        },
    )
    tally.add("centrals", created)
    by_name = {}
    for data in CAF_LOCALS:
        by_name[data.name] = _local_service(
            tally,
            data,
            siret=_siret("7790", int(data.departement)),
            kind=LocalServiceKind.SOCIAL_SECURITY,
            parent=cnaf,
            contact_email=f"accueil.{data.departement}@demo.caf.example",
            contact_phone=CAF_PHONE,
            principal_site=CAF_PRINCIPAL_SITE,
        )
    return [
        _grant(
            _person(tally, CNAF_STAFF), Role.CENTRAL, cnaf, note=f"voit les {len(CAF_LOCALS)} CAF du réseau"
        ),
        _grant(_person(tally, CAF_RHONE_CANDIDATE), Role.CANDIDATE, by_name["CAF du Rhône"]),
    ]


def _seed_independent_locals(tally: _Tally) -> list[DemoAccount]:
    prefecture = _local_service(
        tally,
        PREFECTURE,
        siret=PREFECTURE_SIRET,
        kind=LocalServiceKind.STATE_DECONCENTRATED,
        contact_email="accueil@demo.prefecture-gironde.example",
        contact_phone="05 36 49 10 00",
        principal_site=PREFECTURE_PRINCIPAL_SITE,
    )
    commune = _local_service(
        tally,
        COMMUNE,
        siret=COMMUNE_SIRET,
        kind=LocalServiceKind.COMMUNE,
        contact_email="accueil@demo.villeurbanne.example",
        contact_phone="04 65 71 20 00",
        principal_site=COMMUNE_PRINCIPAL_SITE,
    )
    two_roles = _person(tally, TWO_ROLE_PERSON)
    switch_note = "2 rôles : « Changer de rôle » dans Mon espace"
    return [
        _grant(_person(tally, PREFECTURE_CANDIDATE), Role.CANDIDATE, prefecture),
        _grant(_person(tally, COMMUNE_CANDIDATE), Role.CANDIDATE, commune),
        _grant(two_roles, Role.CANDIDATE, prefecture, note=switch_note),
        _grant(two_roles, Role.COMMISSION, note=switch_note),
    ]


def _local_service(
    tally: _Tally,
    data: LocalData,
    *,
    siret: str,
    kind: LocalServiceKind,
    principal_site: str,
    parent: CentralService | None = None,
    contact_email: str = "",
    contact_phone: str = "",
) -> LocalService:
    """A local service with its principal site (at the service's address) and its other sites."""
    address = {
        "street": data.street,
        "postal_code": data.postal_code,
        "city": data.city,
        "departement": data.departement,
    }
    service, created = upsert(
        LocalService,
        lookup={"siret": siret},
        values={
            "name": data.name,
            "kind": kind,
            "parent": parent,
            "contact_email": contact_email,
            "contact_phone": contact_phone,
            **address,
        },
    )
    tally.add("locals", created)
    principal = SiteData(
        principal_site, SiteKind.PRINCIPAL, data.street, data.postal_code, data.city, data.principal_agents
    )
    for site in (principal, *data.other_sites):
        _site, created = upsert(
            Site,
            lookup={"local_service": service, "name": site.name},
            values={
                "kind": site.kind,
                "street": site.street,
                "postal_code": site.postal_code,
                "city": site.city,
                # Every demo site lies in its service's département.
                "departement": data.departement,
                "agents_in_contact": site.agents,
                "is_active": True,
            },
        )
        tally.add("sites", created)
    return service
