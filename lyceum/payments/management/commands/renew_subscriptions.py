"""Renews the sandbox's due subscriptions and expires the ones that ended (as the beat task does)."""

from django.core.management.base import BaseCommand

from lyceum.payments.services import subscriptions_sweep


class Command(BaseCommand):
    help = "Renew due sandbox subscriptions and expire ended ones (Celery beat runs this every 15 minutes)."

    def handle(self, *args, **options) -> None:
        done = subscriptions_sweep()
        self.stdout.write(f"Renewed {done['renewed']}, expired {done['expired']}.")
