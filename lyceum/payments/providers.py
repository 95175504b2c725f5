"""Payment providers behind one interface: start a checkout, and read a webhook (its signature
checked first, with the provider's own SDK) as a ``ProviderEvent``.

- ``sandbox`` (the embedded default): a local checkout page; its webhooks are signed like
  Stripe's (``t=…,v1=…``, HMAC-SHA256 of ``t.body``) with ``PAYMENTS_SANDBOX_SECRET`` and
  verified by the Stripe SDK's verifier, so the flow runs offline exactly as a real one.
- ``stripe``: Checkout Sessions (one-time and subscription), ``Webhook.construct_event``.
- ``razorpay``: Orders, the checkout's payment signature and the webhook's signature, both
  verified by the Razorpay SDK (its webhooks carry no timestamp: replays are stopped by the
  event id, which ``services`` records once).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol

import razorpay
import stripe
from django.conf import settings
from django.urls import reverse

from lyceum.core.exceptions import ApplicationError

from .models import Provider as ProviderName
from .models import Transaction

CENT = Decimal("0.01")


class BadSignature(ApplicationError):
    status_code = 400
    code = "bad_signature"
    default_message = "The webhook's signature does not verify."


class ProviderError(ApplicationError):
    status_code = 502
    code = "provider_error"
    default_message = "The payment provider could not be reached."


@dataclass(frozen=True)
class Checkout:
    reference: str  # the provider's checkout (a Checkout Session, an Order)
    url: str  # where the buyer goes to pay


@dataclass(frozen=True)
class ProviderEvent:
    """A webhook, read. ``action`` is what Lyceum does with it: ``paid``, ``failed``,
    ``refunded``, ``disputed``, ``renewed``, ``renewal_failed``, ``subscription_ended`` or
    ``ignore``."""

    id: str
    type: str
    action: str
    reference: str = ""
    payment_id: str = ""
    subscription_ref: str = ""
    customer_ref: str = ""
    amount: Decimal | None = None
    currency: str = ""
    period_end: datetime | None = None
    reason: str = ""
    payload: dict = field(default_factory=dict, compare=False)


class PaymentProvider(Protocol):
    name: str

    def start_checkout(self, transaction: Transaction, *, success_url: str, cancel_url: str) -> Checkout: ...

    def read_webhook(self, body: bytes, headers: Mapping[str, str]) -> ProviderEvent: ...


def minor_units(amount: Decimal) -> int:
    """Cents or paise (every currency Lyceum sells in has two decimals)."""
    return int((amount / CENT).to_integral_value())


def from_minor(units: Any) -> Decimal:
    return (Decimal(int(units)) * CENT).quantize(CENT)


def _stamp(seconds: Any) -> datetime | None:
    return datetime.fromtimestamp(int(seconds), tz=UTC) if seconds else None


def _check_not_from_the_future(header: str) -> None:
    """Stripe's SDK refuses a signature older than the tolerance; one dated after it is refused
    here (a clock cannot be that far ahead)."""
    stamps = [part[2:] for part in (header or "").split(",") if part.startswith("t=")]
    try:
        stamp = int(stamps[0])
    except (IndexError, ValueError):
        raise BadSignature("The signature header has no timestamp.") from None
    if stamp > time.time() + settings.PAYMENTS_WEBHOOK_TOLERANCE:
        raise BadSignature("The signature is dated in the future.")


# --- sandbox -------------------------------------------------------------------------------------

SANDBOX_HEADER = "Lyceum-Signature"


def sandbox_sign(body: bytes, *, secret: str | None = None, timestamp: int | None = None) -> str:
    """The sandbox's signature header for ``body``: Stripe's scheme, with the local secret."""
    stamp = int(time.time()) if timestamp is None else timestamp
    key = (secret or settings.PAYMENTS_SANDBOX_SECRET).encode()
    digest = hmac.new(key, f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


class SandboxProvider:
    name = ProviderName.SANDBOX

    def start_checkout(self, transaction: Transaction, *, success_url: str, cancel_url: str) -> Checkout:
        reference = f"sbx_cs_{uuid.uuid4().hex}"
        return Checkout(reference=reference, url=reverse("web:sandbox_checkout", args=[transaction.pk]))

    def read_webhook(self, body: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        header = headers.get(SANDBOX_HEADER, "")
        try:
            stripe.WebhookSignature.verify_header(
                body, header, settings.PAYMENTS_SANDBOX_SECRET, tolerance=settings.PAYMENTS_WEBHOOK_TOLERANCE
            )
        except stripe.SignatureVerificationError as error:
            raise BadSignature(str(error)) from None
        _check_not_from_the_future(header)
        try:
            return sandbox_event_from(json.loads(body))
        except ValueError as error:
            raise ApplicationError(f"Not a sandbox event: {error}", code="bad_event") from None


def sandbox_event_from(event: dict) -> ProviderEvent:
    try:
        data = event["data"]
        return ProviderEvent(
            id=str(event["id"]),
            type=str(event["type"]),
            action=SANDBOX_ACTIONS.get(event["type"], "ignore"),
            reference=str(data.get("reference", "")),
            payment_id=str(data.get("payment_id", "")),
            subscription_ref=str(data.get("subscription", "")),
            amount=Decimal(str(data["amount"])) if "amount" in data else None,
            currency=str(data.get("currency", "")),
            period_end=_stamp(data.get("period_end")),
            reason=str(data.get("reason", "")),
            payload=event,
        )
    except (KeyError, TypeError, ValueError, ArithmeticError) as error:
        raise ApplicationError(f"Not a sandbox event: {error}", code="bad_event") from None


SANDBOX_ACTIONS = {
    "payment.succeeded": "paid",
    "payment.failed": "failed",
    "payment.refunded": "refunded",
    "payment.disputed": "disputed",
    "subscription.renewed": "renewed",
    "subscription.renewal_failed": "renewal_failed",
    "subscription.ended": "subscription_ended",
}


def sandbox_event(kind: str, **data: Any) -> bytes:
    """A sandbox webhook body (``kind`` one of ``SANDBOX_ACTIONS``' keys)."""
    for name, value in list(data.items()):
        if isinstance(value, Decimal):
            data[name] = f"{value:f}"
    return json.dumps(
        {"id": f"evt_{uuid.uuid4().hex}", "type": kind, "created": int(time.time()), "data": data}
    ).encode()


# --- Stripe ----------------------------------------------------------------------------------------


class StripeProvider:
    """Stripe Checkout and webhooks through the official SDK. ``STRIPE_API_BASE`` points the SDK
    elsewhere (stripe-mock, a recording proxy)."""

    name = ProviderName.STRIPE

    def _client(self) -> stripe.StripeClient:
        if not settings.STRIPE_SECRET_KEY:
            raise ProviderError(
                "Stripe is not configured (STRIPE_SECRET_KEY).", code="provider_not_configured"
            )
        base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
        return stripe.StripeClient(
            api_key=settings.STRIPE_SECRET_KEY, base_addresses=base, max_network_retries=2
        )

    def start_checkout(self, transaction: Transaction, *, success_url: str, cancel_url: str) -> Checkout:
        recurring = transaction.kind == Transaction.Kind.PLAN and transaction.plan.stripe_price_id
        params: dict[str, Any] = {
            "client_reference_id": str(transaction.pk),
            "metadata": {"transaction": str(transaction.pk)},
            "customer_email": transaction.user.email or None,
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        if recurring:
            params["mode"] = "subscription"
            params["line_items"] = [{"price": transaction.plan.stripe_price_id, "quantity": 1}]
            params["subscription_data"] = {"metadata": {"transaction": str(transaction.pk)}}
        else:
            params["mode"] = "payment"
            params["line_items"] = [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": transaction.currency.lower(),
                        "unit_amount": minor_units(transaction.amount),
                        "product_data": {"name": transaction.description},
                    },
                }
            ]
            params["payment_intent_data"] = {"metadata": {"transaction": str(transaction.pk)}}
        params = {key: value for key, value in params.items() if value is not None}
        try:
            session = self._client().v1.checkout.sessions.create(
                params=params, options={"idempotency_key": f"lyceum-checkout-{transaction.pk}"}
            )
        except stripe.StripeError as error:
            raise ProviderError(f"Stripe refused the checkout: {error.user_message or error}") from None
        return Checkout(reference=session.id, url=session.url)

    def read_webhook(self, body: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        header = headers.get("Stripe-Signature", "")
        last_error: Exception | None = None
        for secret in settings.STRIPE_WEBHOOK_SECRETS:  # during a rotation, the old and the new
            try:
                event = stripe.Webhook.construct_event(
                    body, header, secret, tolerance=settings.PAYMENTS_WEBHOOK_TOLERANCE
                )
                break
            except stripe.SignatureVerificationError as error:
                last_error = error
            except ValueError as error:  # a body that is not JSON, once its signature verified
                raise ApplicationError(f"Not a Stripe event: {error}", code="bad_event") from None
        else:
            raise BadSignature(str(last_error) if last_error else "No Stripe webhook secret is configured.")
        _check_not_from_the_future(header)
        return stripe_event(event.to_dict())


def stripe_event(event: dict) -> ProviderEvent:
    """What Lyceum does with a (verified) Stripe event."""
    kind = event.get("type", "")
    obj = (event.get("data") or {}).get("object") or {}
    base = {"id": str(event.get("id", "")), "type": kind, "payload": event}
    if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        if obj.get("payment_status") not in ("paid", "no_payment_required"):
            return ProviderEvent(
                **base, action="ignore", reference=obj.get("id", "")
            )  # paid later, asynchronously
        return ProviderEvent(
            **base,
            action="paid",
            reference=obj.get("id", ""),
            payment_id=obj.get("payment_intent") or obj.get("invoice") or "",
            subscription_ref=obj.get("subscription") or "",
            customer_ref=obj.get("customer") or "",
            amount=from_minor(obj.get("amount_total") or 0),
            currency=str(obj.get("currency", "")).upper(),
        )
    if kind in ("checkout.session.async_payment_failed", "checkout.session.expired"):
        return ProviderEvent(
            **base, action="failed", reference=obj.get("id", ""), reason=kind.rsplit(".", 1)[-1]
        )
    if kind == "invoice.paid" and obj.get("billing_reason") == "subscription_cycle":
        lines = ((obj.get("lines") or {}).get("data") or [{}])[0]
        return ProviderEvent(
            **base,
            action="renewed",
            reference=obj.get("id", ""),
            payment_id=obj.get("payment_intent") or obj.get("id", ""),
            subscription_ref=_subscription_of(obj),
            amount=from_minor(obj.get("amount_paid") or 0),
            currency=str(obj.get("currency", "")).upper(),
            period_end=_stamp((lines.get("period") or {}).get("end")),
        )
    if kind == "invoice.payment_failed":
        return ProviderEvent(**base, action="renewal_failed", subscription_ref=_subscription_of(obj))
    if kind == "customer.subscription.deleted":
        return ProviderEvent(**base, action="subscription_ended", subscription_ref=obj.get("id", ""))
    if kind == "charge.refunded":
        return ProviderEvent(
            **base, action="refunded", payment_id=obj.get("payment_intent") or obj.get("id", "")
        )
    if kind == "charge.dispute.created":
        return ProviderEvent(
            **base, action="disputed", payment_id=obj.get("payment_intent") or obj.get("charge", "")
        )
    return ProviderEvent(**base, action="ignore")


def _subscription_of(invoice: dict) -> str:
    subscription = invoice.get("subscription")
    if not subscription:  # newer API versions move it under parent.subscription_details
        subscription = ((invoice.get("parent") or {}).get("subscription_details") or {}).get("subscription")
    return subscription or ""


# --- Razorpay --------------------------------------------------------------------------------------


class RazorpayProvider:
    """Razorpay Orders, the checkout's payment signature, and webhooks, through its SDK."""

    name = ProviderName.RAZORPAY

    def client(self) -> razorpay.Client:
        if not (settings.RAZORPAY_KEY_ID and settings.RAZORPAY_KEY_SECRET):
            raise ProviderError("Razorpay is not configured (RAZORPAY_KEY_ID, RAZORPAY_KEY_SECRET).")
        client = razorpay.Client(auth=(settings.RAZORPAY_KEY_ID, settings.RAZORPAY_KEY_SECRET))
        if settings.RAZORPAY_API_BASE:
            client.base_url = settings.RAZORPAY_API_BASE
        return client

    def start_checkout(self, transaction: Transaction, *, success_url: str, cancel_url: str) -> Checkout:
        try:
            order = self.client().order.create(
                {
                    "amount": minor_units(transaction.amount),
                    "currency": transaction.currency,
                    "receipt": str(transaction.pk)[:40],
                    "notes": {"transaction": str(transaction.pk)},
                }
            )
        except Exception as error:  # the SDK raises its own errors and requests' alike
            raise ProviderError(f"Razorpay refused the order: {error}") from None
        return Checkout(reference=order["id"], url=reverse("web:razorpay_checkout", args=[transaction.pk]))

    def verify_payment(self, *, order_id: str, payment_id: str, signature: str) -> None:
        """The checkout's return: HMAC of ``order_id|payment_id`` with the key secret."""
        try:
            self.client().utility.verify_payment_signature(
                {
                    "razorpay_order_id": order_id,
                    "razorpay_payment_id": payment_id,
                    "razorpay_signature": signature,
                }
            )
        except razorpay.errors.SignatureVerificationError:
            raise BadSignature("The payment's signature does not verify.") from None

    def read_webhook(self, body: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        signature = headers.get("X-Razorpay-Signature", "")
        if not signature or not settings.RAZORPAY_WEBHOOK_SECRET:
            raise BadSignature("No signature, or no webhook secret configured.")
        try:
            text = body.decode("utf-8")
            razorpay.Utility(None).verify_webhook_signature(text, signature, settings.RAZORPAY_WEBHOOK_SECRET)
        except (UnicodeDecodeError, razorpay.errors.SignatureVerificationError):
            raise BadSignature("The webhook's signature does not verify.") from None
        try:
            event = json.loads(text)
        except ValueError as error:
            raise ApplicationError(f"Not a Razorpay event: {error}", code="bad_event") from None
        event_id = headers.get("X-Razorpay-Event-Id") or event.get("id") or ""
        if not event_id:
            raise ApplicationError("A Razorpay event needs its id (X-Razorpay-Event-Id).", code="bad_event")
        return razorpay_event(event, event_id=event_id)


def razorpay_event(event: dict, *, event_id: str) -> ProviderEvent:
    kind = event.get("event", "")
    payload = event.get("payload") or {}
    payment = (payload.get("payment") or {}).get("entity") or {}
    base = {"id": event_id, "type": kind, "payload": event}
    if kind in ("payment.captured", "order.paid"):
        return ProviderEvent(
            **base,
            action="paid",
            reference=payment.get("order_id")
            or ((payload.get("order") or {}).get("entity") or {}).get("id", ""),
            payment_id=payment.get("id", ""),
            amount=from_minor(payment.get("amount") or 0),
            currency=str(payment.get("currency", "")).upper(),
        )
    if kind == "payment.failed":
        return ProviderEvent(
            **base,
            action="failed",
            reference=payment.get("order_id", ""),
            reason=payment.get("error_description") or "",
        )
    if kind in ("refund.processed", "payment.refunded"):
        refund = (payload.get("refund") or {}).get("entity") or {}
        return ProviderEvent(
            **base, action="refunded", payment_id=refund.get("payment_id") or payment.get("id", "")
        )
    if kind == "payment.dispute.created":
        dispute = (payload.get("dispute") or {}).get("entity") or {}
        return ProviderEvent(
            **base, action="disputed", payment_id=dispute.get("payment_id") or payment.get("id", "")
        )
    subscription = (payload.get("subscription") or {}).get("entity") or {}
    if kind == "subscription.charged":
        return ProviderEvent(
            **base,
            action="renewed",
            reference=payment.get("order_id", ""),
            payment_id=payment.get("id", ""),
            subscription_ref=subscription.get("id", ""),
            amount=from_minor(payment.get("amount") or 0),
            currency=str(payment.get("currency", "")).upper(),
            period_end=_stamp(subscription.get("current_end")),
        )
    if kind in ("subscription.cancelled", "subscription.completed", "subscription.halted"):
        return ProviderEvent(**base, action="subscription_ended", subscription_ref=subscription.get("id", ""))
    return ProviderEvent(**base, action="ignore")


PROVIDERS: dict[str, PaymentProvider] = {
    ProviderName.SANDBOX: SandboxProvider(),
    ProviderName.STRIPE: StripeProvider(),
    ProviderName.RAZORPAY: RazorpayProvider(),
}


def reread(provider: str, payload: dict, event_id: str) -> ProviderEvent:
    """A recorded (already verified) event read again: a deferred one, when its turn comes."""
    if provider == ProviderName.STRIPE:
        return stripe_event(payload)
    if provider == ProviderName.RAZORPAY:
        return razorpay_event(payload, event_id=event_id)
    return sandbox_event_from(payload)


def current() -> PaymentProvider:
    """The provider new checkouts use (``PAYMENTS_PROVIDER``)."""
    return PROVIDERS[settings.PAYMENTS_PROVIDER]


def provider_of_webhook(headers: Mapping[str, str], path_provider: str | None = None) -> PaymentProvider:
    """The provider a webhook comes from: the path's (``/api/webhook/payment/<provider>/``), or
    the signature header it carries on the one shared URL."""
    if path_provider:
        if path_provider not in PROVIDERS:
            raise ApplicationError(f"Unknown provider {path_provider[:20]!r}.", code="unknown_provider")
        return PROVIDERS[path_provider]
    if headers.get("Stripe-Signature"):
        return PROVIDERS[ProviderName.STRIPE]
    if headers.get("X-Razorpay-Signature"):
        return PROVIDERS[ProviderName.RAZORPAY]
    if headers.get(SANDBOX_HEADER):
        return PROVIDERS[ProviderName.SANDBOX]
    raise BadSignature("The webhook carries no signature header.", code="missing_signature")
