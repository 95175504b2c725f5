"""Every write of payments: checkouts, webhooks, fulfilment, subscriptions, invoices.

Money moves exactly once: a checkout is one row per ``Idempotency-Key``; a webhook's signature
is checked before anything else, its event id is recorded once (a unique row, in the same
database transaction as its effects), its amount and currency must match the order, and events
that arrive before the one they depend on wait (``deferred``) and are applied when it comes."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import requests
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from lyceum.accounts.models import User
from lyceum.accounts.tasks import send_email
from lyceum.core.exceptions import ApplicationError, Conflict, NotFound
from lyceum.courses.models import Course, CourseEnrollment

from . import providers
from .models import Invoice, InvoiceCounter, Plan, Subscription, Transaction, WebhookEvent
from .models import Provider as ProviderName
from .providers import ProviderEvent

log = logging.getLogger(__name__)


class IdempotencyKeyReused(ApplicationError):
    status_code = 422
    code = "idempotency_key_reused"
    default_message = "This Idempotency-Key was used for a different request."


# --- access ------------------------------------------------------------------------------------------


def live_subscription(user: User) -> Subscription | None:
    """The user's subscription that is active (or past due, within its period) now."""
    if not user.is_authenticated:
        return None
    return Subscription.objects.live().select_related("plan").filter(user=user).first()


def has_paid_access(user: User, course: Course) -> bool:
    """Whether the user may take a paid course: bought it, or a live subscription covers it."""
    bought = Transaction.objects.filter(
        user=user, course=course, kind=Transaction.Kind.COURSE, status=Transaction.Status.SUCCEEDED
    ).exists()
    if bought:
        return True
    return (
        Subscription.objects.live()
        .filter(user=user)
        .filter(Q(plan__covers_all_courses=True) | Q(plan__courses=course))
        .exists()
    )


def _revoke(user: User, courses: QuerySet[Course] | list[Course]) -> None:
    """Ends the enrollments in paid ``courses`` that the user no longer has access to."""
    from lyceum.courses import services as course_services

    for course in courses:
        if course.is_free or has_paid_access(user, course):
            continue
        if CourseEnrollment.objects.filter(user=user, course=course).exists():
            course_services.unenroll(user=user, course=course)


def _covered_enrollments(subscription: Subscription) -> list[Course]:
    courses = Course.objects.filter(enrollments__user=subscription.user).exclude(price=0)
    if not subscription.plan.covers_all_courses:
        courses = courses.filter(plans=subscription.plan)
    return list(courses)


# --- checkout ----------------------------------------------------------------------------------------


REUSE_CHECKOUT_FOR = timedelta(hours=1)


def return_urls(site: str) -> dict[str, str]:
    """Where a checkout sends the buyer back on ``site``: the payment's page, which waits for
    the provider's webhook (``{transaction}`` is filled in by ``checkout_start``)."""
    page = f"{site.rstrip('/')}/billing/payments/{{transaction}}/"
    return {"success_url": page, "cancel_url": page + "?cancelled=1"}


def _fingerprint(**request: Any) -> str:
    return hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()


