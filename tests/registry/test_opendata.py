"""Open data of the public registry (issue #8): CSV and JSON exports, the JSON API, the Atom feed."""

import csv
import datetime
import io
import json
import xml.etree.ElementTree as ET
import zoneinfo
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from candidates.enums import LocalServiceKind
from decisions.enums import DecisionOutcome, LabelStatus, SuspensionReason, Tier, WithdrawalReason
from decisions.models import Attestation, Label, Suspension, Withdrawal
from registry import opendata
from registry.enums import HabilitationStatus
from registry.selectors import registry_labels
from tests.accounts.factories import UserFactory
from tests.candidates.factories import (
    ApplicationFactory,
    CentralServiceFactory,
    LocalServiceFactory,
    ServiceContractFactory,
)
from tests.decisions.factories import DecisionFactory, LabelFactory, bulk_labels
from tests.registry.factories import CertificationBodyFactory

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
ATOM = "{http://www.w3.org/2005/Atom}"


def _local_label(*, tier=Tier.ARGENT, body=None, decided_on=None, **local):
    service = LocalServiceFactory(**local)
    contract = ServiceContractFactory(local_service=service, **({"certification_body": body} if body else {}))
    application = ApplicationFactory(
        contract=contract, local_service=service, status="closed", outcome="labelled"
    )
    decision = DecisionFactory(
        application=application, tier=tier, **({"decided_on": decided_on} if decided_on else {})
    )
    return LabelFactory(decision=decision)


def _central_label(central, tier=Tier.OR):
    contract = ServiceContractFactory(central_service=central, local_service=None)
    application = ApplicationFactory(
        contract=contract, local_service=None, central_service=central, status="closed", outcome="labelled"
    )
    return LabelFactory(decision=DecisionFactory(application=application, tier=tier))


def _suspend(label, starts_on=None):
    starts_on = starts_on or timezone.localdate()
    Suspension.objects.create(
        label=label,
        reason=SuspensionReason.POSTPONEMENTS,
        details="Précisions internes à ne pas publier",
        starts_on=starts_on,
        ends_on=starts_on + datetime.timedelta(days=90),
        decided_by=UserFactory(),
    )
    Label.objects.filter(pk=label.pk).update(status=LabelStatus.SUSPENDED)


def _withdraw(label, effective_on=None):
    effective_on = effective_on or timezone.localdate()
    Withdrawal.objects.create(
        label=label,
        reason=WithdrawalReason.TRADEMARK_BREACH,
        details="Motivation interne à ne pas publier",
        effective_on=effective_on,
        decided_by=UserFactory(),
    )
    if effective_on <= timezone.localdate():
        Label.objects.filter(pk=label.pk).update(status=LabelStatus.WITHDRAWN)


def _attest(label, version):
    return Attestation.objects.create(
        label=label,
        decision=label.decision,
        version=version,
        number=f"SP-TEST-{label.pk:06d}-v{version}",
        token=f"jeton-open-data-{label.pk:06d}-v{version}-abcdefgh",
    )


def _many_labels(count):
    """`count` labelled locals, all but the first created in bulk."""
    first = _local_label(name="Agence 0000")
    labels = bulk_labels(first, count - 1, name="Agence")
    for label in labels[::2]:
        _attest(label, 1)
    return [first, *labels]


@pytest.fixture
def registry():
    """An active local label (with two attestations), a suspended one, a withdrawn one, an expired one, and a
    central label whose network holds the first."""
    central = CentralServiceFactory(network_name="CAF")
    active = _local_label(name="Caisse d’allocations de Lyon", parent=central, tier=Tier.OR)
    _attest(active, 1)
    _attest(active, 2)
    suspended = _local_label(name="Préfecture de Brest", departement="29", city="Brest", postal_code="29200")
    _suspend(suspended)
    withdrawn = _local_label(name="Sous-préfecture retirée")
    _withdraw(withdrawn)
    expired = _local_label(
        name="Mairie expirée", decided_on=timezone.localdate() - datetime.timedelta(days=4 * 365)
    )
    central_label = _central_label(central)
    return {
        "central": central,
        "active": active,
        "suspended": suspended,
        "withdrawn": withdrawn,
        "expired": expired,
        "central_label": central_label,
    }


