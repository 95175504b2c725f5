"""Money under concurrency, on PostgreSQL (SQLite runs one writer at a time): many identical
checkouts at once make one; one webhook delivered twenty times at once pays once; fifty payments
at once take invoice numbers 1 to 50 with no gap and no repeat."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection
from rest_framework.test import APIClient

from lyceum.accounts.services import tokens_issue
from lyceum.accounts.tests.factories import UserFactory
from lyceum.courses.models import CourseEnrollment
from lyceum.payments import providers, services
from lyceum.payments.models import Invoice, Subscription, Transaction, WebhookEvent

from .helpers import paid_course, plan

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite runs one writer at a time)")


def at_once(count: int, work) -> list:
    """Runs ``work(i)`` in ``count`` threads released together; returns their results."""
    from django.db import connection as thread_connection

    barrier, results, errors = threading.Barrier(count), [None] * count, []

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_issue(user=user)['access']}")
    return client


def test_fifty_identical_checkouts_at_once_make_one(alice):
    monthly = plan()
    clients = [api_for(alice) for _ in range(50)]

    replies = at_once(
        50,
        lambda i: clients[i].post(
            "/api/subscription/checkout/",
            {"plan": monthly.slug},
            format="json",
            HTTP_IDEMPOTENCY_KEY="same-key",
        ),
    )

    assert Counter(reply.status_code for reply in replies) == {201: 1, 200: 49}
    assert len({reply.json()["transaction"] for reply in replies}) == 1
    assert len({reply.json()["checkout_url"] for reply in replies}) == 1
    assert Transaction.objects.count() == 1


def test_one_webhook_delivered_twenty_times_at_once_pays_once(alice):
    monthly = plan()
    made, _ = services.checkout_start(user=alice, plan=monthly, success_url="/", cancel_url="/")
    body = providers.sandbox_event(
        "payment.succeeded",
        reference=made.provider_ref,
        payment_id="sbx_pi_once",
        amount=made.amount,
        currency=made.currency,
        subscription="sbx_sub_once",
    )
    header = providers.sandbox_sign(body)

    replies = at_once(
        20,
        lambda i: APIClient().post(
            "/api/webhook/payment/", data=body, content_type="application/json", HTTP_LYCEUM_SIGNATURE=header
        ),
    )

    assert {reply.status_code for reply in replies} == {200}
    assert Counter(reply.json()["outcome"] for reply in replies) == {"processed": 1, "duplicate": 19}
    assert WebhookEvent.objects.count() == 1
    assert Transaction.objects.get().status == "succeeded"
    assert Invoice.objects.count() == 1
    assert Subscription.objects.filter(user=alice, status="active").count() == 1


def test_fifty_payments_at_once_take_invoice_numbers_one_to_fifty(ines):
    course = paid_course(ines, price="9.00")
    buyers = UserFactory.create_batch(50)
    bodies = []
    for buyer in buyers:
        made, _ = services.checkout_start(user=buyer, course=course, success_url="/", cancel_url="/")
        body = providers.sandbox_event(
            "payment.succeeded",
            reference=made.provider_ref,
            payment_id=f"sbx_pi_{made.pk.hex}",
            amount=made.amount,
            currency=made.currency,
        )
        bodies.append(body)

    replies = at_once(
        50,
        lambda i: APIClient().post(
            "/api/webhook/payment/",
            data=bodies[i],
            content_type="application/json",
            HTTP_LYCEUM_SIGNATURE=providers.sandbox_sign(bodies[i]),
        ),
    )

    assert [reply.json()["outcome"] for reply in replies] == ["processed"] * 50
    assert sorted(Invoice.objects.values_list("number", flat=True)) == list(range(1, 51))
    assert CourseEnrollment.objects.filter(course=course).count() == 50
