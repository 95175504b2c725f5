"""The demo student buys the paid demo course through the sandbox provider in Chromium: a
declined card leaves no access and says so; a payment lands them enrolled, with the invoice as a
PDF. The sandbox's webhook travels over HTTP to the live server, signed, as a provider's would."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from lyceum.courses.models import CourseEnrollment
from lyceum.payments.models import Invoice, Transaction, WebhookEvent
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def over_http(settings, live_server):
    settings.PAYMENTS_SANDBOX_DELIVERY = "http"
    settings.SITE_URL = live_server.url


def test_student_is_declined_then_buys_the_course_and_downloads_the_invoice(
    demo, page, screenshot, over_http
):
    log_in(page, demo, "student", "learn-lyceum-2026")
    page.goto(f"{demo}/courses/machine-learning-foundations/")
    expect(page.get_by_text("49.00 USD").first).to_be_visible()

    page.get_by_role("button", name="Buy and enroll").click()
    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    screenshot("70-sandbox-checkout")
    page.get_by_role("button", name="Decline the card").click()
    expect(page.get_by_text("The payment did not go through")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Nothing was charged and nothing was unlocked.")).to_be_visible()
    screenshot("71-payment-declined")
    page.get_by_role("link", name="Back to Machine Learning Foundations").click()
    expect(page.get_by_role("button", name="Buy and enroll")).to_be_visible()
    assert not CourseEnrollment.objects.filter(
        user__username="student", course__slug="machine-learning-foundations"
    ).exists()

    page.get_by_role("button", name="Buy and enroll").click()
    page.get_by_role("button", name="Pay 49.00 USD").click()
    # The status page asks until the webhook (a real HTTP request to this server) has landed.
    expect(page.get_by_text("You are enrolled.")).to_be_visible(timeout=30_000)
    screenshot("72-payment-paid")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download the invoice")).click()
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"
    assert download.value.suggested_filename == "invoice-LYC-000001.pdf"

    page.get_by_role("link", name="Go to Machine Learning Foundations").click()
    expect(page.get_by_role("link", name="Start learning")).to_be_visible()
    paid = Transaction.objects.get(status="succeeded")
    assert paid.course.slug == "machine-learning-foundations" and Invoice.objects.get().transaction == paid
    assert WebhookEvent.objects.filter(outcome="processed").count() == 2  # the decline and the payment

    page.goto(f"{demo}/billing/")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.get_by_text("LYC-000001 (PDF)")).to_be_visible()
    screenshot("73-billing-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
