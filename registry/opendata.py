"""Open data of the public registry (issue #8; guide §2.3, §5.3): the labels on the public list as the exports and
the API publish them, the habilitated bodies, and the feed of what changed.

One row per public label (`label_row`), the same in the CSV export, the JSON export and the API: its columns are
documented in docs/registry-schema.md and described by the JSON Schema static/registry/schema-v1.json. A service is
identified by its SIRET (stable across renewals); `id_label` names the label itself (a renewal is a new label).
Everything is published in French, whatever the visitor's language, since the files are cached and shared.
"""

import csv
import datetime
import io
import json
import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed, get_tag_uri
from django.utils.translation import gettext as _

from candidates.enums import LocalServiceKind
from candidates.models import CentralService
from decisions.enums import DecisionOutcome, Tier
from decisions.models import Attestation, Decision, Suspension, Withdrawal
from labelsp.geo import DEPARTEMENTS, REGIONS
from labelsp.links import absolute_url
from labelsp.spreadsheets import neutralise_formula
from registry.models import CertificationBody
from registry.selectors import RegistryFilters

SCHEMA_PATH = "registry/schema-v1.json"
# The kind of a central service (a network's head) in the `nature` column and the `kind` filter.
CENTRAL_KIND = "central"
STATUS_ACTIVE = "actif"
STATUS_SUSPENDED = "suspendu"
CSV_DELIMITER = ";"
EXPORT_CHUNK = 2000
FEED_SIZE = 50
QUERY_MAX_LENGTH = 100  # as on the registry page

# The columns of a label row, in the CSV's order (docs/registry-schema.md).
COLUMNS = (
    "id_label",
    "siret",
    "nom",
    "nature",
    "nature_libelle",
    "commune",
    "code_postal",
    "departement",
    "departement_nom",
    "region",
    "region_nom",
    "reseau",
    "reseau_tete_nom",
    "reseau_tete_siret",
    "palier",
    "statut",
    "date_debut",
    "date_fin",
    "organisme_nom",
    "organisme_siret",
    "numero_attestation",
    "url_fiche",
    "url_verification",
)
BODY_COLUMNS = (
    "siret",
    "nom",
    "commune",
    "numero_accreditation",
    "norme_accreditation",
    "norme_accreditation_libelle",
    "habilitation_debut",
    "habilitation_fin",
    "habilitation_statut",
)

SIRET_RE = re.compile(r"^[0-9]{14}$")


def absolute(path: str) -> str:
    return absolute_url(path)


def schema_url() -> str:
    """The schema's unhashed static URL: stable, whatever the deployed file's fingerprint."""
    return absolute(f"{settings.STATIC_URL}{SCHEMA_PATH}")


def with_latest_attestation(labels):
    """`labels` annotated with the number and verification token of each label's latest attestation (a correlated
    subquery: no query per row)."""
    latest = Attestation.objects.filter(label=OuterRef("pk")).order_by("-version")
    return labels.annotate(
        latest_attestation_number=Subquery(latest.values("number")[:1]),
        latest_attestation_token=Subquery(latest.values("token")[:1]),
    )


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def label_row(label) -> dict:
    """One public label as published: `label` comes from `registry_labels()` through `with_latest_attestation`."""
    local = label.local_service
    central = local.parent if local else label.central_service
    service = local or label.central_service
    token = label.latest_attestation_token
    row = {
        "id_label": label.pk,
        "siret": service.siret,
        "nom": service.name,
        "nature": local.kind if local else CENTRAL_KIND,
        "nature_libelle": local.get_kind_display() if local else _("Service public central"),
        "commune": local.city if local else None,
        "code_postal": local.postal_code if local else None,
        "departement": local.departement if local else None,
        "departement_nom": DEPARTEMENTS[local.departement][0] if local else None,
        "region": local.region if local else None,
        "region_nom": REGIONS.get(local.region) if local else None,
        "reseau": central.network_name if central else None,
        "reseau_tete_nom": central.name if central else None,
        "reseau_tete_siret": central.siret if central else None,
        "palier": label.tier,
        "statut": STATUS_SUSPENDED if label.is_suspended else STATUS_ACTIVE,
        "date_debut": _iso(label.starts_on),
        "date_fin": _iso(label.ends_on),
        "organisme_nom": label.certification_body.name,
        "organisme_siret": label.certification_body.siret,
        "numero_attestation": label.latest_attestation_number,
        "url_fiche": absolute(reverse("registre:service", args=[service.siret])),
        "url_verification": absolute(reverse("decisions:attestation_verify", args=[token]))
        if token
        else None,
    }
    return row


