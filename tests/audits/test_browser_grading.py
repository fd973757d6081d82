"""The tablet's offline journey in a real browser (Debian's Chromium driven by Playwright): grade online, lose the
network, keep grading across commitments, reload the page from the service worker's cache, get the network back and
see every grade reach the server; then a conflict with another device, resolved by the auditor.

Runs against pytest-django's live server; Chromium comes from the Debian package (.ci/run installs it), never
from `playwright install`.
"""

import io
import json
import os
import time
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from audits.models import EvidencePhoto, Grade, GradeOperation
from tests.audits.factories import AssignmentFactory, AuditFactory
from tests.browser_support import ARTIFACTS, Network, session_cookie, wait_for_the_offline_grading

# Lets context.route() see (and cut) the service worker's own requests, as a real network loss would.
os.environ["PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS"] = "1"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _wait_until(page, condition, timeout=10.0):
    """Poll the database while letting the browser run (page.wait_for_timeout keeps Playwright's loop alive)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        page.wait_for_timeout(100)


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 0, 145)).save(buffer, format="PNG")
    return buffer.getvalue()


def _points(audit):
    return {
        code: str(points.normalize())
        for code, points in Grade.objects.filter(audit=audit).values_list("checkpoint__code", "points")
    }


def test_grading_offline_then_syncing_and_resolving_a_conflict(browser, live_url, transactional_db, request):
    audit = AuditFactory(in_progress=True)
    auditor = AssignmentFactory(audit=audit).auditor
    colleague = AssignmentFactory(audit=audit).auditor
    cp = {checkpoint.code: checkpoint for checkpoint in audit.grid.checkpoints.all()}
    url = reverse("audits:grading", args=[audit.pk])

    # The interface is French: the browser says so (headless Chromium asks for English otherwise).
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_url, locale="fr-FR")
    context.set_default_timeout(10_000)
    context.add_cookies([session_cookie(auditor, live_url)])
    network = Network(context)
    page = context.new_page()

    def tap(code, points):
        page.locator(f'#point-{cp[code].pk} .grading-button[data-points="{points}"]').click()

    banner = page.locator("#grading-banner")
    pending = page.locator('[data-role="pending-count"]')
    try:
        # Online: the service worker installs and caches the page and its assets.
        page.goto(f"{url}?partie=1")
        wait_for_the_offline_grading(page)
        expect(banner.locator('[data-role="network"]')).to_have_text("En ligne")

        tap("1.1", "0.75")
        _wait_until(page, lambda: _points(audit) == {"1.1": "0.75"})
        expect(page.locator(f'#point-{cp["1.1"].pk} [data-role="status"]')).to_have_text("Note enregistrée.")
        expect(page.locator(f"#point-{cp['1.1'].pk}")).to_have_attribute("data-version", "1")
        expect(pending).to_have_text("0")

        # Offline: taps are queued on the tablet; a second tap on a checkpoint replaces the queued one.
        network.go_offline()
        expect(banner.locator('[data-role="network"]')).to_have_text("Hors ligne")
        tap("1.2", "0.25")
        tap("1.3", "1")
        tap("1.2", "0")
        expect(pending).to_have_text("2")
        page.locator('.grading-nav__link[data-section="2"]').click()
        expect(page.locator("#partie-2")).to_be_visible()
        expect(page.locator("#partie-1")).to_be_hidden()
        assert "partie=2" in page.url
        tap("2.1", "0")
        expect(banner).to_contain_text("3 note(s) en attente d’envoi")
        expect(page.locator('[data-role="section-score"][data-section="2"]')).to_contain_text("0/100")
        assert _points(audit) == {"1.1": "0.75"}

        # Reloaded without network: the page comes from the service worker's cache, the queue from IndexedDB.
        response = page.reload()
        assert response is not None and response.from_service_worker
        assert any("/notation/" in cut for cut in network.cut), network.cut
        expect(page.locator("#grading")).to_have_attribute("data-ready", "true")
        expect(banner.locator('[data-role="network"]')).to_have_text("Hors ligne")
        expect(pending).to_have_text("3")
        expect(page.locator("#partie-2")).to_be_visible()
        button = f'#point-{cp["1.2"].pk} .grading-button[data-points="0"]'
        expect(page.locator(button)).to_have_attribute("aria-pressed", "true")
        assert _points(audit) == {"1.1": "0.75"}

        # Back online: the queue is sent in one batch and empties.
        network.go_online()
        expect(pending).to_have_text("0")
        _wait_until(page, lambda: _points(audit) == {"1.1": "0.75", "1.2": "0", "1.3": "1", "2.1": "0"})
        expect(banner.locator('[data-role="network"]')).to_have_text("En ligne")
        # The replaced tap never left the tablet.
        assert GradeOperation.objects.filter(audit=audit, checkpoint=cp["1.2"]).count() == 1

        # A colleague's tablet changes 2.1 meanwhile; this tablet, still on the old version, grades it too.
        other = Client()
        other.force_login(colleague)
        answer = other.post(
            reverse("audits:grade_batch", args=[audit.pk]),
            data=json.dumps(
                {
                    "device": "tablette-collegue",
                    "ops": [
                        {
                            "op": str(uuid.uuid4()),
                            "checkpoint": cp["2.1"].pk,
                            "points": "1",
                            "base_version": 1,
                        }
                    ],
                }
            ),
            content_type="application/json",
        )
        assert answer.json()["results"][0]["status"] == "applied"
        tap("2.1", "0.75")
        conflict = page.locator(f'#point-{cp["2.1"].pk} [data-role="conflict"]')
        expect(conflict).to_be_visible()
        expect(conflict.locator('[data-role="conflict-server"]')).to_contain_text("Valeur du serveur : 1")
        expect(conflict.locator('[data-role="conflict-server"]')).to_contain_text(colleague.get_full_name())
        expect(conflict.locator('[data-role="conflict-yours"]')).to_have_text("Votre valeur : 0,75")
        assert _points(audit)["2.1"] == "1"  # nothing overwritten

        conflict.get_by_role("button", name="Garder ma valeur").click()
        expect(conflict).to_be_hidden()
        _wait_until(page, lambda: _points(audit)["2.1"] == "0.75")
        assert Grade.objects.get(audit=audit, checkpoint=cp["2.1"]).version == 3
        expect(pending).to_have_text("0")

        # A comment is saved when the field loses focus; a photo is uploaded with its own operation id.
        comment = page.locator(f'#point-{cp["2.1"].pk} [data-role="comment"]')
        comment.fill("Affichage des horaires absent à l’accueil.")
        comment.blur()
        _wait_until(
            page,
            lambda: (
                Grade.objects.get(audit=audit, checkpoint=cp["2.1"]).comment
                == "Affichage des horaires absent à l’accueil."
            ),
        )
        assert _points(audit)["2.1"] == "0.75"
        page.locator(f'#point-{cp["2.1"].pk} [data-role="photo"]').set_input_files(
            files=[{"name": "preuve.png", "mimeType": "image/png", "buffer": _png()}]
        )
        _wait_until(
            page, lambda: EvidencePhoto.objects.filter(audit=audit, checkpoint=cp["2.1"]).count() == 1
        )
        photo = EvidencePhoto.objects.get(audit=audit)
        link = page.locator(f'#point-{cp["2.1"].pk} [data-role="photo-list"] a')
        expect(link).to_have_attribute("href", reverse("audits:photo_download", args=[photo.pk]))

        # Portrait 10-inch tablet: the four buttons still fit, each a large touch target.
        page.set_viewport_size({"width": 800, "height": 1280})
        for box in [b.bounding_box() for b in page.locator("#partie-2 .grading-button").all()]:
            assert box is not None and box["width"] >= 48 and box["height"] >= 48
            assert box["x"] + box["width"] <= 800
    except Exception:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        raise
    finally:
        context.close()