def checkout_start(
    *,
    user: User,
    plan: Plan | None = None,
    course: Course | None = None,
    idempotency_key: str = "",
    success_url: str,
    cancel_url: str,
) -> tuple[Transaction, bool]:
    """A checkout for a plan or a paid course, with the configured provider; returns the
    transaction and whether it was made now (``{transaction}`` in the URLs becomes its id).
    The same ``idempotency_key`` with the same request returns the first checkout (however many
    arrive at once); with another request, 422."""
    if (plan is None) == (course is None):
        raise ApplicationError("Buy a plan or a course.", fields={"plan": ["Give a plan or a course."]})
    if len(idempotency_key) > 255:
        raise ApplicationError("An Idempotency-Key is at most 255 characters.", code="bad_idempotency_key")
    fingerprint = _fingerprint(plan=plan and plan.pk, course=course and course.pk)
    if idempotency_key:
        replay = _replay(user, idempotency_key, fingerprint)
        if replay is not None:
            return replay, False
    if plan is not None:
        if not plan.is_active:
            raise NotFound("No such plan.")
        if live_subscription(user) is not None:
            raise Conflict(
                "You already have a subscription: change or cancel it first.", code="already_subscribed"
            )
        kind, amount, currency = Transaction.Kind.PLAN, plan.price, plan.currency
    else:
        if not course.is_published:
            raise NotFound("No such course.")
        if course.is_free:
            raise Conflict("This course is free: enroll in it.", code="course_is_free")
        if has_paid_access(user, course):
            raise Conflict("You already have this course.", code="already_has_access")
        kind, amount, currency = Transaction.Kind.COURSE, course.price, course.currency
    provider = providers.current()
    # A second click on "Buy" within the hour goes back to the checkout already open, so one
    # purchase cannot become two payments.
    open_checkout = (
        Transaction.objects.filter(
            user=user,
            kind=kind,
            plan=plan,
            course=course,
            provider=provider.name,
            status=Transaction.Status.PENDING,
            created_at__gte=timezone.now() - REUSE_CHECKOUT_FOR,
            idempotency_key="",
        )
        .exclude(checkout_url="")
        .first()
        if not idempotency_key
        else None
    )
    if open_checkout is not None:
        return open_checkout, False
    made = Transaction(
        user=user,
        kind=kind,
        plan=plan,
        course=course,
        amount=amount,
        currency=currency,
        provider=provider.name,
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint,
    )
    try:
        # The provider is asked inside the transaction: concurrent requests with the same key
        # wait on the first one's row and then read its checkout; a provider that fails leaves
        # nothing behind.
        with transaction.atomic():
            made.save(force_insert=True)
            checkout = provider.start_checkout(
                made,
                success_url=success_url.replace("{transaction}", str(made.pk)),
                cancel_url=cancel_url.replace("{transaction}", str(made.pk)),
            )
            made.provider_ref, made.checkout_url = checkout.reference, checkout.url
            made.save(update_fields=["provider_ref", "checkout_url"])
    except IntegrityError:
        replay = _replay(user, idempotency_key, fingerprint) if idempotency_key else None
        if replay is None:
            raise
        return replay, False
    return made, True


def _replay(user: User, key: str, fingerprint: str) -> Transaction | None:
    existing = Transaction.objects.filter(user=user, idempotency_key=key).first()
    if existing is not None and existing.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    return existing


def transaction_for(*, user: User, transaction_id: Any) -> Transaction:
    found = Transaction.objects.select_related("plan", "course").filter(pk=transaction_id, user=user).first()
    if found is None:
        raise NotFound("No such payment.")
    return found


# --- webhooks ----------------------------------------------------------------------------------------


def webhook_receive(*, body: bytes, headers: Mapping[str, str], provider: str | None = None) -> WebhookEvent:
    """Verifies, records and applies one webhook, exactly once: its signature first (400, nothing
    written), then one row per provider event id, written in the transaction that applies it; a
    repeat returns the first one's record."""
    chosen = providers.provider_of_webhook(headers, provider)
    return _record_and_apply(chosen.name, chosen.read_webhook(body, headers))


def _record_and_apply(provider: str, event: ProviderEvent) -> WebhookEvent:
    """Records the event once per provider event id and applies it in the same transaction; a
    repeat (``repeated`` set on it) gets the first one's record and changes nothing."""
    try:
        with transaction.atomic():
            record = WebhookEvent.objects.create(
                provider=provider, event_id=event.id[:120], type=event.type[:80], payload=event.payload
            )
            _apply(provider, event, record)
    except IntegrityError:
        existing = WebhookEvent.objects.filter(provider=provider, event_id=event.id[:120]).first()
        if existing is None:
            raise
        existing.repeated = True
        return existing
    return record


def _finish(record: WebhookEvent, outcome: str, detail: str = "", reference: str = "") -> None:
    record.outcome, record.detail, record.reference = outcome, detail[:255], reference[:120]
    record.processed_at = None if outcome == WebhookEvent.Outcome.DEFERRED else timezone.now()
    record.save(update_fields=["outcome", "detail", "reference", "processed_at"])


