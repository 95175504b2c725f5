"""The payments API: plans, checkouts (plans and courses), the subscription, payments and
invoices, and the providers' webhook."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db.models import Q
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lyceum.core.exceptions import NotFound
from lyceum.courses.models import Course

from .. import services
from ..models import Invoice, Plan, Transaction
from ..pdf import invoice_pdf
from . import serializers as s

E400 = OpenApiResponse(description="Validation error, or a webhook whose signature does not verify.")
E404 = OpenApiResponse(description="No such plan, course, payment or invoice among yours.")
E409 = OpenApiResponse(description="Already subscribed, already has the course, or the course is free.")
E422 = OpenApiResponse(description="The Idempotency-Key was used for a different request.")
E502 = OpenApiResponse(description="The payment provider refused or could not be reached; nothing was made.")
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    description="Retries with the same key get the same checkout (200), never a second one.",
)
CHECKOUT_RESPONSES = {
    200: s.CheckoutSerializer,
    201: s.CheckoutSerializer,
    400: E400,
    404: E404,
    409: E409,
    422: E422,
    502: E502,
}


def _checkout_response(request: Request, **what) -> Response:
    made, created = services.checkout_start(
        user=request.user,
        idempotency_key=request.headers.get("Idempotency-Key", "").strip(),
        **services.return_urls(settings.SITE_URL),
        **what,
    )
    return Response(
        s.CheckoutSerializer(made, context={"request": request}).data, status=201 if created else 200
    )


class PlanListView(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = s.PlanSerializer
    pagination_class = None

    def get_queryset(self):
        return Plan.objects.filter(is_active=True).prefetch_related("courses")

    @extend_schema(summary="The plans on sale", tags=["payments"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class SubscriptionCheckoutView(APIView):
    @extend_schema(
        request=s.PlanCheckoutSerializer,
        parameters=[IDEMPOTENCY],
        responses=CHECKOUT_RESPONSES,
        summary="Start paying for a plan: go to checkout_url; the provider's webhook settles it",
        tags=["payments"],
    )
    def post(self, request: Request) -> Response:
        data = s.PlanCheckoutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = data.validated_data["plan"]
        try:
            by_id = Q(pk=uuid.UUID(key))
        except ValueError:
            by_id = Q(pk__in=[])
        plan = Plan.objects.filter(by_id | Q(slug=key), is_active=True).first()
        if plan is None:
            raise NotFound("No such plan.")
        return _checkout_response(request, plan=plan)


class CourseCheckoutView(APIView):
    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY],
        responses=CHECKOUT_RESPONSES,
        summary="Start buying a paid course (lifelong access once paid)",
        tags=["payments"],
    )
    def post(self, request: Request, id) -> Response:
        course = Course.objects.filter(pk=id, is_published=True).first()
        if course is None:
            raise NotFound("No such course.")
        return _checkout_response(request, course=course)


class SubscriptionStatusView(APIView):
    @extend_schema(
        responses=s.SubscriptionStatusSerializer, summary="Your current subscription", tags=["payments"]
    )
    def get(self, request: Request) -> Response:
        live = services.live_subscription(request.user)
        return Response(
            {
                "subscription": s.SubscriptionSerializer(live).data if live else None,
                "is_active": live is not None,
            }
        )


class SubscriptionCancelView(APIView):
    @extend_schema(
        request=None,
        responses={200: s.SubscriptionSerializer, 404: E404, 502: E502},
        summary="Cancel at the end of the period (access stays until then)",
        tags=["payments"],
    )
    def post(self, request: Request) -> Response:
        return Response(s.SubscriptionSerializer(services.subscription_cancel(user=request.user)).data)


class WebhookView(APIView):
    """One URL for every provider, told apart by the path (``/api/webhook/payment/stripe/``) or
    by the signature header it carries (``Stripe-Signature``, ``X-Razorpay-Signature``,
    ``Lyceum-Signature``)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="payment_webhook",
        request={"application/json": OpenApiTypes.OBJECT},
        responses={200: s.WebhookAckSerializer, 400: E400},
        summary="A payment provider's webhook, told apart by its signature header: signature checked "
        "first, each event applied once",
        tags=["payments"],
    )
    def post(self, request: Request, provider: str | None = None) -> Response:
        record = services.webhook_receive(body=request.body, headers=request.headers, provider=provider)
        outcome = "duplicate" if getattr(record, "repeated", False) else record.outcome
        return Response({"received": True, "outcome": outcome})


class ProviderWebhookView(WebhookView):
    @extend_schema(
        operation_id="payment_webhook_of_provider",
        request={"application/json": OpenApiTypes.OBJECT},
        responses={200: s.WebhookAckSerializer, 400: E400},
        summary="A payment provider's webhook at its own path (sandbox, stripe or razorpay)",
        tags=["payments"],
    )
    def post(self, request: Request, provider: str | None = None) -> Response:
        return super().post(request, provider)


class TransactionListView(generics.ListAPIView):
    serializer_class = s.TransactionSerializer

    def get_queryset(self):
        return Transaction.objects.filter(user=self.request.user).select_related("course", "plan", "invoice")

    @extend_schema(summary="Your payments, newest first", tags=["payments"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class TransactionView(APIView):
    @extend_schema(
        responses={200: s.TransactionSerializer, 404: E404}, summary="One of your payments", tags=["payments"]
    )
    def get(self, request: Request, id) -> Response:
        found = services.transaction_for(user=request.user, transaction_id=id)
        return Response(s.TransactionSerializer(found).data)


class InvoiceListView(generics.ListAPIView):
    serializer_class = s.InvoiceSerializer

    def get_queryset(self):
        return Invoice.objects.filter(user=self.request.user)

    @extend_schema(summary="Your invoices, newest first", tags=["payments"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class InvoicePdfView(APIView):
    @extend_schema(
        # Documented as bytes, as course files are (a generated client then hands back the file).
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="application/pdf"
            ),
            404: E404,
        },
        summary="An invoice as a PDF (Content-Type: application/pdf)",
        tags=["payments"],
    )
    def get(self, request: Request, id) -> HttpResponse:
        invoice = Invoice.objects.select_related("transaction").filter(pk=id, user=request.user).first()
        if invoice is None:
            raise NotFound("No such invoice.")
        response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="invoice-{invoice.display_number}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response


class RazorpayReturnView(APIView):
    @extend_schema(
        request=s.RazorpayReturnSerializer,
        responses={200: s.TransactionSerializer, 400: E400, 404: E404},
        summary="Razorpay's checkout hands back the payment: its signature is verified, then applied",
        tags=["payments"],
    )
    def post(self, request: Request) -> Response:
        data = s.RazorpayReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        paid = services.razorpay_return(
            user=request.user,
            transaction_id=values["transaction"],
            order_id=values["razorpay_order_id"],
            payment_id=values["razorpay_payment_id"],
            signature=values["razorpay_signature"],
        )
        return Response(s.TransactionSerializer(paid).data)
