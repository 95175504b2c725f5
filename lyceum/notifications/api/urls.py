from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.NotificationListView.as_view(), name="list"),
    path("notifications/unread-count/", views.UnreadCountView.as_view(), name="unread_count"),
    path("notifications/read/", views.MarkReadView.as_view(), name="mark_read"),
]
