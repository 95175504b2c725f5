"""The payment pages: plans, "Buy and enroll" through the sandbox's checkout page, a payment's
status page (paid, declined, still waiting), billing with invoices, and cancelling."""

from __future__ import annotations

import pytest
from zeal import zeal_ignore

from lyceum.courses.models import CourseEnrollment
from lyceum.payments.models import Subscription, Transaction
from lyceum.payments.tests.helpers import paid_course, plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(ines):
    return paid_course(ines, title="Paid things")


def test_the_plans_page_lists_what_is_on_sale(client, alice):
    plan(name="Monthly", slug="monthly")
    plan(name="Retired", slug="retired", is_active=False)

    anonymous = client.get("/pricing/").content.decode()
    client.force_login(alice)
    signed_in = client.get("/pricing/").content.decode()

    assert "Monthly" in anonymous and "Retired" not in anonymous and "Log in to subscribe" in anonymous
    assert "Subscribe to Monthly" in signed_in


def test_buy_and_enroll_goes_through_the_sandbox_checkout_to_the_course(
    client, alice, course, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    detail = client.get(f"/courses/{course.slug}/").content.decode()
    assert "Buy and enroll" in detail and "subscribe to a plan" in detail

    to_checkout = client.post(f"/courses/{course.slug}/enroll/")
    made = Transaction.objects.get(user=alice)
    assert to_checkout.status_code == 302 and to_checkout["Location"] == f"/payments/sandbox/{made.pk}/"
    page = client.get(to_checkout["Location"]).content.decode()
    assert "Sandbox: no real money" in page and "49.00 USD" in page and "Decline the card" in page

    with django_capture_on_commit_callbacks(execute=True), zeal_ignore():
        paid = client.post(f"/payments/sandbox/{made.pk}/", {"outcome": "succeed"})
    assert paid["Location"] == f"/billing/payments/{made.pk}/"
    status = client.get(paid["Location"]).content.decode()
    assert "Paid." in status and "You are enrolled." in status and "Download the invoice LYC-000001" in status
    assert "payment.js" not in status  # settled: nothing to wait for
    assert CourseEnrollment.objects.filter(user=alice, course=course).exists()
    billing = client.get("/billing/").content.decode()
    assert "Course: Paid things" in billing and "LYC-000001 (PDF)" in billing


def test_a_declined_card_says_so_and_unlocks_nothing(
    client, alice, course, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    client.post(f"/courses/{course.slug}/enroll/")
    made = Transaction.objects.get(user=alice)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/payments/sandbox/{made.pk}/", {"outcome": "decline"})
    status = client.get(f"/billing/payments/{made.pk}/").content.decode()

    assert "The payment did not go through" in status and "Nothing was charged" in status
    assert not CourseEnrollment.objects.filter(user=alice, course=course).exists()
    again = client.post(f"/payments/sandbox/{made.pk}/", {"outcome": "succeed"}, follow=True)
    assert "This checkout is already settled." in again.content.decode()


def test_a_payment_waiting_for_its_webhook_says_so_and_asks_again(client, alice, course):
    client.force_login(alice)
    client.post(f"/courses/{course.slug}/enroll/")
    made = Transaction.objects.get(user=alice)

    page = client.get(f"/billing/payments/{made.pk}/").content.decode()
    cancelled = client.get(f"/billing/payments/{made.pk}/?cancelled=1").content.decode()

    assert "Waiting for the payment provider" in page and "payment.js" in page
    assert "You left the checkout: nothing was charged." in cancelled


def test_someone_elses_payment_pages_are_not_found(client, alice, bob, course):
    client.force_login(alice)
    client.post(f"/courses/{course.slug}/enroll/")
    made = Transaction.objects.get(user=alice)
    client.force_login(bob)

    assert client.get(f"/billing/payments/{made.pk}/").status_code == 404
    assert client.get(f"/payments/sandbox/{made.pk}/").status_code == 404
    assert client.post(f"/payments/sandbox/{made.pk}/", {"outcome": "succeed"}).status_code == 404
    assert Transaction.objects.get(pk=made.pk).status == "pending"


def test_a_subscription_is_bought_shown_and_cancelled_from_billing(
    client, alice, django_capture_on_commit_callbacks
):
    monthly = plan(name="Monthly", slug="monthly")
    client.force_login(alice)

    to_checkout = client.post(f"/pricing/{monthly.slug}/subscribe/")
    made = Transaction.objects.get(user=alice)
    with django_capture_on_commit_callbacks(execute=True), zeal_ignore():
        client.post(to_checkout["Location"], {"outcome": "succeed"})
    billing = client.get("/billing/").content.decode()
    assert "Monthly" in billing and "Renews on" in billing and "Cancel at the end of the period" in billing

    cancelled = client.post("/billing/cancel/", follow=True).content.decode()

    assert "stays open until" in cancelled and "then it ends" in cancelled
    assert Subscription.objects.get(user=alice).cancel_at_period_end
    assert made.pk
