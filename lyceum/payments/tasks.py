"""Celery tasks of payments: thin wrappers over services."""

from celery import shared_task


@shared_task
def sweep_subscriptions() -> dict:
    from . import services

    return services.subscriptions_sweep()
