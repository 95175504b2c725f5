from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lyceum.core.serializers import absolute_url

from ..models import Invoice, Plan, Subscription, Transaction


class PlanSerializer(serializers.ModelSerializer):
    price = serializers.DecimalField(max_digits=10, decimal_places=2, coerce_to_string=True)
    courses = serializers.SerializerMethodField(help_text="The courses it covers, when not every paid one.")

    class Meta:
        model = Plan
        fields = [
            "id",
            "slug",
            "name",
            "description",
            "price",
            "currency",
            "duration_days",
            "covers_all_courses",
            "courses",
        ]

    def get_courses(self, plan: Plan) -> list[dict]:
        if plan.covers_all_courses:
            return []
        return [{"id": str(c.pk), "slug": c.slug, "title": c.title} for c in plan.courses.all()]


class PlanCheckoutSerializer(serializers.Serializer):
    plan = serializers.CharField(help_text="The plan's id or slug.", max_length=60)


class CheckoutSerializer(serializers.ModelSerializer):
    """A checkout: send the buyer to ``checkout_url``; the payment settles through the provider's
    webhook, and ``status`` then says how it went."""

    transaction = serializers.UUIDField(source="pk")
    description = serializers.CharField()
    checkout_url = serializers.SerializerMethodField(
        help_text="An absolute URL: the provider's, or this site's."
    )

    class Meta:
        model = Transaction
        fields = ["transaction", "status", "provider", "checkout_url", "amount", "currency", "description"]

    @extend_schema_field(serializers.URLField())
    def get_checkout_url(self, made: Transaction) -> str:
        return absolute_url(self.context, made.checkout_url)


class TransactionSerializer(serializers.ModelSerializer):
    description = serializers.CharField()
    course = serializers.SerializerMethodField()
    plan = serializers.SerializerMethodField()
    invoice = serializers.SerializerMethodField()

    class Meta:
        model = Transaction
        fields = [
            "id",
            "kind",
            "description",
            "amount",
            "currency",
            "status",
            "failure_reason",
            "provider",
            "course",
            "plan",
            "invoice",
            "created_at",
            "paid_at",
        ]

    def get_course(self, tx: Transaction) -> dict | None:
        return (
            {"id": str(tx.course_id), "slug": tx.course.slug, "title": tx.course.title}
            if tx.course_id
            else None
        )

    def get_plan(self, tx: Transaction) -> dict | None:
        return {"id": str(tx.plan_id), "name": tx.plan.name} if tx.plan_id else None

    def get_invoice(self, tx: Transaction) -> str | None:
        invoice = getattr(tx, "invoice", None)
        return str(invoice.pk) if invoice is not None else None


class SubscriptionSerializer(serializers.ModelSerializer):
    plan = PlanSerializer()

    class Meta:
        model = Subscription
        fields = [
            "id",
            "plan",
            "status",
            "started_at",
            "active_until",
            "auto_renew",
            "cancel_at_period_end",
            "provider",
        ]


class SubscriptionStatusSerializer(serializers.Serializer):
    subscription = SubscriptionSerializer(allow_null=True, help_text="The live one, or null.")
    is_active = serializers.BooleanField()


class InvoiceSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="display_number")
    pdf = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "issued_at",
            "lines",
            "subtotal",
            "total",
            "currency",
            "billing_name",
            "billing_email",
            "pdf",
        ]

    def get_pdf(self, invoice: Invoice) -> str:
        return f"/api/payments/invoices/{invoice.pk}/pdf/"


class WebhookAckSerializer(serializers.Serializer):
    received = serializers.BooleanField()
    outcome = serializers.CharField(help_text="processed, ignored, deferred, rejected, or duplicate")


class RazorpayReturnSerializer(serializers.Serializer):
    transaction = serializers.UUIDField()
    razorpay_order_id = serializers.CharField(max_length=100)
    razorpay_payment_id = serializers.CharField(max_length=100)
    razorpay_signature = serializers.CharField(max_length=200)