def _apply(provider: str, event: ProviderEvent, record: WebhookEvent) -> None:
    handler = {
        "paid": _on_paid,
        "failed": _on_failed,
        "refunded": _on_reversed,
        "disputed": _on_reversed,
        "renewed": _on_renewed,
        "renewal_failed": _on_renewal_failed,
        "subscription_ended": _on_subscription_ended,
    }.get(event.action)
    if handler is None:
        _finish(record, WebhookEvent.Outcome.IGNORED, f"{event.type} is not acted on")
        return
    handler(provider, event, record)


def _replay_deferred(provider: str, references: list[str]) -> None:
    """Applies events that came before the one they needed, oldest first."""
    references = [ref for ref in references if ref]
    if not references:
        return
    waiting = WebhookEvent.objects.select_for_update(of=("self",)).filter(
        provider=provider, outcome=WebhookEvent.Outcome.DEFERRED, reference__in=references
    )
    for record in waiting.order_by("received_at", "pk"):
        _apply(provider, providers.reread(provider, record.payload, record.event_id), record)


def _checkout_by_ref(provider: str, reference: str) -> Transaction | None:
    """The checkout an event is about, locked (None for an event that names none)."""
    if not reference:
        return None
    return (
        Transaction.objects.select_for_update(of=("self",))
        .select_related("plan", "course", "user", "subscription")
        .filter(provider=provider, provider_ref=reference)
        .first()
    )


def _on_paid(provider: str, event: ProviderEvent, record: WebhookEvent) -> None:
    paid = _checkout_by_ref(provider, event.reference)
    if paid is None:
        log.warning(
            "payments: %s event %s pays for an unknown checkout %r", provider, event.id, event.reference
        )
        _finish(record, WebhookEvent.Outcome.REJECTED, "unknown checkout", event.reference)
        return
    if paid.status != Transaction.Status.PENDING and paid.status != Transaction.Status.FAILED:
        _finish(record, WebhookEvent.Outcome.PROCESSED, f"already {paid.status}", event.reference)
        return
    if event.amount is not None and (event.amount != paid.amount or event.currency.upper() != paid.currency):
        log.error(
            "payments: %s event %s paid %s %s for transaction %s of %s %s: refused",
            provider,
            event.id,
            event.amount,
            event.currency,
            paid.pk,
            paid.amount,
            paid.currency,
        )
        _finish(
            record,
            WebhookEvent.Outcome.REJECTED,
            f"amount mismatch: {event.amount} {event.currency} for {paid.amount} {paid.currency}",
            event.reference,
        )
        return
    paid.status, paid.paid_at, paid.failure_reason = Transaction.Status.SUCCEEDED, timezone.now(), ""
    paid.provider_payment_id = event.payment_id[:120]
    paid.save(update_fields=["status", "paid_at", "failure_reason", "provider_payment_id", "updated_at"])
    subscription = _grant(paid, event)
    _issue_invoice(paid, subscription)
    _finish(record, WebhookEvent.Outcome.PROCESSED, "", event.reference)
    _replay_deferred(
        provider, [paid.provider_payment_id, subscription.provider_subscription_id if subscription else ""]
    )


def _grant(paid: Transaction, event: ProviderEvent) -> Subscription | None:
    """What a successful payment buys: the course (enrolled now), a new subscription's first
    period, or a renewal's next one."""
    now = timezone.now()
    if paid.kind == Transaction.Kind.COURSE:
        from lyceum.courses import services as course_services

        course_services.enroll(user=paid.user, course=paid.course)
        _mail(paid.user, f"Receipt: {paid.course.title}", _receipt_text(paid))
        return None
    if paid.kind == Transaction.Kind.RENEWAL:
        subscription = Subscription.objects.select_for_update(of=("self",)).get(pk=paid.subscription_id)
        _extend(subscription, event.period_end)
        _mail(paid.user, f"Renewed: {paid.plan.name}", _receipt_text(paid, subscription))
        return subscription
    # The sandbox charges its card on file each period; a provider renews only a subscription it
    # holds (a Stripe Price's): a period paid once, without one, just ends.
    renews = paid.provider == ProviderName.SANDBOX or bool(event.subscription_ref)
    subscription = Subscription.objects.create(
        user=paid.user,
        plan=paid.plan,
        status=Subscription.Status.ACTIVE,
        auto_renew=renews,
        started_at=now,
        active_until=event.period_end or now + timedelta(days=paid.plan.duration_days),
        provider=paid.provider,
        provider_subscription_id=event.subscription_ref[:100],
        provider_customer_id=event.customer_ref[:100],
    )
    paid.subscription = subscription
    paid.save(update_fields=["subscription"])
    _mail(paid.user, f"Welcome to {paid.plan.name}", _receipt_text(paid, subscription))
    return subscription


