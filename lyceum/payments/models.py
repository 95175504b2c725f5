"""Plans, subscriptions, payments (transactions), invoices and the webhook events received.

Money is a ``Decimal`` with its currency, never a float; providers that count in minor units
(cents, paise) are converted at their edge (``providers.py``)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from lyceum.courses.models import CURRENCIES


class Provider(models.TextChoices):
    SANDBOX = "sandbox", "Sandbox (offline, for development and tests)"
    STRIPE = "stripe", "Stripe"
    RAZORPAY = "razorpay", "Razorpay"


class Plan(models.Model):
    """What a subscription buys: every paid course (``covers_all_courses``) or the ones listed,
    for ``duration_days`` a period."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    price = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="USD")
    duration_days = models.PositiveIntegerField(default=30, validators=[MinValueValidator(1)])
    covers_all_courses = models.BooleanField(default=True, help_text="Off: only the courses listed.")
    courses = models.ManyToManyField("courses.Course", blank=True, related_name="plans")
    is_active = models.BooleanField(default=True, help_text="Off: no longer sold; subscribers keep it.")
    order = models.PositiveIntegerField(default=0)
    stripe_price_id = models.CharField(
        max_length=100, blank=True, help_text="Stripe: the recurring Price that renews it."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order", "price", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="payments_plan_price_positive"),
            models.CheckConstraint(condition=Q(duration_days__gte=1), name="payments_plan_duration"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.price} {self.currency} / {self.duration_days} days)"


class SubscriptionQuerySet(models.QuerySet):
    def live(self) -> SubscriptionQuerySet:
        """Subscriptions that give access now: active, or past due within their period."""
        return self.filter(status__in=Subscription.LIVE, active_until__gt=timezone.now())


class Subscription(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the first payment"
        ACTIVE = "active", "Active"
        PAST_DUE = "past_due", "Renewal payment failed"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired"

    LIVE = (Status.ACTIVE, Status.PAST_DUE)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    started_at = models.DateTimeField(null=True, blank=True)
    active_until = models.DateTimeField(null=True, blank=True)
    auto_renew = models.BooleanField(default=True)
    cancel_at_period_end = models.BooleanField(default=False)
    provider = models.CharField(max_length=10, choices=Provider.choices)
    provider_subscription_id = models.CharField(max_length=100, blank=True)
    provider_customer_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One live subscription a user: a second checkout while one is live is refused.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status__in=["active", "past_due"]),
                name="payments_one_live_subscription",
            ),
            models.UniqueConstraint(
                fields=["provider", "provider_subscription_id"],
                condition=~Q(provider_subscription_id=""),
                name="payments_subscription_provider_ref",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.plan.name}: {self.status}"


class Transaction(models.Model):
    """One payment: for a plan (its first period), a renewal of a subscription, or a course."""

    class Kind(models.TextChoices):
        PLAN = "plan", "Plan"
        RENEWAL = "renewal", "Subscription renewal"
        COURSE = "course", "Course"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Paid"
        FAILED = "failed", "Failed"
        REFUNDED = "refunded", "Refunded"
        DISPUTED = "disputed", "Disputed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="transactions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="transactions"
    )
    course = models.ForeignKey(
        "courses.Course", on_delete=models.PROTECT, null=True, blank=True, related_name="transactions"
    )
    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, null=True, blank=True, related_name="transactions"
    )
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, choices=CURRENCIES)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    provider = models.CharField(max_length=10, choices=Provider.choices)
    provider_ref = models.CharField(
        max_length=120,
        blank=True,
        help_text="The provider's checkout: a Stripe Checkout Session, a Razorpay Order.",
    )
    provider_payment_id = models.CharField(
        max_length=120, blank=True, help_text="The provider's payment: a PaymentIntent, a Razorpay payment."
    )
    checkout_url = models.CharField(
        max_length=2000, blank=True, help_text="Where the buyer pays: a URL or a path."
    )
    idempotency_key = models.CharField(max_length=255, blank=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)
    failure_reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["provider", "provider_payment_id"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_transaction_amount_positive"),
            models.CheckConstraint(
                condition=Q(kind="course", course__isnull=False) | Q(~Q(kind="course"), plan__isnull=False),
                name="payments_transaction_pays_for_something",
            ),
            models.UniqueConstraint(
                fields=["user", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="payments_transaction_idempotency_key",
            ),
            models.UniqueConstraint(
                fields=["provider", "provider_ref"],
                condition=~Q(provider_ref=""),
                name="payments_transaction_provider_ref",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.currency}: {self.status}"

    @property
    def description(self) -> str:
        if self.kind == self.Kind.COURSE:
            return f"Course: {self.course.title}"
        if self.kind == self.Kind.RENEWAL:
            return f"{self.plan.name}: renewal ({self.plan.duration_days} days)"
        return f"{self.plan.name} ({self.plan.duration_days} days)"


class InvoiceCounter(models.Model):
    """The last invoice number issued: one row, locked by each issue, so numbers have no gap
    (an invoice is written in the transaction that takes its number, or neither is)."""

    name = models.CharField(max_length=20, primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_number}"


class Invoice(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    number = models.PositiveIntegerField(unique=True)
    transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, related_name="invoice")
    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invoices")
    lines = models.JSONField(default=list, help_text="[{description, quantity, unit_amount, amount}]")
    subtotal = models.DecimalField(max_digits=10, decimal_places=2)
    total = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, choices=CURRENCIES)
    billing_name = models.CharField(max_length=200, blank=True)
    billing_email = models.EmailField(blank=True)
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        return f"{settings.INVOICE_PREFIX}-{self.number:06d}"


class WebhookEvent(models.Model):
    """Every webhook event received with a valid signature, once per provider event id."""

    class Outcome(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored (a type Lyceum does not act on)"
        DEFERRED = "deferred", "Waiting for an earlier event"
        REJECTED = "rejected", "Rejected"

    provider = models.CharField(max_length=10, choices=Provider.choices)
    event_id = models.CharField(max_length=120)
    type = models.CharField(max_length=80)
    reference = models.CharField(
        max_length=120, blank=True, help_text="What it is about, for deferred events."
    )
    payload = models.JSONField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RECEIVED)
    detail = models.CharField(max_length=255, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="payments_webhook_event_once"),
        ]
        indexes = [models.Index(fields=["provider", "outcome", "reference"])]

    def __str__(self) -> str:
        return f"{self.provider} {self.type} {self.event_id}: {self.outcome}"