def body_row(body: CertificationBody) -> dict:
    return {
        "siret": body.siret,
        "nom": body.name,
        "commune": body.city or None,
        "numero_accreditation": body.accreditation_number,
        "norme_accreditation": body.accreditation_standard,
        "norme_accreditation_libelle": body.get_accreditation_standard_display(),
        "habilitation_debut": _iso(body.habilitation_start),
        "habilitation_fin": _iso(body.habilitation_end),
        "habilitation_statut": body.habilitation_status,
    }


def _rows(labels):
    with translation.override("fr"):
        for label in with_latest_attestation(labels).iterator(chunk_size=EXPORT_CHUNK):
            yield label_row(label)


def export_csv(labels) -> bytes:
    """The CSV export: UTF-8 with a byte-order mark and ";" between columns (what French spreadsheets open as
    is), a header line of the column names, empty cells for absent values, dates as YYYY-MM-DD; a text starting
    like a formula (=, +, -, @) is prefixed with an apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_DELIMITER)
    writer.writerow(COLUMNS)
    for row in _rows(labels):
        writer.writerow(
            ["" if row[column] is None else neutralise_formula(row[column]) for column in COLUMNS]
        )
    return out.getvalue().encode("utf-8-sig")


def export_json(labels) -> bytes:
    rows = list(_rows(labels))
    document = {
        "schema": schema_url(),
        "generated_on": timezone.localdate().isoformat(),
        "count": len(rows),
        "labels": rows,
    }
    return json.dumps(document, ensure_ascii=False).encode()


def export_filename(extension: str) -> str:
    return f"registre-services-publics-plus-{timezone.localdate():%Y-%m-%d}.{extension}"


# --- API filters ---------------------------------------------------------------------------------------------------


class InvalidParameter(ValueError):
    """A query parameter the API cannot use: answered 400 with its French message."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


def _choice(params, name: str, allowed) -> str:
    value = params.get(name, "").strip()
    if value and value not in allowed:
        raise InvalidParameter(
            name,
            _("Valeur inconnue pour le paramètre « %(name)s » : valeurs possibles %(values)s.")
            % {"name": name, "values": ", ".join(sorted(allowed))},
        )
    return value


def _organisation_id(params, name: str, model, unknown_message: str) -> int | None:
    """A central service or body named by its SIRET (14 digits, as the rows publish it) or by the internal id the
    registry page's links use."""
    value = params.get(name, "").strip()
    if not value:
        return None
    if re.fullmatch(r"[0-9]{1,9}", value):
        return int(value)
    if not SIRET_RE.match(value):
        raise InvalidParameter(
            name,
            _(
                "Le paramètre « %(name)s » attend un SIRET de 14 chiffres ou l’identifiant utilisé par le registre."
            )
            % {"name": name},
        )
    pk = model.objects.filter(siret=value).values_list("pk", flat=True).first()
    if pk is None:
        raise InvalidParameter(name, unknown_message)
    return pk


def parse_filters(params) -> RegistryFilters:
    """The registry's filters from API query parameters, each checked against its list. Raises InvalidParameter."""
    q = params.get("q", "").strip()
    if len(q) > QUERY_MAX_LENGTH or "\x00" in q:
        raise InvalidParameter(
            "q",
            _("La recherche « q » doit compter au plus %(max)s caractères imprimables.")
            % {"max": QUERY_MAX_LENGTH},
        )
    return RegistryFilters(
        q=q,
        tier=_choice(params, "tier", Tier.values),
        region=_choice(params, "region", REGIONS),
        departement=_choice(params, "departement", DEPARTEMENTS),
        kind=_choice(params, "kind", [*LocalServiceKind.values, CENTRAL_KIND]),
        network=_organisation_id(
            params,
            "network",
            CentralService,
            _("Aucun service central ne porte ce SIRET (paramètre « network »)."),
        ),
        body=_organisation_id(
            params,
            "body",
            CertificationBody,
            _("Aucun organisme de certification ne porte ce SIRET (paramètre « body »)."),
        ),
    )


def parse_page(params) -> int:
    value = params.get("page", "1").strip() or "1"
    if not re.fullmatch(r"[0-9]{1,6}", value) or int(value) < 1:
        raise InvalidParameter("page", _("Le paramètre « page » attend un entier positif."))
    return int(value)


