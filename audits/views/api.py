"""The tablet's JSON endpoints (issue #5, « Grading on a tablet »): grades, one tap or a queue replayed after a
network cut, and evidence photos.

POST /audits/<pk>/notes/ with a JSON body
    {"device": "<id made on the device>",
     "ops": [{"op": "<uuid made on the device>", "checkpoint": <id>, "points": "0.75" | null,
              "comment": "…", "base_version": <the grade's version the tablet last saw, 0 if none>,
              "graded_at": "<ISO 8601, optional>"}, …]}        (1 to 200 operations)
answers 200 {"results": [{"op": …, "status": "applied" | "conflict" | "invalid", "version": n,
                          "replayed": true (an op already received), "server": {…} and "yours": {…} (conflict),
                          "message": "…" (invalid)}, …]}
or, for the whole batch: 400 {"error": …} (unreadable body), 423 {"error": …, "code": "locked"} (report sent),
409 {"error": …, "code": "not_started" | "waiting"}; 404 for anyone not assigned to the audit.
The CSRF token travels in the X-CSRFToken header (the page carries it).
"""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET, require_POST

from audits import permissions, services
from audits.models import Audit, EvidencePhoto
from labelsp.accounts.scoping import sees_everything
from labelsp.uploads import serve_private_file

# 200 operations of at most 2,000 characters of comment each, plus their envelope.
MAX_BODY_BYTES = 1024 * 1024
REFUSAL_STATUS = {"locked": 423, "not_started": 409, "waiting": 409, "invalid": 400}


def _error(message: str, status: int, code: str = "") -> JsonResponse:
    return JsonResponse({"error": str(message), "code": code}, status=status)


@require_POST
def grade_batch(request, pk):
    if len(request.body) > MAX_BODY_BYTES:
        if not Audit.objects.assigned_to(request.user).filter(pk=pk).exists():
            raise Http404
        return _error("Envoi trop volumineux.", 413, "invalid")
    try:
        payload = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        payload = None
    if not isinstance(payload, dict):
        # Whoever is not assigned learns nothing, not even that the body was wrong.
        if not Audit.objects.assigned_to(request.user).filter(pk=pk).exists():
            raise Http404
        return _error("Contenu illisible : un objet JSON est attendu.", 400, "invalid")
    device = payload.get("device")
    if not isinstance(device, str):
        device = ""
    try:
        results = services.audit_grade_batch(
            user=request.user, audit_id=pk, device_id=device, ops=payload.get("ops")
        )
    except Audit.DoesNotExist:
        raise Http404 from None
    except services.GradingRefused as refusal:
        return _error(refusal.message, REFUSAL_STATUS[refusal.code], refusal.code)
    return JsonResponse({"results": results})


@require_POST
def photo_upload(request, pk):
    """multipart/form-data: `op` (uuid made on the device), `checkpoint` (id), `photo` (the image)."""
    audit = get_object_or_404(Audit.objects.assigned_to(request.user), pk=pk)
    uploaded = request.FILES.get("photo")
    if uploaded is None:
        return JsonResponse({"errors": {"photo": ["Choisissez une photo."]}}, status=400)
    try:
        checkpoint_id = int(request.POST.get("checkpoint", ""))
    except ValueError:
        return JsonResponse({"errors": {"checkpoint": ["Point de contrôle inconnu."]}}, status=400)
    try:
        photo = services.audit_photo_add(
            user=request.user,
            audit=audit,
            checkpoint_id=checkpoint_id,
            op_id=request.POST.get("op", ""),
            uploaded_file=uploaded,
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        return JsonResponse({"errors": error.message_dict}, status=400)
    return JsonResponse(
        {"photo": photo.pk, "op": str(photo.op_id), "checkpoint": photo.checkpoint_id, "size": photo.size},
        status=201,
    )


@require_GET
def photo_download(request, pk):
    """A photo, for the audit's team, its managers and the DITP (never the candidate before the report)."""
    photo = get_object_or_404(
        EvidencePhoto.objects.select_related("audit", "audit__certification_body"),
        pk=pk,
        audit__in=Audit.objects.for_user(request.user),
    )
    audit = photo.audit
    if not (
        permissions.is_assigned(request.user, audit)
        or permissions.can_manage_audit(request.user, audit)
        or audit.report_sent_at is not None
        or sees_everything(request.user)
    ):
        raise Http404
    return serve_private_file(
        photo.file,
        filename=f"photo-{photo.checkpoint_id}-{photo.pk}.{photo.file.name.rsplit('.', 1)[-1]}",
        content_type=photo.content_type,
    )
