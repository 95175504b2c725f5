"""Domain events.

An event is a Django ``Signal`` published after the surrounding transaction commits, so subscribers
never see a write that was rolled back. Apps subscribe in their ``AppConfig.ready``; the publisher does
not know them. A failing subscriber is logged and does not undo the publisher's work.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger("lyceum.events")


class DomainEvent(Signal):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def __repr__(self) -> str:
        return f"<DomainEvent {self.name}>"


def publish(event: DomainEvent, **payload: Any) -> None:
    """Send ``event`` with ``payload`` once the current transaction commits (at once outside one)."""

    def send() -> None:
        for receiver, result in event.send_robust(sender=event.name, **payload):
            if isinstance(result, Exception):
                if getattr(settings, "EVENTS_RAISE_SUBSCRIBER_ERRORS", False):
                    raise result  # tests: a broken subscriber fails the test that triggered it
                logger.error(
                    "subscriber %r of %s failed",
                    receiver,
                    event.name,
                    exc_info=(type(result), result, result.__traceback__),
                )

    transaction.on_commit(send, robust=False)
