"""Attestations: download by whoever sees the label, and the public verification (issue #6; guide §2.3).

The verification page is reached by the random token of the attestation's QR code and tells the label's current
status, whatever the PDF says; the check page accepts a PDF and says whether it is genuine: its SHA-256 is that of
an attestation the platform issued, and its signature is a body's.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from decisions.attestations import PUBLIC_RELATED, STATUS_ALERT, attestation_find, attestation_status
from decisions.forms.attestations import AttestationUploadForm
from decisions.models import Attestation, Label
from labelsp.ratelimit import over_limit
from labelsp.uploads import serve_private_file

# Checking a signature costs CPU: at most this many checks per client address in CHECK_WINDOW seconds.
CHECK_LIMIT = 30
CHECK_WINDOW = 10 * 60


@require_GET
def attestation_download(request, pk):
    """The stored, signed PDF, for whoever sees the label (its service, central service, body, the DITP)."""
    attestation = get_object_or_404(
        Attestation.objects.filter(label__in=Label.objects.for_user(request.user)), pk=pk
    )
    if not attestation.pdf:
        raise Http404
    return serve_private_file(
        attestation.pdf, filename=f"attestation-{attestation.number}.pdf", content_type="application/pdf"
    )


def _status_context(attestation):
    status = attestation_status(attestation)
    return {"attestation": attestation, "status": status, "status_alert": STATUS_ALERT[status]}


@login_not_required
@require_GET
def attestation_verify(request, token):
    """Public: the attestation reached by its token and the label's current status; 404 for an unknown token."""
    # No user scope: the random token is the only way in.
    attestation = get_object_or_404(Attestation.objects.select_related(*PUBLIC_RELATED), token=token)
    return render(request, "decisions/attestations/verify.html", _status_context(attestation))


@login_not_required
@require_http_methods(["GET", "POST"])
def attestation_check_upload(request):
    """Public: is this PDF a genuine attestation? Genuine when its SHA-256 is that of an attestation the platform
    issued (then its current status is shown); a valid signature of a body on a file the platform does not know is
    reported as such, not as genuine; anything else is not genuine."""
    from decisions.signing import verify_pdf

    context = {"verdict": None, "signature": None, "limit_errors": []}
    form = AttestationUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and over_limit(
        request, scope="decisions.attestation_check", limit=CHECK_LIMIT, window=CHECK_WINDOW
    ):
        context.update(
            form=AttestationUploadForm(),
            limit_errors=[_("Trop de vérifications depuis votre adresse : réessayez dans quelques minutes.")],
        )
        return render(request, "decisions/attestations/check_upload.html", context, status=429)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["document"]
        uploaded.seek(0)
        signature = verify_pdf(uploaded.read())
        attestation = attestation_find(form.checked.sha256)
        if attestation is not None:
            context.update(_status_context(attestation), verdict="genuine")
        elif signature.valid:
            context["verdict"] = "signed_unknown"
        else:
            context["verdict"] = "not_genuine"
        context["signature"] = signature
    context["form"] = form
    return render(request, "decisions/attestations/check_upload.html", context)
