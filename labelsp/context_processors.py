from django.conf import settings

from labelsp.deadlines.models import Notification
from labelsp.navigation import nav_items


def site(request):
    return {
        "SITE_NAME": "Services Publics +",
        "PROCONNECT_ENABLED": bool(settings.PROCONNECT_CLIENT_ID),
        "active_membership": getattr(request, "membership", None),
        "user_memberships": getattr(request, "memberships", []),
        "nav_items": nav_items(request) if hasattr(request, "user") else [],
    }


def notifications(request):
    """The number of the user's unread notifications, shown in the header (one COUNT on an indexed column)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count()}
