"""The account emails: rendered from templates, sent by a Celery task after the transaction commits."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import User
from .tasks import send_email
from .tokens import email_verification_token


def _send(*, user: User, template: str, subject: str, context: dict) -> None:
    context = {"user": user, "site_url": settings.SITE_URL, **context}
    text = render_to_string(f"accounts/email/{template}.txt", context)
    to = user.email
    transaction.on_commit(lambda: send_email.delay(to=to, subject=subject, text=text))


def send_verification_email(*, user: User) -> None:
    token = email_verification_token(user=user)
    link = settings.SITE_URL + reverse("web:verify_email", kwargs={"token": token})
    _send(
        user=user,
        template="verify_email",
        subject="Confirm your email address for Lyceum",
        context={"link": link, "token": token},
    )


def send_password_reset_email(*, user: User) -> None:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = settings.SITE_URL + reverse("web:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    _send(
        user=user,
        template="password_reset",
        subject="Reset your Lyceum password",
        context={"link": link, "uid": uid, "token": token},
    )


def send_password_changed_email(*, user: User) -> None:
    _send(user=user, template="password_changed", subject="Your Lyceum password was changed", context={})