def _service_siret(label):
    return (label.local_service or label.central_service).siret


def _csv_rows(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark"
    reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";")
    assert tuple(reader.fieldnames) == opendata.COLUMNS
    return list(reader)


def _json(response):
    return json.loads(response.content)


# --- Exports ----------------------------------------------------------------------------------------------------------


def test_csv_export_lists_the_public_registry(client, registry):
    response = client.get(reverse("registre:export_csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'attachment; filename="registre-services-publics-plus-{today:%Y-%m-%d}.csv"'
    )
    rows = _csv_rows(response)
    assert {row["siret"] for row in rows} == {_service_siret(label) for label in registry_labels()}
    assert {row["siret"] for row in rows} == {
        _service_siret(registry[name]) for name in ("active", "suspended", "central_label")
    }
    by_siret = {row["siret"]: row for row in rows}
    suspended = by_siret[registry["suspended"].local_service.siret]
    assert suspended["statut"] == "suspendu"
    assert (suspended["departement"], suspended["departement_nom"], suspended["region_nom"]) == (
        "29",
        "Finistère",
        "Bretagne",
    )
    assert suspended["url_verification"] == ""  # no attestation issued
    active = by_siret[registry["active"].local_service.siret]
    assert active["statut"] == "actif"
    assert active["palier"] == "or"
    assert active["nom"] == "Caisse d’allocations de Lyon"
    assert active["date_debut"] == registry["active"].starts_on.isoformat()
    assert active["date_fin"] == registry["active"].ends_on.isoformat()
    assert (active["reseau"], active["reseau_tete_siret"]) == ("CAF", registry["central"].siret)
    assert active["id_label"] == str(registry["active"].pk)
    assert active["url_fiche"] == settings.SITE_URL + reverse(
        "registre:service", args=[registry["active"].local_service.siret]
    )


def test_the_verification_link_is_the_latest_attestations(client, registry):
    rows = _json(client.get(reverse("registre:export_json")))["labels"]
    active = next(row for row in rows if row["id_label"] == registry["active"].pk)

    latest = registry["active"].attestations.get(version=2)
    assert active["numero_attestation"] == latest.number
    assert active["url_verification"] == settings.SITE_URL + reverse(
        "decisions:attestation_verify", args=[latest.token]
    )


def test_json_export_has_its_schema_date_and_count(client, registry):
    response = client.get(reverse("registre:export_json"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Disposition"].startswith('attachment; filename="registre-services-publics-plus-')
    document = _json(response)
    assert document["schema"] == f"{settings.SITE_URL}/static/registry/schema-v1.json"
    assert document["generated_on"] == timezone.localdate().isoformat()
    assert document["count"] == len(document["labels"]) == registry_labels().count() == 3
    by_siret = {row["siret"]: row for row in document["labels"]}
    central = by_siret[registry["central"].siret]
    assert central["nature"] == "central"
    assert central["commune"] is None
    assert central["reseau_tete_siret"] == registry["central"].siret
    assert by_siret[registry["suspended"].local_service.siret]["statut"] == "suspendu"


def _check_type(value, spec):
    kinds = spec["type"] if isinstance(spec["type"], list) else [spec["type"]]
    python = {"string": str, "integer": int, "null": type(None)}
    assert any(isinstance(value, python[kind]) for kind in kinds), (value, spec)
    if isinstance(value, str) and "enum" in spec:
        assert value in spec["enum"], (value, spec)
    if isinstance(value, str) and spec.get("format") == "date":
        datetime.date.fromisoformat(value)


def test_rows_follow_the_published_schema(client, registry):
    schema = json.loads((Path(settings.BASE_DIR) / "static" / opendata.SCHEMA_PATH).read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert tuple(schema["properties"]) == opendata.COLUMNS
    assert schema["required"] == list(opendata.COLUMNS)
    assert schema["additionalProperties"] is False
    for row in _json(client.get(reverse("registre:export_json")))["labels"]:
        assert set(row) == set(opendata.COLUMNS)
        for column, value in row.items():
            _check_type(value, schema["properties"][column])


def test_every_column_is_documented():
    documentation = (Path(settings.BASE_DIR) / "docs" / "registry-schema.md").read_text()
    for column in (*opendata.COLUMNS, *opendata.BODY_COLUMNS):
        assert f"`{column}`" in documentation, column


def _travel(day):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 12, tzinfo=PARIS), tick=False)


def test_an_expired_label_leaves_the_exports_the_day_after_its_last_day(client):
    label = _local_label()
    siret = label.local_service.siret

    with _travel(label.ends_on):
        assert siret in {row["siret"] for row in _csv_rows(client.get(reverse("registre:export_csv")))}
        assert _json(client.get(reverse("api:label", args=[siret])))["siret"] == siret
    with _travel(label.ends_on + datetime.timedelta(days=1)):
        assert siret not in {row["siret"] for row in _csv_rows(client.get(reverse("registre:export_csv")))}
        assert _json(client.get(reverse("registre:export_json")))["count"] == 0
        assert client.get(reverse("api:label", args=[siret])).status_code == 404


def test_a_withdrawal_leaves_the_exports_on_its_effective_date(client):
    label = _local_label()
    today = timezone.localdate()
    _withdraw(label, effective_on=today + datetime.timedelta(days=10))

    assert _json(client.get(reverse("registre:export_json")))["count"] == 1
    with _travel(today + datetime.timedelta(days=10)):
        assert _json(client.get(reverse("registre:export_json")))["count"] == 0


def test_exports_are_cached_until_the_registry_changes(client, registry, django_assert_num_queries):
    client.get(reverse("registre:export_csv"))
    client.get(reverse("registre:export_json"))
    with django_assert_num_queries(0):
        assert len(_csv_rows(client.get(reverse("registre:export_csv")))) == 3
        assert _json(client.get(reverse("registre:export_json")))["count"] == 3

    new = _local_label(name="Nouvelle labellisée")

    assert new.local_service.siret in {
        row["siret"] for row in _csv_rows(client.get(reverse("registre:export_csv")))
    }
    assert _json(client.get(reverse("registre:export_json")))["count"] == 4
    _withdraw(new)  # through a signal on the withdrawal
    assert _json(client.get(reverse("registre:export_json")))["count"] == 3


@pytest.mark.parametrize("count", [3, 300])
def test_exports_take_one_query_whatever_the_size(client, count, django_assert_num_queries):
    _many_labels(count)
    with django_assert_num_queries(1):
        assert len(_csv_rows(client.get(reverse("registre:export_csv")))) == count
    with django_assert_num_queries(1):
        assert _json(client.get(reverse("registre:export_json")))["count"] == count


def test_exports_are_in_french_whatever_the_language(client, registry):
    rows = _json(client.get(reverse("registre:export_json"), HTTP_ACCEPT_LANGUAGE="en"))["labels"]
    active = next(row for row in rows if row["id_label"] == registry["active"].pk)
    assert active["nature_libelle"] == "Service déconcentré de l’État"


@pytest.mark.parametrize(
    "name", ["registre:export_csv", "registre:export_json", "registre:feed", "api:labels", "api:bodies"]
)
def test_open_data_is_read_only(client, name):
    assert client.head(reverse(name)).status_code == 200
    assert client.post(reverse(name)).status_code == 405


# --- API ----------------------------------------------------------------------------------------------------------------


def test_api_labels_are_paginated_by_100(client):
    labels = _many_labels(250)
    url = reverse("api:labels")

    first = client.get(url)
    assert first.status_code == 200
    assert first["Access-Control-Allow-Origin"] == "*"
    page = _json(first)
    assert page["count"] == 250
    assert len(page["results"]) == 100
    assert page["previous"] is None
    assert page["next"] == f"{settings.SITE_URL}{url}?page=2"
    last = _json(client.get(url, {"page": 3}))
    assert len(last["results"]) == 50
    assert last["next"] is None
    assert last["previous"] == f"{settings.SITE_URL}{url}?page=2"
    seen = [row["id_label"] for n in (1, 2, 3) for row in _json(client.get(url, {"page": n}))["results"]]
    assert sorted(seen) == sorted(label.pk for label in labels)
    assert [row["nom"] for row in page["results"]] == sorted(row["nom"] for row in page["results"])

    beyond = client.get(url, {"page": 4})
    assert beyond.status_code == 404
    assert _json(beyond)["parameter"] == "page"
    assert client.get(url, {"page": "abc"}).status_code == 400
    assert client.get(url, {"page": "0"}).status_code == 400


def test_an_empty_registry_has_one_empty_page(client):
    assert _json(client.get(reverse("api:labels"))) == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }


def test_api_labels_match_the_csv_export(client, registry):
    api = {row["siret"]: row for row in _json(client.get(reverse("api:labels")))["results"]}
    exported = {row["siret"]: row for row in _csv_rows(client.get(reverse("registre:export_csv")))}
    assert set(api) == set(exported)
    for siret, row in api.items():
        assert {column: "" if value is None else str(value) for column, value in row.items()} == exported[
            siret
        ]


def _sirets(client, **params):
    response = client.get(reverse("api:labels"), params)
    assert response.status_code == 200, response.content
    return {row["siret"] for row in _json(response)["results"]}


def test_api_filters(client, registry):
    active = registry["active"].local_service.siret
    suspended = registry["suspended"].local_service.siret
    central = registry["central"].siret
    other_body = CertificationBodyFactory()
    elsewhere = _local_label(
        body=other_body,
        tier=Tier.BRONZE,
        kind=LocalServiceKind.COMMUNE,
        name="Mairie de Marseille",
        city="Marseille",
        departement="13",
        postal_code="13001",
    ).local_service.siret

    assert _sirets(client, tier="or") == {active, central}
    assert _sirets(client, tier="bronze") == {elsewhere}
    assert _sirets(client, region="53") == {suspended}
    assert _sirets(client, departement="13") == {elsewhere}
    assert _sirets(client, kind="central") == {central}
    assert _sirets(client, kind="commune") == {elsewhere}
    assert _sirets(client, network=central) == {active, central}
    assert _sirets(client, network=str(registry["central"].pk)) == {active, central}
    assert _sirets(client, body=other_body.siret) == {elsewhere}
    assert _sirets(client, q="marseille") == {elsewhere}
    assert _sirets(client, q="Brest") == {suspended}
    assert _sirets(client, q="mairie marseille", tier="bronze", region="93") == {elsewhere}
    assert _sirets(client, tier="") == {active, suspended, central, elsewhere}


@pytest.mark.parametrize(
    "params",
    [
        {"tier": "platine"},
        {"region": "99"},
        {"departement": "999"},
        {"kind": "ministere"},
        {"network": "pas-un-siret"},
        {"network": "12345678901234"},  # no central service has it
        {"body": "1234567890123456789"},
        {"q": "x" * 101},
        {"q": "nul\x00"},
    ],
)
def test_api_bad_filters_answer_400_in_french(client, params):
    _local_label()
    response = client.get(reverse("api:labels"), params)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    error = _json(response)
    assert error["parameter"] == next(iter(params))
    assert "paramètre" in error["detail"] or "recherche" in error["detail"]


@pytest.mark.parametrize("count", [3, 300])
def test_api_labels_take_two_queries_whatever_the_size(client, count, django_assert_num_queries):
    _many_labels(count)
    with django_assert_num_queries(2):  # count, page (attestations in a subquery)
        page = _json(client.get(reverse("api:labels")))
    assert page["count"] == count
    assert len(page["results"]) == min(count, 100)
    with django_assert_num_queries(0):  # cached
        client.get(reverse("api:labels"))


def test_api_label_by_siret(client, registry):
    siret = registry["active"].local_service.siret
    response = client.get(reverse("api:label", args=[siret]))

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    row = _json(response)
    assert (row["siret"], row["id_label"], row["statut"]) == (siret, registry["active"].pk, "actif")
    assert _json(client.get(reverse("api:label", args=[registry["central"].siret])))["nature"] == "central"
    assert _json(client.get(reverse("api:label", args=[_service_siret(registry["suspended"])])))[
        "statut"
    ] == ("suspendu")
    for absent in (
        _service_siret(registry["withdrawn"]),
        _service_siret(registry["expired"]),
        "123",
        "x" * 14,
    ):
        response = client.get(reverse("api:label", args=[absent]))
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert _json(response)["detail"] == "Aucun service labellisé ne porte ce SIRET."


def test_api_bodies_are_the_habilitated_ones(client, django_assert_num_queries):
    body = CertificationBodyFactory(name="AFNOR Certification", city="Saint-Denis")
    CertificationBodyFactory(name="Organisme suspendu", habilitation_status=HabilitationStatus.SUSPENDED)
    CertificationBodyFactory(
        name="Habilitation échue",
        habilitation_start=datetime.date(2015, 1, 1),
        habilitation_end=datetime.date(2020, 1, 1),
    )

    with django_assert_num_queries(2):
        response = client.get(reverse("api:bodies"))

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    page = _json(response)
    assert page["count"] == 1
    assert page["results"] == [
        {
            "siret": body.siret,
            "nom": "AFNOR Certification",
            "commune": "Saint-Denis",
            "numero_accreditation": body.accreditation_number,
            "norme_accreditation": "iso17065",
            "norme_accreditation_libelle": "NF EN ISO/CEI 17065 (produits et services)",
            "habilitation_debut": body.habilitation_start.isoformat(),
            "habilitation_fin": body.habilitation_end.isoformat(),
            "habilitation_statut": "active",
        }
    ]


# --- Atom feed --------------------------------------------------------------------------------------------------------


def _feed(client):
    response = client.get(reverse("registre:feed"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    return response.content


def _valid_atom(content):
    root = ET.fromstring(content)  # noqa: S314 - our own output, under test
    assert root.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{tag}").text, tag
    datetime.datetime.fromisoformat(root.find(f"{ATOM}updated").text)
    entries = root.findall(f"{ATOM}entry")
    for entry in entries:
        for tag in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{tag}").text, tag
        datetime.datetime.fromisoformat(entry.find(f"{ATOM}updated").text)
        assert entry.find(f"{ATOM}link").get("href").startswith(settings.SITE_URL)
    assert len({entry.find(f"{ATOM}id").text for entry in entries}) == len(entries), "unique ids"
    return root, entries


def test_the_feed_is_valid_atom_with_the_public_events(client):
    today = timezone.localdate()
    _local_label(name="Caisse primaire de Nantes", tier=Tier.BRONZE)
    upgraded = _local_label(name="Préfecture du Rhône", tier=Tier.ARGENT)
    DecisionFactory(
        application=upgraded.decision.application,
        outcome=DecisionOutcome.UPGRADE,
        tier=Tier.OR,
        motivation="Motivation à ne pas publier",
    )
    suspended = _local_label(name="Sous-préfecture de Morlaix")
    _suspend(suspended)
    withdrawn = _local_label(name="Trésorerie de Vienne")
    _withdraw(withdrawn)
    later = _local_label(name="Retrait à venir")
    _withdraw(later, effective_on=today + datetime.timedelta(days=15))

    content = _feed(client)

    root, entries = _valid_atom(content)
    titles = {entry.find(f"{ATOM}title").text for entry in entries}
    assert {
        "Label Bronze attribué : Caisse primaire de Nantes",
        "Passage au palier Or : Préfecture du Rhône",
        "Label suspendu : Sous-préfecture de Morlaix",
        "Label retiré : Trésorerie de Vienne",
    } <= titles
    assert "Label retiré : Retrait à venir" not in titles  # not yet in effect
    assert len(entries) == 5 + 3  # five awards, an upgrade, a suspension, a withdrawal
    links = {entry.find(f"{ATOM}title").text: entry.find(f"{ATOM}link").get("href") for entry in entries}
    assert links["Label retiré : Trésorerie de Vienne"] == settings.SITE_URL + reverse(
        "registre:service", args=[withdrawn.local_service.siret]
    )
    assert root.find(f"{ATOM}id").text == settings.SITE_URL + reverse("registre:feed")
    for secret in (b"ne pas publier", b"Reports successifs", b"marque"):
        assert secret not in content


def test_the_feed_holds_the_50_latest_events(client):
    labels = _many_labels(60)
    _suspend(labels[-1])

    _root, entries = _valid_atom(_feed(client))

    assert len(entries) == 50
    assert entries[0].find(f"{ATOM}title").text.startswith("Label suspendu")


def test_an_empty_feed_is_valid(client):
    _root, entries = _valid_atom(_feed(client))
    assert entries == []
