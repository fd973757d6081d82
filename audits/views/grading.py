"""The auditor's tablet (issue #5, « Grading on a tablet », guide §3.7): the grid, one commitment per screen, every
tap sent at once to the JSON endpoint of audits/views/api.py, or queued on the device while offline; the closing
meeting's hot summary; the web app manifest and the service worker that keeps the grading page usable offline.
"""

import functools
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from audits import rules, selectors, services
from audits.enums import GRADABLE_STATUSES, RESULT_STATUSES, AuditStatus
from audits.forms.grading import ClosingMeetingForm
from audits.models import Audit, EvidencePhoto
from labelsp.forms import add_service_errors

SECTION_PARAM = "partie"
SERVICE_WORKER_SOURCE = Path(settings.BASE_DIR) / "static" / "audits" / "grading-sw.js"


def _points_key(value: float | None) -> str:
    """The value the page and the JSON endpoint exchange: "0", "0.25", "0.75", "1" ("" while ungraded)."""
    return "" if value is None else f"{value:g}"


def _scale(audit: Audit) -> list[dict]:
    """The buttons of a checkpoint: 0 / 0,25 / 0,75 / 1 on the local grid, yes / no on the central one (§3.7)."""
    if audit.is_central:
        return [
            {"value": "1", "label": _("Oui"), "hint": _("Validé")},
            {"value": "0", "label": _("Non"), "hint": _("Non validé")},
        ]
    return [
        {"value": "0", "label": "0", "hint": _("Non satisfait")},
        {"value": "0.25", "label": "0,25", "hint": _("Initié")},
        {"value": "0.75", "label": "0,75", "hint": _("Majoritairement satisfait")},
        {"value": "1", "label": "1", "hint": _("Totalement satisfait et appliqué")},
    ]


def _short_title(section) -> str:
    # "Engagement 1 — Un accueil…" → "Engagement 1"; a central theme keeps its code.
    head, separator, _rest = section.title.partition(" — ")
    return head if separator else section.code


def _lock_reason(audit: Audit) -> str:
    """Why the grades cannot change now ("" when they can): the same rules as audits.services.audit_grade_batch."""
    if audit.status in RESULT_STATUSES:
        return _("Les notes sont verrouillées depuis l’envoi du rapport.")
    if audit.status not in GRADABLE_STATUSES:
        return _("Le plan d’audit n’a pas encore été envoyé : la notation n’est pas ouverte.")
    if audit.status == AuditStatus.PLAN_SENT:
        return services.central_audit_blocker(audit)
    return ""


def _js_strings() -> dict:
    """The French texts the page's script shows ({n}, {points}… are filled in by the script)."""
    return {
        "online": _("En ligne"),
        "offline": _("Hors ligne"),
        "saved": _("Note enregistrée."),
        "queued": _("Note en attente d’envoi."),
        "sending": _("Envoi en cours…"),
        "ungraded": _("sans note"),
        "conflictTitle": _("Ce point a été noté entre-temps sur un autre appareil."),
        "conflictServer": _("Valeur du serveur : {points} (par {by}, le {at})"),
        "conflictYours": _("Votre valeur : {points}"),
        "conflictComment": _("Commentaire : {comment}"),
        "keepServer": _("Garder la valeur du serveur"),
        "keepMine": _("Garder ma valeur"),
        "reconnect": _("Reconnectez-vous pour envoyer les notes en attente."),
        "reconnectLink": _("Se reconnecter"),
        "stopped": _("Les notes en attente ne peuvent pas être envoyées : {message}"),
        "serverError": _(
            "Le serveur n’a pas pu enregistrer les notes ; nouvel essai dans quelques secondes."
        ),
        "photoQueued": _("Photo en attente d’envoi"),
        "photoSent": _("Photo enregistrée."),
        "photoOffline": _("Hors ligne : la photo sera envoyée au retour du réseau."),
        "photoError": _("La photo n’a pas été enregistrée : {message}"),
        "photoLink": _("Photo du {at}"),
        "commentSaved": _("Commentaire enregistré."),
    }


