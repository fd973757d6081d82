from django.conf import settings

from labelsp.navigation import nav_items


def site(request):
    return {
        "SITE_NAME": "Services Publics +",
        "PROCONNECT_ENABLED": bool(settings.PROCONNECT_CLIENT_ID),
        "active_membership": getattr(request, "membership", None),
        "user_memberships": getattr(request, "memberships", []),
        "nav_items": nav_items(request) if hasattr(request, "user") else [],
    }