def _extend(subscription: Subscription, period_end) -> None:
    start = max(subscription.active_until or timezone.now(), timezone.now())
    until = period_end or start + timedelta(days=subscription.plan.duration_days)
    subscription.active_until = max(until, subscription.active_until or until)
    subscription.status = Subscription.Status.ACTIVE
    subscription.save(update_fields=["active_until", "status", "updated_at"])


def _on_failed(provider: str, event: ProviderEvent, record: WebhookEvent) -> None:
    failed = _checkout_by_ref(provider, event.reference)
    if failed is None:
        _finish(record, WebhookEvent.Outcome.REJECTED, "unknown checkout", event.reference)
        return
    if failed.status == Transaction.Status.PENDING:
        failed.status = Transaction.Status.FAILED
        failed.failure_reason = (event.reason or "The payment was declined.")[:255]
        failed.save(update_fields=["status", "failure_reason", "updated_at"])
        if failed.kind == Transaction.Kind.RENEWAL and failed.subscription_id:
            Subscription.objects.filter(pk=failed.subscription_id, status=Subscription.Status.ACTIVE).update(
                status=Subscription.Status.PAST_DUE
            )
        _mail(
            failed.user, "Your payment did not go through", f"{failed.description}: {failed.failure_reason}"
        )
    _finish(record, WebhookEvent.Outcome.PROCESSED, "", event.reference)


def _on_reversed(provider: str, event: ProviderEvent, record: WebhookEvent) -> None:
    """A refund or a dispute takes back what the payment bought."""
    reversed_ = (
        Transaction.objects.select_for_update(of=("self",))
        .select_related("course", "plan", "user")
        .filter(provider=provider, provider_payment_id=event.payment_id)
        .first()
        if event.payment_id
        else None
    )
    if reversed_ is None or reversed_.status == Transaction.Status.PENDING:
        _finish(record, WebhookEvent.Outcome.DEFERRED, "waiting for the payment", event.payment_id)
        return
    if reversed_.status == Transaction.Status.SUCCEEDED:
        reversed_.status = (
            Transaction.Status.REFUNDED if event.action == "refunded" else Transaction.Status.DISPUTED
        )
        reversed_.save(update_fields=["status", "updated_at"])
        if reversed_.kind == Transaction.Kind.COURSE:
            _revoke(reversed_.user, [reversed_.course])
        elif reversed_.subscription_id:
            subscription = Subscription.objects.select_for_update().get(pk=reversed_.subscription_id)
            _end(subscription, Subscription.Status.CANCELLED)
    _finish(record, WebhookEvent.Outcome.PROCESSED, "", event.payment_id)


def _end(subscription: Subscription, status: str) -> None:
    """Ends a subscription now and takes back the courses it gave."""
    subscription.status = status
    subscription.active_until = min(subscription.active_until or timezone.now(), timezone.now())
    subscription.auto_renew = False
    subscription.save(update_fields=["status", "active_until", "auto_renew", "updated_at"])
    _revoke(subscription.user, _covered_enrollments(subscription))


def _subscription_by_ref(provider: str, ref: str) -> Subscription | None:
    if not ref:
        return None
    return (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("plan", "user")
        .filter(provider=provider, provider_subscription_id=ref)
        .first()
    )


