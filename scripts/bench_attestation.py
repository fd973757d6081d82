"""Benchmark of the attestation (issue #6, « Performance »), against WeasyPrint alone in the same run:

- a one-page local attestation, context + PDF/A render + PAdES signature, against a bare one-page HTML document
  rendered by WeasyPrint (goal ≤ 2×);
- a central attestation whose annex lists 500 labelled locals, time per page, against a bare HTML table of the same
  500 rows rendered by WeasyPrint, per page (goal ≤ 1.5×).

The bare documents have no stylesheet, no web font, no image, no PDF/A and no signature: the ratios are the whole
cost of the house style, the QR code, archiving and signing. Called by scripts/bench_survey_import.py
(`make bench`).
"""

import io
import tempfile
import time

ANNEX_ROWS = 500
ONE_PAGE_GOAL = 2.0
ANNEX_GOAL = 1.5
BENCH_NAME = "Banc d’essai des attestations"


def _pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _bare(html_body: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f'<!DOCTYPE html><html lang="fr"><body>{html_body}</body></html>').write_pdf()


def _world():
    """A local label with two sites, and a central label whose network holds ANNEX_ROWS labelled locals (reused
    from a previous run when present)."""

    from candidates.models import CentralService
    from decisions.enums import Tier
    from decisions.models import Label
    from tests.candidates.factories import (
        ApplicationFactory,
        CentralServiceFactory,
        LocalServiceFactory,
        ServiceContractFactory,
        SiteFactory,
    )
    from tests.decisions.factories import DecisionFactory, LabelFactory, bulk_labels

    central = CentralService.objects.filter(name=BENCH_NAME).first()
    if central is None:
        central = CentralServiceFactory(name=BENCH_NAME)
        contract = ServiceContractFactory(central_service=central, local_service=None)
        application = ApplicationFactory(
            contract=contract,
            local_service=None,
            central_service=central,
            status="closed",
            outcome="labelled",
        )
        LabelFactory(decision=DecisionFactory(application=application, tier=Tier.ARGENT))
        first = LocalServiceFactory(parent=central, name=f"{BENCH_NAME} — agence 0000")
        first_label = LabelFactory(
            decision=DecisionFactory(application=application, local_service=first, central_service=None)
        )
        bulk_labels(first_label, ANNEX_ROWS - 1, name=f"{BENCH_NAME} — agence")
    central_label = Label.objects.filter(central_service=central).select_related("decision").first()
    local = LocalServiceFactory(name=f"{BENCH_NAME} — service local")
    SiteFactory(local_service=local, name="Accueil principal", kind="principal")
    SiteFactory(local_service=local, name="Antenne")
    application = ApplicationFactory(
        contract=ServiceContractFactory(local_service=local),
        local_service=local,
        status="closed",
        outcome="labelled",
    )
    local_label = LabelFactory(decision=DecisionFactory(application=application, tier=Tier.OR))
    return local_label, central_label


def _attest(label) -> bytes:
    from decisions.attestations import attestation_context, render_attestation
    from decisions.signing import sign_pdf

    context = attestation_context(
        label=label,
        decision=label.decision,
        number=f"SP-BENCH-{label.pk:06d}-v1",
        token="jeton-de-banc-d-essai",  # noqa: S106 -- a fixed token for the benchmark, not a secret
    )
    return sign_pdf(render_attestation(context), label.certification_body)


def measure(repeat: int) -> list[tuple]:
    """Rows for the benchmark table: (figure, seconds, baseline label, baseline seconds, goal or None)."""
    from django.test.utils import override_settings

    from decisions.attestations import network_labels
    from decisions.signing import make_signing_key

    with tempfile.TemporaryDirectory() as keys, override_settings(SIGNING_KEYS_DIR=keys):
        local_label, central_label = _world()
        for label in (local_label, central_label):
            body = label.certification_body
            make_signing_key(siret=body.siret, name=body.name)
        rows = [
            (r.local_service.name, r.local_service.city, r.get_tier_display(), r.starts_on.year)
            for r in network_labels(central_label.central_service, local_label.starts_on)
        ]
        assert len(rows) == ANNEX_ROWS, len(rows)
        bare_page = "<h1>Attestation de labellisation</h1>" + "".join(
            f"<p>Rubrique {n} : valeur de la rubrique {n}</p>" for n in range(12)
        )
        bare_table = (
            "<table><tr><th>Service local</th><th>Commune</th><th>Palier</th><th>Année</th></tr>"
            + "".join(f"<tr><td>{a}</td><td>{b}</td><td>{c}</td><td>{d}</td></tr>" for a, b, c, d in rows)
            + "</table>"
        )
        _attest(local_label), _bare(bare_page)  # warm-up: imports, fonts, caches
        one, bare_one, annex, bare_annex = [], [], [], []
        for _ in range(repeat):
            started = time.perf_counter()
            pdf = _attest(local_label)
            one.append(time.perf_counter() - started)
            assert _pages(pdf) == 1

            started = time.perf_counter()
            pdf = _bare(bare_page)
            bare_one.append(time.perf_counter() - started)
            assert _pages(pdf) == 1

            started = time.perf_counter()
            pdf = _attest(central_label)
            annex.append((time.perf_counter() - started) / _pages(pdf))
            annex_pages = _pages(pdf)

            started = time.perf_counter()
            pdf = _bare(bare_table)
            bare_annex.append((time.perf_counter() - started) / _pages(pdf))
            bare_pages = _pages(pdf)
    print(
        f"Attestation: central annex of {ANNEX_ROWS} locals on {annex_pages} pages; bare table on {bare_pages}"
    )
    return [
        (
            "Attestation, 1 page, render+sign",
            min(one),
            "bare 1-page HTML, WeasyPrint",
            min(bare_one),
            ONE_PAGE_GOAL,
        ),
        (
            f"Central annex {ANNEX_ROWS} locals, /page",
            min(annex),
            f"bare {ANNEX_ROWS}-row HTML table, per page",
            min(bare_annex),
            ANNEX_GOAL,
        ),
    ]