# --- Atom feed -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedEvent:
    kind: str  # award, upgrade, suspension, withdrawal
    pk: int
    at: datetime.datetime
    recorded_on: datetime.date  # stable, for the entry's tag URI
    service: object  # a LocalService or a CentralService
    tier: str
    body_name: str
    effective_on: datetime.date | None = None


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def feed_events(on: datetime.date | None = None, size: int = FEED_SIZE) -> list[FeedEvent]:
    """The `size` latest public events of the registry: labels awarded, upgrades, suspensions and withdrawals (an
    uncorrected decision; a suspension or withdrawal once in effect, dated when it took effect). Three queries."""
    on = on or timezone.localdate()
    decisions = (
        Decision.objects.filter(
            outcome__in=[DecisionOutcome.AWARD, DecisionOutcome.UPGRADE],
            decided_on__lte=on,
            replaced_by__isnull=True,
        )
        .select_related("local_service", "central_service", "certification_body")
        .order_by("-issued_at", "-pk")[:size]
    )
    label_related = ("label__local_service", "label__central_service", "label__certification_body")
    suspensions = (
        Suspension.objects.filter(starts_on__lte=on)
        .select_related(*label_related)
        .order_by("-starts_on", "-created_at", "-pk")[:size]
    )
    withdrawals = (
        Withdrawal.objects.filter(effective_on__lte=on)
        .select_related(*label_related)
        .order_by("-effective_on", "-created_at", "-pk")[:size]
    )
    events = [
        FeedEvent(
            kind=decision.outcome,
            pk=decision.pk,
            at=decision.issued_at,
            recorded_on=decision.decided_on,
            service=decision.local_service or decision.central_service,
            tier=decision.tier,
            body_name=decision.certification_body.name,
        )
        for decision in decisions
    ]
    for kind, rows, effective in (
        ("suspension", suspensions, "starts_on"),
        ("withdrawal", withdrawals, "effective_on"),
    ):
        for row in rows:
            effective_on = getattr(row, effective)
            events.append(
                FeedEvent(
                    kind=kind,
                    pk=row.pk,
                    at=max(row.created_at, _start_of(effective_on)),
                    recorded_on=timezone.localdate(row.created_at),
                    service=row.label.local_service or row.label.central_service,
                    tier=row.label.tier,
                    body_name=row.label.certification_body.name,
                    effective_on=effective_on,
                )
            )
    events.sort(key=lambda event: (event.at, event.pk), reverse=True)
    return events[:size]


def _entry_text(event: FeedEvent) -> tuple[str, str]:
    tier = Tier(event.tier).label
    name = event.service.name
    city = getattr(event.service, "city", "")
    where = f"{name} ({city})" if city else name
    if event.kind == DecisionOutcome.AWARD:
        title = _("Label %(tier)s attribué : %(name)s") % {"tier": tier, "name": name}
        summary = _(
            "%(service)s obtient le label Services Publics + au palier %(tier)s ; organisme : %(body)s."
        )
    elif event.kind == DecisionOutcome.UPGRADE:
        title = _("Passage au palier %(tier)s : %(name)s") % {"tier": tier, "name": name}
        summary = _("%(service)s passe au palier %(tier)s ; organisme : %(body)s.")
    elif event.kind == "suspension":
        title = _("Label suspendu : %(name)s") % {"name": name}
        summary = _(
            "Le label %(tier)s de %(service)s est suspendu depuis le %(date)s ; organisme : %(body)s."
        )
    else:
        title = _("Label retiré : %(name)s") % {"name": name}
        summary = _("Le label %(tier)s de %(service)s est retiré depuis le %(date)s ; organisme : %(body)s.")
    date = f"{event.effective_on:%d/%m/%Y}" if event.effective_on else ""
    return title, summary % {"service": where, "tier": tier, "body": event.body_name, "date": date}


def atom_feed(on: datetime.date | None = None) -> bytes:
    """The Atom 1.0 feed of the latest events: public facts only (no motivation, no reason, no details)."""
    with translation.override("fr"):
        feed_url = absolute(reverse("registre:feed"))
        feed = Atom1Feed(
            title=_("Registre Services Publics + : labels attribués, suspendus et retirés"),
            link=absolute(reverse("registre:list")),
            description=_("Les dernières décisions publiques du registre des services labellisés."),
            feed_url=feed_url,
            feed_guid=feed_url,
            language="fr",
            author_name="DITP",
        )
        for event in feed_events(on):
            title, summary = _entry_text(event)
            feed.add_item(
                title=title,
                link=absolute(reverse("registre:service", args=[event.service.siret])),
                description=summary,
                unique_id=get_tag_uri(f"{feed_url}#{event.kind}-{event.pk}", event.recorded_on),
                pubdate=event.at,
                updateddate=event.at,
            )
        return feed.writeString("utf-8").encode()
