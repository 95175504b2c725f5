"""Stripe's and Razorpay's signatures, made the way each provider makes them and verified by each
provider's own SDK; their events mapped to what Lyceum does; and the checkouts each SDK asks
for, caught by a local HTTP server standing where the provider's API would be."""

from __future__ import annotations

import json
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import pytest
from zeal import zeal_ignore

from lyceum.courses.models import CourseEnrollment
from lyceum.payments import providers, services
from lyceum.payments.models import Invoice, Subscription, Transaction, WebhookEvent

from .helpers import (
    RAZORPAY_KEY_SECRET,
    RAZORPAY_WEBHOOK_SECRET,
    STRIPE_SECRET,
    paid_course,
    plan,
    razorpay_payment_signature,
    razorpay_signature,
    stripe_body,
    stripe_header,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keys(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_lyceum"
    settings.STRIPE_WEBHOOK_SECRETS = [STRIPE_SECRET]
    settings.RAZORPAY_KEY_ID = "rzp_test_lyceum"
    settings.RAZORPAY_KEY_SECRET = RAZORPAY_KEY_SECRET
    settings.RAZORPAY_WEBHOOK_SECRET = RAZORPAY_WEBHOOK_SECRET


class Recorder(BaseHTTPRequestHandler):
    """Answers every request with the reply (and status) queued for it and keeps what was asked."""

    seen: list[dict] = []
    reply: dict = {}
    status = 200

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        type(self).seen.append(
            {
                "method": self.command,
                "path": self.path,
                "headers": dict(self.headers),
                "body": self.rfile.read(length),
            }
        )
        payload = json.dumps(type(self).reply).encode()
        self.send_response(type(self).status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_POST = do_GET = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def provider_api():
    Recorder.seen, Recorder.status = [], 200
    server = HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", Recorder
    server.shutdown()
    server.server_close()


def post_stripe(client, body: bytes, header: str):
    return client.post(
        "/api/webhook/payment/", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )


def stripe_checkout(user, course, settings, provider_api) -> Transaction:
    base, recorder = provider_api
    settings.PAYMENTS_PROVIDER = "stripe"
    settings.STRIPE_API_BASE = base
    recorder.reply = {
        "id": "cs_test_123",
        "object": "checkout.session",
        "url": "https://checkout.stripe.com/c/pay/cs_test_123",
    }
    made, _ = services.checkout_start(
        user=user, course=course, success_url="https://l/{transaction}/", cancel_url="https://l/"
    )
    return made


# --- Stripe -------------------------------------------------------------------------------------------


def test_stripe_checkout_is_a_checkout_session_asked_through_the_sdk(alice, ines, settings, provider_api):
    course = paid_course(ines)

    made = stripe_checkout(alice, course, settings, provider_api)

    (request,) = provider_api[1].seen
    assert (request["method"], request["path"]) == ("POST", "/v1/checkout/sessions")
    form = {key: values[0] for key, values in parse_qs(request["body"].decode()).items()}
    assert form["mode"] == "payment" and form["client_reference_id"] == str(made.pk)
    assert form["line_items[0][price_data][unit_amount]"] == "4900"
    assert form["line_items[0][price_data][currency]"] == "usd"
    assert form["metadata[transaction]"] == str(made.pk)
    assert request["headers"]["Idempotency-Key"] == f"lyceum-checkout-{made.pk}"
    assert request["headers"]["Authorization"] == "Bearer sk_test_lyceum"
    assert (made.provider, made.provider_ref) == ("stripe", "cs_test_123")
    assert made.checkout_url.startswith("https://checkout.stripe.com/")


def test_a_stripe_refusal_leaves_no_checkout(alice, ines, settings, provider_api, login_api):
    base, recorder = provider_api
    settings.PAYMENTS_PROVIDER, settings.STRIPE_API_BASE = "stripe", base
    recorder.reply = {"error": {"type": "invalid_request_error", "message": "No such price"}}
    recorder.status = 400

    reply = login_api(alice).post(f"/api/courses/{paid_course(ines).pk}/checkout/")

    assert reply.status_code == 502 and "No such price" in reply.json()["error"]["message"]
    assert not Transaction.objects.exists()


def test_a_stripe_webhook_verified_by_the_sdk_pays_the_checkout(
    client, alice, ines, settings, provider_api, django_capture_on_commit_callbacks
):
    course = paid_course(ines)
    made = stripe_checkout(alice, course, settings, provider_api)
    body = stripe_body(
        "checkout.session.completed",
        {
            "id": "cs_test_123",
            "object": "checkout.session",
            "payment_status": "paid",
            "amount_total": 4900,
            "currency": "usd",
            "payment_intent": "pi_1",
        },
    )

    with django_capture_on_commit_callbacks(execute=True):
        reply = post_stripe(client, body, stripe_header(body))

    assert reply.status_code == 200 and reply.json()["outcome"] == "processed"
    made.refresh_from_db()
    assert (made.status, made.provider_payment_id) == ("succeeded", "pi_1")
    assert CourseEnrollment.objects.filter(user=alice, course=course).exists()


@pytest.mark.parametrize(
    "how",
    ["tampered body", "wrong secret", "301 s old", "301 s ahead", "no v1", "no header"],
)
def test_a_stripe_webhook_that_does_not_verify_is_refused(client, how):
    body = stripe_body("checkout.session.completed", {"id": "cs_x", "payment_status": "paid"})
    now = int(time.time())
    header = {
        "tampered body": stripe_header(body),
        "wrong secret": stripe_header(body, secret="whsec_wrong"),
        "301 s old": stripe_header(body, timestamp=now - 301),
        "301 s ahead": stripe_header(body, timestamp=now + 301),
        "no v1": f"t={now}",
        "no header": "",
    }[how]
    if how == "tampered body":
        body = body.replace(b"paid", b"unpaid")

    reply = client.post(
        "/api/webhook/payment/stripe/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )

    assert reply.status_code == 400 and reply.json()["error"]["code"] == "bad_signature"
    assert not WebhookEvent.objects.exists()


def test_within_the_tolerance_either_side_a_stripe_webhook_is_accepted(client):
    now = int(time.time())
    for offset in (-290, 290):
        body = stripe_body("customer.created", {"id": "cus_1"})
        assert post_stripe(client, body, stripe_header(body, timestamp=now + offset)).status_code == 200


def test_during_a_secret_rotation_both_stripe_secrets_verify(client, settings):
    settings.STRIPE_WEBHOOK_SECRETS = ["whsec_new_secret", STRIPE_SECRET]
    old = stripe_body("customer.created", {"id": "cus_1"})
    new = stripe_body("customer.created", {"id": "cus_2"})

    assert post_stripe(client, old, stripe_header(old)).json()["outcome"] == "ignored"
    assert (
        post_stripe(client, new, stripe_header(new, secret="whsec_new_secret")).json()["outcome"] == "ignored"
    )
    other = stripe_body("customer.created", {"id": "cus_3"})
    assert post_stripe(client, other, stripe_header(other, secret="whsec_retired")).status_code == 400


def test_a_stripe_renewal_that_arrives_before_the_activation_is_applied_after_it(
    client, alice, settings, provider_api, django_capture_on_commit_callbacks
):
    base, recorder = provider_api
    settings.PAYMENTS_PROVIDER, settings.STRIPE_API_BASE = "stripe", base
    monthly = plan(stripe_price_id="price_monthly")
    recorder.reply = {
        "id": "cs_sub",
        "object": "checkout.session",
        "url": "https://checkout.stripe.com/c/pay/cs_sub",
    }
    made, _ = services.checkout_start(
        user=alice, plan=monthly, success_url="https://l/", cancel_url="https://l/"
    )
    assert parse_qs(recorder.seen[0]["body"].decode())["mode"] == ["subscription"]
    period_end = int(time.time()) + 60 * 86400
    renewal = stripe_body(
        "invoice.paid",
        {
            "id": "in_2",
            "billing_reason": "subscription_cycle",
            "subscription": "sub_1",
            "amount_paid": 1900,
            "currency": "usd",
            "payment_intent": "pi_2",
            "lines": {"data": [{"period": {"end": period_end}}]},
        },
    )
    activation = stripe_body(
        "checkout.session.completed",
        {
            "id": "cs_sub",
            "payment_status": "paid",
            "amount_total": 1900,
            "currency": "usd",
            "subscription": "sub_1",
            "invoice": "in_1",
            "customer": "cus_1",
        },
    )

    with django_capture_on_commit_callbacks(execute=True), zeal_ignore():
        first = post_stripe(client, renewal, stripe_header(renewal)).json()["outcome"]
        second = post_stripe(client, activation, stripe_header(activation)).json()["outcome"]

    assert (first, second) == ("deferred", "processed")
    subscription = Subscription.objects.get(user=alice)
    assert subscription.provider_subscription_id == "sub_1" and subscription.status == "active"
    assert int(subscription.active_until.timestamp()) == period_end
    assert Transaction.objects.filter(kind="renewal", status="succeeded").count() == 1
    assert Invoice.objects.count() == 2
    made.refresh_from_db()
    assert made.status == "succeeded"

    ended = stripe_body("customer.subscription.deleted", {"id": "sub_1", "object": "subscription"})
    with django_capture_on_commit_callbacks(execute=True), zeal_ignore():
        assert post_stripe(client, ended, stripe_header(ended)).json()["outcome"] == "processed"
    assert Subscription.objects.get(user=alice).status == "expired"


# --- Razorpay ----------------------------------------------------------------------------------------


def razorpay_checkout(user, course, settings, provider_api) -> Transaction:
    base, recorder = provider_api
    settings.PAYMENTS_PROVIDER, settings.RAZORPAY_API_BASE = "razorpay", base
    recorder.reply = {"id": "order_123", "entity": "order", "amount": 4900, "currency": "INR"}
    made, _ = services.checkout_start(
        user=user, course=course, success_url="https://l/", cancel_url="https://l/"
    )
    return made


def test_razorpay_checkout_is_an_order_asked_through_the_sdk(alice, ines, settings, provider_api):
    made = razorpay_checkout(alice, paid_course(ines, currency="INR"), settings, provider_api)

    (request,) = provider_api[1].seen
    assert (request["method"], request["path"]) == ("POST", "/v1/orders")
    sent = json.loads(request["body"])
    assert (sent["amount"], sent["currency"], sent["notes"]["transaction"]) == (4900, "INR", str(made.pk))
    assert made.provider_ref == "order_123" and made.checkout_url == f"/payments/razorpay/{made.pk}/"


def test_the_razorpay_checkouts_signed_return_pays_and_a_forged_one_does_not(
    login_api, alice, ines, settings, provider_api, django_capture_on_commit_callbacks
):
    course = paid_course(ines, currency="INR")
    made = razorpay_checkout(alice, course, settings, provider_api)
    api = login_api(alice)
    forged = {
        "transaction": str(made.pk),
        "razorpay_order_id": "order_123",
        "razorpay_payment_id": "pay_1",
        "razorpay_signature": razorpay_payment_signature("order_123", "pay_2"),
    }

    refused = api.post("/api/payments/razorpay/verify/", forged, format="json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "bad_signature"
    assert Transaction.objects.get(pk=made.pk).status == "pending"

    signed = {**forged, "razorpay_signature": razorpay_payment_signature("order_123", "pay_1")}
    with django_capture_on_commit_callbacks(execute=True):
        accepted = api.post("/api/payments/razorpay/verify/", signed, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "succeeded"
    assert CourseEnrollment.objects.filter(user=alice, course=course).exists()


def razorpay_webhook(kind: str, payment: dict) -> bytes:
    return json.dumps(
        {"entity": "event", "event": kind, "payload": {"payment": {"entity": payment}}}
    ).encode()


def test_a_razorpay_webhook_verified_by_the_sdk_pays_once_however_often_it_comes(
    client, alice, ines, settings, provider_api, django_capture_on_commit_callbacks
):
    course = paid_course(ines, currency="INR")
    made = razorpay_checkout(alice, course, settings, provider_api)
    body = razorpay_webhook(
        "payment.captured", {"id": "pay_9", "order_id": "order_123", "amount": 4900, "currency": "INR"}
    )

    outcomes = []
    with django_capture_on_commit_callbacks(execute=True), zeal_ignore():
        for _ in range(3):  # Razorpay signs no timestamp: a replay is stopped by the event id
            reply = client.post(
                "/api/webhook/payment/",
                data=body,
                content_type="application/json",
                HTTP_X_RAZORPAY_SIGNATURE=razorpay_signature(body),
                HTTP_X_RAZORPAY_EVENT_ID="evt_rzp_1",
            )
            outcomes.append(reply.json()["outcome"])

    assert outcomes == ["processed", "duplicate", "duplicate"]
    made.refresh_from_db()
    assert made.status == "succeeded" and made.amount == Decimal("49.00") and Invoice.objects.count() == 1


@pytest.mark.parametrize("how", ["tampered", "wrong secret", "no signature"])
def test_a_razorpay_webhook_that_does_not_verify_is_refused(client, how):
    body = razorpay_webhook(
        "payment.captured", {"id": "pay_1", "order_id": "order_1", "amount": 100, "currency": "INR"}
    )
    signature = {
        "tampered": razorpay_signature(body),
        "wrong secret": razorpay_signature(body, secret="nope"),
        "no signature": "",
    }[how]
    if how == "tampered":
        body = body.replace(b"100", b"1")

    reply = client.post(
        "/api/webhook/payment/razorpay/",
        data=body,
        content_type="application/json",
        HTTP_X_RAZORPAY_SIGNATURE=signature,
        HTTP_X_RAZORPAY_EVENT_ID="evt_rzp_2",
    )

    assert reply.status_code == 400 and not WebhookEvent.objects.exists()


def test_provider_events_map_to_what_lyceum_does():
    assert (
        providers.stripe_event(
            {"id": "e", "type": "charge.refunded", "data": {"object": {"payment_intent": "pi"}}}
        ).action
        == "refunded"
    )
    assert (
        providers.stripe_event(
            {"id": "e", "type": "charge.dispute.created", "data": {"object": {"payment_intent": "pi"}}}
        ).action
        == "disputed"
    )
    unpaid = {
        "id": "e",
        "type": "checkout.session.completed",
        "data": {"object": {"payment_status": "unpaid"}},
    }
    assert providers.stripe_event(unpaid).action == "ignore"  # settles later, asynchronously
    assert (
        providers.stripe_event(
            {"id": "e", "type": "invoice.payment_failed", "data": {"object": {"subscription": "s"}}}
        ).action
        == "renewal_failed"
    )
    assert (
        providers.razorpay_event({"event": "payment.failed", "payload": {}}, event_id="x").action == "failed"
    )
    assert (
        providers.razorpay_event(
            {"event": "refund.processed", "payload": {"refund": {"entity": {"payment_id": "p"}}}},
            event_id="x",
        ).payment_id
        == "p"
    )
    assert (
        providers.razorpay_event({"event": "subscription.cancelled", "payload": {}}, event_id="x").action
        == "subscription_ended"
    )


def test_a_razorpay_plan_is_paid_by_the_period_and_ends_without_renewing(
    login_api, alice, settings, provider_api, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    base, recorder = provider_api
    settings.PAYMENTS_PROVIDER, settings.RAZORPAY_API_BASE = "razorpay", base
    recorder.reply = {"id": "order_plan", "entity": "order", "amount": 1900, "currency": "USD"}
    made, _ = services.checkout_start(
        user=alice, plan=plan(), success_url="https://l/", cancel_url="https://l/"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.razorpay_return(
            user=alice,
            transaction_id=made.pk,
            order_id="order_plan",
            payment_id="pay_plan",
            signature=razorpay_payment_signature("order_plan", "pay_plan"),
        )
    subscription = Subscription.objects.get(user=alice)
    assert subscription.status == "active" and not subscription.auto_renew

    Subscription.objects.filter(pk=subscription.pk).update(active_until=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True), zeal_ignore():
        assert services.subscriptions_sweep() == {"renewed": 0, "expired": 1}
    assert len(recorder.seen) == 1  # nothing was charged again
