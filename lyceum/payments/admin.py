from django.contrib import admin

from .models import Invoice, Plan, Subscription, Transaction, WebhookEvent


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "price", "currency", "duration_days", "covers_all_courses", "is_active"]
    list_filter = ["is_active", "currency"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["courses"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "plan",
        "status",
        "active_until",
        "auto_renew",
        "cancel_at_period_end",
        "provider",
    ]
    list_filter = ["status", "provider"]
    list_select_related = ["user", "plan"]
    search_fields = ["user__username", "user__email", "provider_subscription_id"]
    raw_id_fields = ["user"]


@admin.register(Transaction)
class TransactionAdmin(admin.ModelAdmin):
    """Payments are written by providers' events only: read them here."""

    list_display = ["created_at", "user", "kind", "amount", "currency", "status", "provider", "provider_ref"]
    list_filter = ["status", "kind", "provider", "currency"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email", "provider_ref", "provider_payment_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Invoice)
class InvoiceAdmin(TransactionAdmin):
    list_display = ["number", "issued_at", "user", "total", "currency"]
    list_filter = ["currency"]
    search_fields = ["number", "user__username", "user__email"]
    date_hierarchy = "issued_at"


@admin.register(WebhookEvent)
class WebhookEventAdmin(TransactionAdmin):
    list_display = ["received_at", "provider", "type", "event_id", "outcome", "detail"]
    list_filter = ["provider", "outcome", "type"]
    list_select_related = []
    search_fields = ["event_id", "reference"]
    date_hierarchy = "received_at"
