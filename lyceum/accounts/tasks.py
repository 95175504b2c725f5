"""Celery tasks of accounts: thin wrappers that send what the services prepared."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(*, to: str, subject: str, text: str, html: str | None = None) -> None:
    # A subject is one line: names and titles may hold newlines, which email headers may not.
    subject = " ".join(subject.split())[:250]
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


@shared_task
def flush_expired_tokens() -> int:
    from . import services

    return services.tokens_flush_expired()
