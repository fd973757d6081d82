from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from labelsp.accounts.enums import Role
from registry.models import CertificationBody


@require_GET
def certification_body_detail(request, pk):
    body = get_object_or_404(CertificationBody.objects.for_user(request.user), pk=pk)
    members = (
        body.memberships.active()
        .filter(role__in=[Role.CB_MANAGER, Role.AUDITOR])
        .select_related("user")
        .order_by("role", "user__last_name")
    )
    return render(request, "registry/certification_body_detail.html", {"body": body, "members": members})