def _on_renewed(provider: str, event: ProviderEvent, record: WebhookEvent) -> None:
    subscription = _subscription_by_ref(provider, event.subscription_ref)
    if subscription is None:
        _finish(record, WebhookEvent.Outcome.DEFERRED, "waiting for the subscription", event.subscription_ref)
        return
    plan = subscription.plan
    if event.amount is not None and (event.amount != plan.price or event.currency.upper() != plan.currency):
        log.error(
            "payments: renewal %s of %s %s for %s: refused", event.id, event.amount, event.currency, plan
        )
        _finish(record, WebhookEvent.Outcome.REJECTED, "amount mismatch", event.subscription_ref)
        return
    renewal = Transaction.objects.create(
        user=subscription.user,
        kind=Transaction.Kind.RENEWAL,
        plan=plan,
        subscription=subscription,
        amount=plan.price,
        currency=plan.currency,
        status=Transaction.Status.SUCCEEDED,
        provider=provider,
        provider_ref=f"renewal:{event.id}"[:120],
        provider_payment_id=event.payment_id[:120],
        paid_at=timezone.now(),
    )
    _extend(subscription, event.period_end)
    _issue_invoice(renewal, subscription)
    _mail(subscription.user, f"Renewed: {plan.name}", _receipt_text(renewal, subscription))
    _finish(record, WebhookEvent.Outcome.PROCESSED, "", event.subscription_ref)
    _replay_deferred(provider, [renewal.provider_payment_id])


def _on_renewal_failed(provider: str, event: ProviderEvent, record: WebhookEvent) -> None:
    subscription = _subscription_by_ref(provider, event.subscription_ref)
    if subscription is None:
        _finish(record, WebhookEvent.Outcome.DEFERRED, "waiting for the subscription", event.subscription_ref)
        return
    if subscription.status == Subscription.Status.ACTIVE:
        subscription.status = Subscription.Status.PAST_DUE
        subscription.save(update_fields=["status", "updated_at"])
        _mail(
            subscription.user,
            f"{subscription.plan.name}: the renewal payment failed",
            "Your subscription stays open until the end of its period; "
            "update your payment method to keep it.",
        )
    _finish(record, WebhookEvent.Outcome.PROCESSED, "", event.subscription_ref)


def _on_subscription_ended(provider: str, event: ProviderEvent, record: WebhookEvent) -> None:
    subscription = _subscription_by_ref(provider, event.subscription_ref)
    if subscription is None:
        _finish(record, WebhookEvent.Outcome.DEFERRED, "waiting for the subscription", event.subscription_ref)
        return
    if subscription.status in Subscription.LIVE:
        _end(subscription, Subscription.Status.EXPIRED)
        _mail(subscription.user, f"{subscription.plan.name} has ended", "Your subscription has ended.")
    _finish(record, WebhookEvent.Outcome.PROCESSED, "", event.subscription_ref)


# --- invoices ------------------------------------------------------------------------------------------


def _issue_invoice(paid: Transaction, subscription: Subscription | None) -> Invoice:
    """The payment's invoice, numbered from the one locked counter row: inside the payment's
    database transaction, so a number is taken only by an invoice that is written."""
    # The row is made by the migration; made again here if a flush removed it (ON CONFLICT DO
    # NOTHING, so two payments at once cannot both make it).
    InvoiceCounter.objects.bulk_create([InvoiceCounter(name="invoice")], ignore_conflicts=True)
    counter = InvoiceCounter.objects.select_for_update().get(name="invoice")
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    user = paid.user
    line = {
        "description": paid.description,
        "quantity": 1,
        "unit_amount": str(paid.amount),
        "amount": str(paid.amount),
    }
    return Invoice.objects.create(
        number=counter.last_number,
        transaction=paid,
        subscription=subscription,
        user=user,
        lines=[line],
        subtotal=paid.amount,
        total=paid.amount,
        currency=paid.currency,
        billing_name=user.get_full_name() or user.username,
        billing_email=user.email,
    )


def _receipt_text(paid: Transaction, subscription: Subscription | None = None) -> str:
    text = f"Thank you: we received {paid.amount} {paid.currency} for {paid.description}."
    if subscription is not None and subscription.active_until:
        text += f"\nYour subscription runs until {subscription.active_until:%d %B %Y}."
    return text + f"\nYour invoices: {settings.SITE_URL}/billing/"


def _mail(user: User, subject: str, text: str) -> None:
    if user.email:
        transaction.on_commit(lambda: send_email.delay(to=user.email, subject=subject, text=text))


# --- subscriptions -----------------------------------------------------------------------------------


