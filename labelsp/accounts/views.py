from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from labelsp.accounts import services
from labelsp.accounts.dashboard import build_dashboard


@require_GET
def dashboard(request):
    board = build_dashboard(request.membership)
    return render(request, "accounts/dashboard.html", {"board": board})


@require_GET
def memberships(request):
    return render(request, "accounts/memberships.html")


@require_POST
def switch_membership(request, pk):
    membership = get_object_or_404(request.user.memberships.active(), pk=pk)
    services.membership_activate(request=request, membership=membership)
    messages.success(
        request, _("Vous agissez désormais en tant que : %(membership)s.") % {"membership": membership}
    )
    # Back to the dashboard: the page the user came from may be outside the new role's scope.
    return redirect("accounts:dashboard")
