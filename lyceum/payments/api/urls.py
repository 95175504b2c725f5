from django.urls import path

from . import views

urlpatterns = [
    path("plans/", views.PlanListView.as_view(), name="plans"),
    path("subscription/checkout/", views.SubscriptionCheckoutView.as_view(), name="subscription_checkout"),
    path("subscription/status/", views.SubscriptionStatusView.as_view(), name="subscription_status"),
    path("subscription/cancel/", views.SubscriptionCancelView.as_view(), name="subscription_cancel"),
    path("webhook/payment/", views.WebhookView.as_view(), name="payment_webhook"),
    path(
        "webhook/payment/<str:provider>/",
        views.ProviderWebhookView.as_view(),
        name="payment_webhook_provider",
    ),
    path("courses/<uuid:id>/checkout/", views.CourseCheckoutView.as_view(), name="course_checkout"),
    path("payments/transactions/", views.TransactionListView.as_view(), name="transactions"),
    path("payments/transactions/<uuid:id>/", views.TransactionView.as_view(), name="transaction"),
    path("payments/invoices/", views.InvoiceListView.as_view(), name="invoices"),
    path("payments/invoices/<uuid:id>/pdf/", views.InvoicePdfView.as_view(), name="invoice_pdf"),
    path("payments/razorpay/verify/", views.RazorpayReturnView.as_view(), name="razorpay_verify"),
]