def subscription_cancel(*, user: User) -> Subscription:
    """Cancels at the end of the period: access stays until then, nothing renews."""
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update(of=("self",))
            .select_related("plan")
            .filter(user=user, status__in=Subscription.LIVE)
            .first()
        )
        if subscription is None:
            raise NotFound("You have no subscription to cancel.", code="no_subscription")
        if subscription.cancel_at_period_end:
            return subscription
        _cancel_at_provider(subscription)
        subscription.cancel_at_period_end, subscription.auto_renew = True, False
        subscription.save(update_fields=["cancel_at_period_end", "auto_renew", "updated_at"])
    return subscription


def _cancel_at_provider(subscription: Subscription) -> None:
    ref = subscription.provider_subscription_id
    if not ref or subscription.provider == ProviderName.SANDBOX:
        return
    try:
        if subscription.provider == ProviderName.STRIPE:
            client = providers.PROVIDERS[ProviderName.STRIPE]._client()
            client.v1.subscriptions.update(ref, params={"cancel_at_period_end": True})
        else:
            providers.PROVIDERS[ProviderName.RAZORPAY].client().subscription.cancel(
                ref, {"cancel_at_cycle_end": 1}
            )
    except Exception as error:  # nothing changes here when the provider did not take it
        raise providers.ProviderError(f"The provider did not cancel the subscription: {error}") from None


def subscriptions_sweep(*, now=None) -> dict[str, int]:
    """Run by Celery beat (and ``manage.py renew_subscriptions``): renews the sandbox's
    subscriptions due within a day (a payment and its webhook, as a provider would), and
    expires every subscription whose period is over and that will not renew, taking back what
    it gave. Stripe's and Razorpay's renewals arrive as their events; one not renewed three days
    after its period expires too."""
    now = now or timezone.now()
    renewed = expired = 0
    due = Subscription.objects.filter(
        provider=ProviderName.SANDBOX,
        status__in=Subscription.LIVE,
        auto_renew=True,
        cancel_at_period_end=False,
        active_until__lte=now + timedelta(days=1),
    ).select_related("plan", "user")
    for subscription in due:
        renewed += _sandbox_renew(subscription)
    ending = Subscription.objects.filter(status__in=Subscription.LIVE).filter(
        Q(active_until__lte=now, cancel_at_period_end=True)
        | Q(active_until__lte=now, auto_renew=False)
        | Q(active_until__lte=now - timedelta(days=3))
        | Q(active_until__lte=now, provider=ProviderName.SANDBOX, status=Subscription.Status.PAST_DUE)
    )
    for subscription_id in list(ending.values_list("pk", flat=True)):
        with transaction.atomic():
            subscription = (
                Subscription.objects.select_for_update(of=("self",))
                .select_related("plan", "user")
                .filter(pk=subscription_id, status__in=Subscription.LIVE, active_until__lte=now)
                .first()
            )
            if subscription is None:
                continue
            _end(subscription, Subscription.Status.EXPIRED)
            _mail(subscription.user, f"{subscription.plan.name} has ended", "Your subscription has ended.")
            expired += 1
    return {"renewed": renewed, "expired": expired}


def _sandbox_renew(subscription: Subscription) -> int:
    """Charges the sandbox's card on file for the next period: a pending renewal (one per
    period, by its idempotency key) and the webhook that pays it."""
    key = f"renewal:{subscription.pk}:{subscription.active_until.isoformat()}"
    try:
        with transaction.atomic():
            renewal = Transaction.objects.create(
                user=subscription.user,
                kind=Transaction.Kind.RENEWAL,
                plan=subscription.plan,
                subscription=subscription,
                amount=subscription.plan.price,
                currency=subscription.plan.currency,
                provider=ProviderName.SANDBOX,
                provider_ref=f"sbx_rn_{uuid.uuid4().hex}",
                idempotency_key=key,
                request_fingerprint=_fingerprint(renewal=subscription.pk),
            )
            sandbox_deliver(
                providers.sandbox_event(
                    "payment.succeeded",
                    reference=renewal.provider_ref,
                    payment_id=f"sbx_pi_{uuid.uuid4().hex}",
                    amount=renewal.amount,
                    currency=renewal.currency,
                    period_end=int(
                        (
                            subscription.active_until + timedelta(days=subscription.plan.duration_days)
                        ).timestamp()
                    ),
                )
            )
    except IntegrityError:  # this period was charged already
        return 0
    return 1


