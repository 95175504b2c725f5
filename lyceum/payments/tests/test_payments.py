"""Buying a course and a plan through the sandbox provider, end to end through the API and the
webhook: what a payment unlocks, what a decline, a refund or an expiry takes back, invoices, and
webhooks that arrive twice, out of order, with a wrong amount or a bad signature."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from zeal import zeal_ignore

from lyceum.courses.models import CourseEnrollment
from lyceum.payments import providers, services
from lyceum.payments.models import Invoice, Subscription, Transaction, WebhookEvent

from .helpers import paid_course, plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(ines):
    return paid_course(ines)


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """Runs what waits for the commit: the sandbox's webhook (delivered in-process in tests),
    and the emails and enrollments after it."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def checkout(client, path, key=None, **data):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(path, data or None, format="json", **headers)


def send_sandbox(client, kind, **data):
    body = providers.sandbox_event(kind, **data)
    return client.post(
        "/api/webhook/payment/",
        data=body,
        content_type="application/json",
        HTTP_LYCEUM_SIGNATURE=providers.sandbox_sign(body),
    )


def test_a_paid_course_is_bought_through_the_sandbox_and_unlocks_at_once(
    login_api, alice, course, deliver, settings
):
    client = login_api(alice)
    assert client.post(f"/api/courses/{course.pk}/enroll/").status_code == 402

    started = checkout(client, f"/api/courses/{course.pk}/checkout/")
    assert started.status_code == 201, started.json()
    body = started.json()
    assert body["status"] == "pending" and body["amount"] == "49.00" and body["currency"] == "USD"
    assert body["checkout_url"] == f"http://testserver/payments/sandbox/{body['transaction']}/"
    assert not CourseEnrollment.objects.filter(user=alice, course=course).exists()

    deliver(
        lambda: services.sandbox_complete(user=alice, transaction_id=body["transaction"], outcome="succeed")
    )

    paid = Transaction.objects.get(pk=body["transaction"])
    assert paid.status == "succeeded" and paid.provider_payment_id.startswith("sbx_pi_")
    assert CourseEnrollment.objects.filter(user=alice, course=course).exists()
    invoice = Invoice.objects.get(transaction=paid)
    assert (invoice.total, invoice.currency, invoice.user) == (Decimal("49.00"), "USD", alice)
    assert [m.subject for m in mail.outbox if m.to == [alice.email]][-1].startswith("Receipt:")
    listed = client.get("/api/payments/invoices/").json()["results"]
    assert [row["number"] for row in listed] == [invoice.display_number]
    pdf = client.get(listed[0]["pdf"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content if pdf.streaming else [pdf.content]).startswith(b"%PDF")
    assert client.get(f"/api/payments/transactions/{paid.pk}/").json()["invoice"] == str(invoice.pk)
    # Buying it again is refused: it is yours.
    assert (
        checkout(client, f"/api/courses/{course.pk}/checkout/").json()["error"]["code"]
        == "already_has_access"
    )


def test_a_declined_card_unlocks_nothing_and_says_so(login_api, alice, course, deliver):
    client = login_api(alice)
    made = checkout(client, f"/api/courses/{course.pk}/checkout/").json()

    deliver(
        lambda: services.sandbox_complete(user=alice, transaction_id=made["transaction"], outcome="decline")
    )

    failed = client.get(f"/api/payments/transactions/{made['transaction']}/").json()
    assert failed["status"] == "failed" and "declined" in failed["failure_reason"]
    assert not CourseEnrollment.objects.filter(user=alice, course=course).exists()
    assert not Invoice.objects.exists()
    assert client.post(f"/api/courses/{course.pk}/enroll/").status_code == 402


def test_someone_elses_payment_invoice_and_checkout_are_not_found(login_api, alice, bob, course, deliver):
    made = checkout(login_api(alice), f"/api/courses/{course.pk}/checkout/").json()
    deliver(
        lambda: services.sandbox_complete(user=alice, transaction_id=made["transaction"], outcome="succeed")
    )
    invoice = Invoice.objects.get()
    other = login_api(bob)

    assert other.get(f"/api/payments/transactions/{made['transaction']}/").status_code == 404
    assert other.get(f"/api/payments/invoices/{invoice.pk}/pdf/").status_code == 404
    assert other.get("/api/payments/invoices/").json()["results"] == []
    with pytest.raises(services.NotFound):
        services.sandbox_complete(user=bob, transaction_id=made["transaction"], outcome="succeed")


def test_an_idempotency_key_gives_one_checkout_and_refuses_another_request(login_api, alice, course, ines):
    client = login_api(alice)
    other_course = paid_course(ines, price="10.00")

    first = checkout(client, f"/api/courses/{course.pk}/checkout/", key="buy-1")
    again = checkout(client, f"/api/courses/{course.pk}/checkout/", key="buy-1")
    different = checkout(client, f"/api/courses/{other_course.pk}/checkout/", key="buy-1")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert different.status_code == 422 and different.json()["error"]["code"] == "idempotency_key_reused"
    assert Transaction.objects.count() == 1
    assert checkout(client, f"/api/courses/{course.pk}/checkout/").status_code == 201  # no key: a new one
    assert Transaction.objects.count() == 2


def test_buying_again_within_the_hour_goes_back_to_the_open_checkout(login_api, alice, course):
    client = login_api(alice)

    first = checkout(client, f"/api/courses/{course.pk}/checkout/")
    second = checkout(client, f"/api/courses/{course.pk}/checkout/")
    Transaction.objects.update(created_at=timezone.now() - timedelta(hours=2))
    later = checkout(client, f"/api/courses/{course.pk}/checkout/")

    assert (first.status_code, second.status_code, later.status_code) == (201, 200, 201)
    assert second.json()["transaction"] == first.json()["transaction"] != later.json()["transaction"]


def test_bad_checkouts_are_refused_and_leave_nothing(login_api, alice, ines):
    client = login_api(alice)
    free = paid_course(ines, price="0")

    assert checkout(client, f"/api/courses/{free.pk}/checkout/").json()["error"]["code"] == "course_is_free"
    assert checkout(client, "/api/courses/00000000-0000-0000-0000-000000000000/checkout/").status_code == 404
    assert checkout(client, "/api/subscription/checkout/", plan="no-such-plan").status_code == 404
    assert checkout(client, "/api/subscription/checkout/").status_code == 400
    assert checkout(client, "/api/subscription/checkout/", plan=plan(is_active=False).slug).status_code == 404
    assert client.post(f"/api/courses/{free.pk}/checkout/", HTTP_IDEMPOTENCY_KEY="k" * 256).status_code == 400
    assert not Transaction.objects.exists()


def test_a_plan_unlocks_the_courses_it_covers_until_it_ends(login_api, alice, course, ines, deliver):
    client = login_api(alice)
    covered_plan = plan(covers_all_courses=False)
    covered_plan.courses.add(course)
    elsewhere = paid_course(ines, price="5.00")

    made = checkout(client, "/api/subscription/checkout/", plan=covered_plan.slug).json()
    deliver(
        lambda: services.sandbox_complete(user=alice, transaction_id=made["transaction"], outcome="succeed")
    )

    status = client.get("/api/subscription/status/").json()
    assert status["is_active"] and status["subscription"]["plan"]["slug"] == covered_plan.slug
    until = Subscription.objects.get(user=alice).active_until
    assert timezone.now() + timedelta(days=29) < until <= timezone.now() + timedelta(days=30)
    with zeal_ignore():
        assert client.post(f"/api/courses/{course.pk}/enroll/").status_code == 201
    assert client.post(f"/api/courses/{elsewhere.pk}/enroll/").status_code == 402
    assert checkout(client, "/api/subscription/checkout/", plan=plan().slug).json()["error"]["code"] == (
        "already_subscribed"
    )

    cancelled = client.post("/api/subscription/cancel/").json()
    assert cancelled["cancel_at_period_end"] and not cancelled["auto_renew"]
    assert CourseEnrollment.objects.filter(user=alice, course=course).exists()  # until the period ends

    Subscription.objects.filter(user=alice).update(active_until=timezone.now() - timedelta(minutes=1))
    with zeal_ignore():
        done = deliver(lambda: services.subscriptions_sweep())
    assert done == {"renewed": 0, "expired": 1}
    assert Subscription.objects.get(user=alice).status == "expired"
    assert not CourseEnrollment.objects.filter(user=alice, course=course).exists()
    assert not client.get("/api/subscription/status/").json()["is_active"]
    assert any("has ended" in m.subject for m in mail.outbox)


def test_the_sandbox_renews_a_subscription_due_and_invoices_each_period(login_api, alice, deliver):
    client = login_api(alice)
    monthly = plan()
    made = checkout(client, "/api/subscription/checkout/", plan=monthly.slug).json()
    deliver(
        lambda: services.sandbox_complete(user=alice, transaction_id=made["transaction"], outcome="succeed")
    )
    subscription = Subscription.objects.get(user=alice)
    ends = timezone.now() + timedelta(hours=12)
    Subscription.objects.filter(pk=subscription.pk).update(active_until=ends)

    with zeal_ignore():
        first = deliver(lambda: services.subscriptions_sweep())
        second = deliver(lambda: services.subscriptions_sweep())  # the same period: charged once

    assert first == {"renewed": 1, "expired": 0} and second == {"renewed": 0, "expired": 0}
    subscription.refresh_from_db()
    # The next period, as the provider's event dates it (to the second).
    assert abs(subscription.active_until - (ends + timedelta(days=30))) < timedelta(seconds=1)
    renewal = Transaction.objects.get(kind="renewal")
    assert renewal.status == "succeeded" and renewal.subscription == subscription
    assert list(Invoice.objects.order_by("number").values_list("number", flat=True)) == [1, 2]


def test_a_webhook_with_a_bad_or_missing_signature_changes_nothing(client, alice, course):
    made, _ = services.checkout_start(user=alice, course=course, success_url="/", cancel_url="/")
    body = providers.sandbox_event(
        "payment.succeeded", reference=made.provider_ref, payment_id="p", amount=made.amount, currency="USD"
    )
    tampered = body.replace(b'"49.00"', b'"0.01"')

    replies = [
        client.post("/api/webhook/payment/", data=body, content_type="application/json"),
        client.post(
            "/api/webhook/payment/",
            data=tampered,
            content_type="application/json",
            HTTP_LYCEUM_SIGNATURE=providers.sandbox_sign(body),
        ),
        client.post(
            "/api/webhook/payment/sandbox/",
            data=body,
            content_type="application/json",
            HTTP_LYCEUM_SIGNATURE=providers.sandbox_sign(body, secret="not-the-secret"),
        ),
        client.post(
            "/api/webhook/payment/sandbox/",
            data=body,
            content_type="application/json",
            HTTP_LYCEUM_SIGNATURE=providers.sandbox_sign(
                body, timestamp=int(timezone.now().timestamp()) - 301
            ),
        ),
        client.post("/api/webhook/payment/nope/", data=body, content_type="application/json"),
    ]

    assert [reply.status_code for reply in replies] == [400, 400, 400, 400, 400]
    assert replies[0].json()["error"]["code"] == "missing_signature"
    assert not WebhookEvent.objects.exists()
    made.refresh_from_db()
    assert made.status == "pending" and not CourseEnrollment.objects.exists()


def test_one_event_delivered_again_and_again_pays_once(client, alice, course, deliver):
    made, _ = services.checkout_start(user=alice, course=course, success_url="/", cancel_url="/")
    body = providers.sandbox_event(
        "payment.succeeded",
        reference=made.provider_ref,
        payment_id="sbx_pi_1",
        amount=made.amount,
        currency="USD",
    )

    outcomes = []
    with zeal_ignore():  # the same delivery, five times, by design
        for _ in range(5):
            reply = deliver(
                lambda: client.post(
                    "/api/webhook/payment/",
                    data=body,
                    content_type="application/json",
                    HTTP_LYCEUM_SIGNATURE=providers.sandbox_sign(body),
                )
            )
            outcomes.append(reply.json()["outcome"])

    assert outcomes == ["processed"] + ["duplicate"] * 4
    assert WebhookEvent.objects.count() == 1 and Invoice.objects.count() == 1
    assert CourseEnrollment.objects.filter(user=alice, course=course).count() == 1


def test_an_amount_that_does_not_match_the_order_is_refused_and_logged(client, alice, course, caplog):
    made, _ = services.checkout_start(user=alice, course=course, success_url="/", cancel_url="/")
    with caplog.at_level(logging.ERROR, logger="lyceum.payments.services"):
        reply = send_sandbox(
            client,
            "payment.succeeded",
            reference=made.provider_ref,
            payment_id="p",
            amount=Decimal("4.90"),
            currency="USD",
        )
        wrong_currency = send_sandbox(
            client,
            "payment.succeeded",
            reference=made.provider_ref,
            payment_id="p",
            amount=made.amount,
            currency="INR",
        )

    assert reply.status_code == 200 and reply.json()["outcome"] == "rejected"
    assert wrong_currency.json()["outcome"] == "rejected"
    assert "amount mismatch" in WebhookEvent.objects.first().detail
    assert "refused" in caplog.text
    made.refresh_from_db()
    assert made.status == "pending" and not CourseEnrollment.objects.exists() and not Invoice.objects.exists()


def test_unknown_event_types_are_acknowledged_and_ignored(client):
    reply = send_sandbox(client, "customer.updated", reference="x")

    assert reply.status_code == 200 and reply.json()["outcome"] == "ignored"


def test_a_refund_that_arrives_before_the_payment_waits_for_it_then_takes_the_course_back(
    client, alice, course, deliver
):
    made, _ = services.checkout_start(user=alice, course=course, success_url="/", cancel_url="/")
    refund = send_sandbox(client, "payment.refunded", payment_id="sbx_pi_early")
    assert refund.json()["outcome"] == "deferred"

    with zeal_ignore():
        paid = deliver(
            lambda: send_sandbox(
                client,
                "payment.succeeded",
                reference=made.provider_ref,
                payment_id="sbx_pi_early",
                amount=made.amount,
                currency="USD",
            )
        )

    assert paid.json()["outcome"] == "processed"
    made.refresh_from_db()
    assert made.status == "refunded"
    assert not CourseEnrollment.objects.filter(user=alice, course=course).exists()
    assert not services.has_paid_access(alice, course)
    assert set(WebhookEvent.objects.values_list("outcome", flat=True)) == {"processed"}


def test_a_dispute_ends_the_subscription_it_paid_for(login_api, alice, course, deliver, client):
    api = login_api(alice)
    made = checkout(api, "/api/subscription/checkout/", plan=plan().slug).json()
    deliver(
        lambda: services.sandbox_complete(user=alice, transaction_id=made["transaction"], outcome="succeed")
    )
    with zeal_ignore():
        assert api.post(f"/api/courses/{course.pk}/enroll/").status_code == 201
    payment_id = Transaction.objects.get(pk=made["transaction"]).provider_payment_id

    with zeal_ignore():
        deliver(lambda: send_sandbox(client, "payment.disputed", payment_id=payment_id))

    assert Transaction.objects.get(pk=made["transaction"]).status == "disputed"
    assert Subscription.objects.get(user=alice).status == "cancelled"
    assert not CourseEnrollment.objects.filter(user=alice, course=course).exists()


def test_invoice_numbers_follow_each_other_without_a_gap(alice, bob, ines, deliver):
    numbers = []
    with zeal_ignore():
        for buyer in (alice, bob, alice):
            course = paid_course(ines, price="3.00")
            made, _ = services.checkout_start(user=buyer, course=course, success_url="/", cancel_url="/")
            if buyer == bob:  # a declined payment takes no number
                deliver(
                    lambda made=made: services.sandbox_complete(
                        user=bob, transaction_id=made.pk, outcome="decline"
                    )
                )
                continue
            deliver(
                lambda made=made, buyer=buyer: services.sandbox_complete(
                    user=buyer, transaction_id=made.pk, outcome="succeed"
                )
            )
            numbers.append(Invoice.objects.get(transaction=made).number)

    assert numbers == [1, 2]


def test_the_renewal_command_says_what_it_did(alice, deliver):
    from io import StringIO

    from django.core.management import call_command

    from .helpers import settle

    made, _ = services.checkout_start(user=alice, plan=plan(), success_url="/", cancel_url="/")
    settle(made, subscription="sbx_sub_cmd")
    Subscription.objects.update(active_until=timezone.now() + timedelta(hours=1))
    out = StringIO()

    with zeal_ignore():
        deliver(lambda: call_command("renew_subscriptions", stdout=out))

    assert out.getvalue().strip() == "Renewed 1, expired 0."
    assert Subscription.objects.get().active_until > timezone.now() + timedelta(days=30)


def test_a_course_with_payments_on_record_is_unpublished_not_deleted(login_api, alice, ines, course):
    services.checkout_start(user=alice, course=course, success_url="/", cancel_url="/")

    reply = login_api(ines).delete(f"/api/instructor/courses/{course.pk}/")

    assert reply.status_code == 409 and reply.json()["error"]["code"] == "course_has_payments"
    assert Transaction.objects.filter(course=course).exists()


def test_the_lists_cost_the_same_queries_for_one_row_or_many(login_api, alice, ines):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .helpers import settle

    client = login_api(alice)

    def cost(path: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    counts = {}
    for round_size in (1, 4):
        with zeal_ignore():  # setting up: one purchase after another
            for _ in range(round_size):
                made, _ = services.checkout_start(
                    user=alice, course=paid_course(ines, price="2.00"), success_url="/", cancel_url="/"
                )
                settle(made)
                covering = plan(covers_all_courses=False)
                covering.courses.add(made.course)
        counts[round_size] = [
            cost(p) for p in ("/api/payments/transactions/", "/api/payments/invoices/", "/api/plans/")
        ]

    assert counts[1] == counts[4]
