"""Signing webhooks the way each provider signs them, and the things tests buy."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from decimal import Decimal

from lyceum.courses.tests.factories import course_with_outline
from lyceum.payments.models import Plan

STRIPE_SECRET = "whsec_test_0123456789abcdef"
RAZORPAY_KEY_SECRET = "rzp_key_secret_test"
RAZORPAY_WEBHOOK_SECRET = "rzp_webhook_secret_test"


def stripe_header(body: bytes, *, secret: str = STRIPE_SECRET, timestamp: int | None = None) -> str:
    """Stripe's ``Stripe-Signature``: ``t=<unix time>,v1=<HMAC-SHA256 of "t.body">`` with the
    endpoint's secret (https://docs.stripe.com/webhooks#verify-manually)."""
    stamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def stripe_body(kind: str, obj: dict, *, event_id: str | None = None) -> bytes:
    return json.dumps(
        {
            "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
            "object": "event",
            "type": kind,
            "created": int(time.time()),
            "data": {"object": obj},
        }
    ).encode()


def razorpay_signature(body: bytes, secret: str = RAZORPAY_WEBHOOK_SECRET) -> str:
    """Razorpay's ``X-Razorpay-Signature``: HMAC-SHA256 of the raw body with the webhook secret."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def razorpay_payment_signature(order_id: str, payment_id: str, secret: str = RAZORPAY_KEY_SECRET) -> str:
    """The checkout's ``razorpay_signature``: HMAC-SHA256 of ``order_id|payment_id`` with the key secret."""
    return hmac.new(secret.encode(), f"{order_id}|{payment_id}".encode(), hashlib.sha256).hexdigest()


def paid_course(instructor, price: str = "49.00", **fields):
    values = {"is_published": True, "price": Decimal(price), "currency": "USD"} | fields
    return course_with_outline(instructor=instructor, modules=1, lessons=1, **values)


def plan(**fields) -> Plan:
    values = {
        "slug": f"plan-{uuid.uuid4().hex[:8]}",
        "name": "Monthly",
        "price": Decimal("19.00"),
        "currency": "USD",
        "duration_days": 30,
    }
    return Plan.objects.create(**(values | fields))


def settle(made, **data):
    """Pays a pending sandbox checkout as the sandbox's webhook does (signed, verified, applied)."""
    from lyceum.payments import providers, services

    body = providers.sandbox_event(
        "payment.succeeded",
        reference=made.provider_ref,
        payment_id=f"sbx_pi_{made.pk.hex}",
        amount=made.amount,
        currency=made.currency,
        **data,
    )
    return services.webhook_receive(body=body, headers={"Lyceum-Signature": providers.sandbox_sign(body)})