# --- the sandbox provider's side ----------------------------------------------------------------------


def sandbox_complete(*, user: User, transaction_id: Any, outcome: str) -> Transaction:
    """The sandbox checkout page's buttons: ``succeed``, ``decline`` or ``delay`` (paid, but
    the webhook comes a few seconds later). The provider's webhook is sent to Lyceum's webhook
    URL, signed, as any provider's would be."""
    paid = transaction_for(user=user, transaction_id=transaction_id)
    if paid.provider != ProviderName.SANDBOX:
        raise NotFound("No such sandbox checkout.")
    if paid.status != Transaction.Status.PENDING:
        raise Conflict("This checkout is already settled.", code="checkout_settled")
    if outcome not in ("succeed", "decline", "delay"):
        raise ApplicationError("Choose succeed, decline or delay.", fields={"outcome": ["Unknown outcome."]})
    if outcome == "decline":
        body = providers.sandbox_event(
            "payment.failed", reference=paid.provider_ref, reason="The card was declined (sandbox)."
        )
    else:
        data: dict[str, Any] = {
            "reference": paid.provider_ref,
            "payment_id": f"sbx_pi_{uuid.uuid4().hex}",
            "amount": paid.amount,
            "currency": paid.currency,
        }
        if paid.kind == Transaction.Kind.PLAN:
            data["subscription"] = f"sbx_sub_{uuid.uuid4().hex}"
        body = providers.sandbox_event("payment.succeeded", **data)
    sandbox_deliver(body, delay=settings.PAYMENTS_SANDBOX_DELAY_SECONDS if outcome == "delay" else 0)
    return paid


def sandbox_deliver(body: bytes, *, delay: float = 0) -> None:
    """Sends a sandbox webhook after the current transaction commits: over HTTP to
    ``SITE_URL``'s webhook (``PAYMENTS_SANDBOX_DELIVERY=http``, the default: the real path, in a
    thread of its own) or straight to ``webhook_receive`` (``inline``: tests, commands)."""
    headers = {providers.SANDBOX_HEADER: providers.sandbox_sign(body), "Content-Type": "application/json"}
    if settings.PAYMENTS_SANDBOX_DELIVERY == "inline":
        transaction.on_commit(
            lambda: webhook_receive(body=body, headers=headers, provider=ProviderName.SANDBOX)
        )
        return

    def post() -> None:
        if delay:
            threading.Event().wait(delay)
        # Signed when sent: a delayed delivery must not arrive with an old timestamp.
        sent = {**headers, providers.SANDBOX_HEADER: providers.sandbox_sign(body)}
        try:
            requests.post(
                f"{settings.SITE_URL}/api/webhook/payment/sandbox/", data=body, headers=sent, timeout=30
            ).raise_for_status()
        except requests.RequestException:
            log.exception("payments: the sandbox could not deliver its webhook to %s", settings.SITE_URL)

    transaction.on_commit(lambda: threading.Thread(target=post, daemon=True, name="sandbox-webhook").start())


def razorpay_return(
    *, user: User, transaction_id: Any, order_id: str, payment_id: str, signature: str
) -> Transaction:
    """Razorpay's checkout hands back ``order_id|payment_id`` signed with the key secret: a
    payment that verifies is applied as the webhook would (the webhook then finds it done)."""
    paid = transaction_for(user=user, transaction_id=transaction_id)
    if paid.provider != ProviderName.RAZORPAY or paid.provider_ref != order_id:
        raise NotFound("No such Razorpay checkout.")
    provider = providers.PROVIDERS[ProviderName.RAZORPAY]
    provider.verify_payment(order_id=order_id, payment_id=payment_id, signature=signature)
    event = ProviderEvent(
        id=f"return:{payment_id}",
        type="checkout.return",
        action="paid",
        reference=order_id,
        payment_id=payment_id,
        payload={"razorpay_order_id": order_id, "razorpay_payment_id": payment_id},
    )
    _record_and_apply(ProviderName.RAZORPAY, event)  # a second return changes nothing
    paid.refresh_from_db()
    return paid
