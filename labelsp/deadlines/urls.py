from django.urls import path

from labelsp.deadlines import views

app_name = "deadlines"

urlpatterns = [
    path("", views.deadline_list, name="deadline_list"),
    path("<int:pk>/fait/", views.deadline_declare_done, name="deadline_declare_done"),
    # The personal iCalendar feed: created, replaced and revoked by its owner, read by its secret token.
    path("agenda/creer/", views.calendar_feed_create, name="calendar_feed_create"),
    path("agenda/revoquer/", views.calendar_feed_revoke, name="calendar_feed_revoke"),
    path("agenda/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    # In-app notifications
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/lues/", views.notifications_mark_read, name="notifications_mark_read"),
    path("notifications/<int:pk>/ouvrir/", views.notification_open, name="notification_open"),
]
