from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "title", "created_at", "read_at"]
    list_filter = ["kind", "read_at"]
    search_fields = ["user__username", "title"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    date_hierarchy = "created_at"
