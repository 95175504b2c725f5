"""Notifications: other apps call ``notify`` (or this app's subscribers do on their events).

A notification is stored, pushed at once to the user's open sockets (``/ws/account/``) after the
transaction commits, and emailed from a Celery task for the kinds that warrant an email.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lyceum.accounts.consumers import push_to_user
from lyceum.accounts.models import User
from lyceum.accounts.tasks import send_email

from .models import Notification

EMAILED_KINDS = {Notification.Kind.QUIZ_GRADED, Notification.Kind.ENROLLMENT}


def _wants_email(user: User) -> bool:
    preferences = getattr(getattr(user, "profile", None), "preferences", None) or {}
    return preferences.get("email_notifications", True) and user.is_active


def notify(*, user: User, kind: str, title: str, body: str = "", link: str = "") -> Notification:
    return notify_many(users=[user], kind=kind, title=title, body=body, link=link)[0]


def notify_many(
    *, users: list[User], kind: str, title: str, body: str = "", link: str = ""
) -> list[Notification]:
    """The same notification for each of ``users``, stored in one query, each pushed to its
    user's sockets after commit and emailed if the kind warrants it."""
    notifications = Notification.objects.bulk_create(
        [
            Notification(user=user, kind=kind, title=title[:200], body=body[:2000], link=link[:500])
            for user in users
        ]
    )

    def push() -> None:
        for notification in notifications:
            push_to_user(
                notification.user_id, {"type": "notification.new", "notification": as_event(notification)}
            )

    transaction.on_commit(push)
    if kind in EMAILED_KINDS:
        text = f"{body}\n\n{settings.SITE_URL}{link}\n\n— Lyceum"
        for to in [user.email for user in users if _wants_email(user)]:
            transaction.on_commit(lambda to=to: send_email.delay(to=to, subject=title, text=text))
    return notifications


def as_event(notification: Notification) -> dict[str, Any]:
    return {
        "id": str(notification.id),
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "link": notification.link,
        "created_at": notification.created_at.isoformat(),
        "read": notification.read_at is not None,
    }


def mark_read(*, user: User, notification_ids: list[Any] | None = None) -> int:
    """Marks the given notifications (all if None) of ``user`` read; returns how many."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