@require_GET
def audit_grading(request, pk):
    """One commitment per screen (`?partie=<code>` without JavaScript); the whole grid is in the page so that the
    script switches commitments without the network."""
    audit = get_object_or_404(
        Audit.objects.assigned_to(request.user).select_related("local_service", "central_service"), pk=pk
    )
    grid = selectors.grid_with_grades(audit)
    scores = selectors.audit_scores(audit, grid)
    if audit.is_central:
        points = {row["checkpoint"].pk: row["points"] for section in grid for row in section["rows"]}
        sections_of = {
            row["checkpoint"].pk: section["section"].code for section in grid for row in section["rows"]
        }
        running = rules.running_scores(points, sections_of)
    else:
        running = {entry["section"].code: entry["running"] for entry in scores["sections"]}
    photos: dict = {}
    for photo in EvidencePhoto.objects.filter(audit=audit).order_by("uploaded_at", "pk"):
        photos.setdefault(photo.checkpoint_id, []).append(photo)

    codes = [section["section"].code for section in grid]
    current = request.GET.get(SECTION_PARAM, "")
    if current not in codes:
        current = codes[0] if codes else ""
    scale = _scale(audit)
    sections = []
    for index, section in enumerate(grid):
        code = section["section"].code
        rows = []
        for row in section["rows"]:
            key = _points_key(row["points"])
            grade = row["grade"]
            rows.append(
                {
                    "checkpoint": row["checkpoint"],
                    "points": key,
                    "version": row["version"],
                    "comment": grade.comment if grade else "",
                    "updated_by": grade.updated_by.get_full_name() if grade else "",
                    "updated_at": grade.updated_at if grade else None,
                    "highlighted": row["highlighted"],
                    "previous_points": ""
                    if row["previous_points"] is None
                    else f"{row['previous_points']:g}".replace(".", ","),
                    "buttons": [{**button, "pressed": button["value"] == key} for button in scale],
                    "photos": photos.get(row["checkpoint"].pk, []),
                }
            )
        sections.append(
            {
                "code": code,
                "title": section["section"].title,
                "short_title": _short_title(section["section"]),
                "current": code == current,
                "rows": rows,
                "running": running[code],
                "previous": codes[index - 1] if index > 0 else "",
                "next": codes[index + 1] if index + 1 < len(codes) else "",
            }
        )
    lock_reason = _lock_reason(audit)
    return render(
        request,
        "audits/grading/grading.html",
        {
            "audit": audit,
            "sections": sections,
            "scores": scores,
            "lock_reason": lock_reason,
            "can_grade": not lock_reason,
            "locked_by_report": audit.status in RESULT_STATUSES,
            "js_strings": _js_strings(),
            "section_param": SECTION_PARAM,
        },
    )


@require_http_methods(["GET", "POST"])
def closing_meeting(request, pk):
    """The hot summary given to the audited service at the closing meeting on site (§3.7)."""
    audit = get_object_or_404(
        Audit.objects.assigned_to(request.user).select_related("local_service", "central_service"), pk=pk
    )
    form = ClosingMeetingForm(request.POST or None, initial={"closing_summary": audit.closing_summary})
    if request.method == "POST" and form.is_valid():
        try:
            services.audit_closing_record(
                user=request.user, audit=audit, summary=form.cleaned_data["closing_summary"]
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("La synthèse de la réunion de clôture est enregistrée."))
            return redirect("audits:grading", pk=audit.pk)
    return render(
        request,
        "audits/grading/closing_meeting.html",
        {"audit": audit, "form": form, "open": audit.status in GRADABLE_STATUSES},
    )


@login_not_required
@require_GET
def manifest(request):
    """The web app manifest: the grading screen installs as an app on the tablet (no personal data in it)."""
    data = {
        "name": "Services Publics+ — Audit",
        "short_name": "SP+ Audit",
        "description": _("Notation des audits sur site, y compris hors ligne."),
        "lang": "fr",
        "start_url": "/audits/",
        "scope": "/audits/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#000091",
        "icons": [
            {"src": static("audits/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("audits/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("audits/icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
        ],
    }
    return JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )


@functools.cache
def _service_worker_source() -> str:
    return SERVICE_WORKER_SOURCE.read_text(encoding="utf-8")


@login_not_required
@require_GET
def service_worker(request):
    """The service worker, served under /audits/ (not /static/) so that its scope covers the grading pages."""
    source = _service_worker_source().replace("__STATIC_URL__", settings.STATIC_URL)
    response = HttpResponse(source, content_type="application/javascript; charset=utf-8")
    # "/audits/": the directory of the script, and of every grading page.
    response["Service-Worker-Allowed"] = request.path.rsplit("/", 1)[0] + "/"
    response["Cache-Control"] = "no-cache"
    return response
