"""Payment pages: pricing, billing (subscription, payments, invoices), a payment's status, and the
sandbox provider's and Razorpay's checkout pages. They call the payments services."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lyceum.core.exceptions import ApplicationError
from lyceum.courses.models import Course
from lyceum.payments import services
from lyceum.payments.models import Invoice, Plan, Transaction
from lyceum.payments.models import Provider as ProviderName
from lyceum.payments.providers import minor_units


def start_checkout(
    request: HttpRequest, *, plan: Plan | None = None, course: Course | None = None
) -> HttpResponse:
    """Starts a checkout and sends the buyer to it; a refusal comes back as a message."""
    try:
        made, _ = services.checkout_start(
            user=request.user,
            plan=plan,
            course=course,
            **services.return_urls(request.build_absolute_uri("/")),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("web:course_detail", slug=course.slug) if course else redirect("web:pricing")
    return redirect(made.checkout_url)


def pricing(request: HttpRequest) -> HttpResponse:
    plans = Plan.objects.filter(is_active=True).prefetch_related("courses")
    current = services.live_subscription(request.user) if request.user.is_authenticated else None
    return render(request, "web/payments/pricing.html", {"plans": plans, "current": current})


@login_required
@require_POST
def subscribe(request: HttpRequest, slug: str) -> HttpResponse:
    plan = Plan.objects.filter(slug=slug, is_active=True).first()
    if plan is None:
        messages.error(request, "No such plan.")
        return redirect("web:pricing")
    return start_checkout(request, plan=plan)


@login_required
def billing(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/payments/billing.html",
        {
            "subscription": services.live_subscription(request.user),
            "transactions": Transaction.objects.filter(user=request.user).select_related(
                "course", "plan", "invoice"
            )[:50],
            "invoices": Invoice.objects.filter(user=request.user)[:50],
        },
    )


@login_required
@require_POST
def subscription_cancel(request: HttpRequest) -> HttpResponse:
    try:
        subscription = services.subscription_cancel(user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Cancelled: {subscription.plan.name} stays open until {subscription.active_until:%d %B %Y}.",
        )
    return redirect("web:billing")


@login_required
def payment(request: HttpRequest, transaction_id) -> HttpResponse:
    """Where a checkout returns: the payment's status, which the page asks again until the
    provider's webhook has settled it."""
    paid = services.transaction_for(user=request.user, transaction_id=transaction_id)
    return render(
        request,
        "web/payments/payment.html",
        {
            "payment": paid,
            "cancelled": "cancelled" in request.GET and paid.status == Transaction.Status.PENDING,
        },
    )


@login_required
def sandbox_checkout(request: HttpRequest, transaction_id) -> HttpResponse:
    """The sandbox provider's own checkout page (a real provider's would be on its site)."""
    paid = services.transaction_for(user=request.user, transaction_id=transaction_id)
    if paid.provider != ProviderName.SANDBOX:
        return redirect("web:payment", transaction_id=paid.pk)
    if request.method == "POST":
        try:
            services.sandbox_complete(
                user=request.user, transaction_id=paid.pk, outcome=request.POST.get("outcome", "")
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("web:payment", transaction_id=paid.pk)
    return render(request, "web/payments/sandbox_checkout.html", {"payment": paid})


@login_required
def razorpay_checkout(request: HttpRequest, transaction_id) -> HttpResponse:
    """Opens Razorpay's Checkout for the order; its handler posts the signed result back."""
    paid = services.transaction_for(user=request.user, transaction_id=transaction_id)
    if paid.provider != ProviderName.RAZORPAY or paid.status != Transaction.Status.PENDING:
        return redirect("web:payment", transaction_id=paid.pk)
    return render(
        request,
        "web/payments/razorpay_checkout.html",
        {
            "payment": paid,
            "options": {
                "key": settings.RAZORPAY_KEY_ID,
                "order_id": paid.provider_ref,
                "amount": minor_units(paid.amount),
                "currency": paid.currency,
                "name": "Lyceum",
                "description": paid.description,
                "prefill": {"email": request.user.email},
                "transaction": str(paid.pk),
            },
        },
    )
