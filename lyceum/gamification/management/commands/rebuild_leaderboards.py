"""``manage.py rebuild_leaderboards``: rebuilds the Redis leaderboards from the points ledger."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from lyceum.gamification import boards


class Command(BaseCommand):
    help = (
        "Rebuilds every points leaderboard in Redis from the ledger (after a Redis flush, a restore, "
        "or points edited by hand) and swaps the new boards in at once. Safe while learners earn points."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch", type=int, default=10_000, help="rows written per Redis round trip")

    def handle(self, *args, batch: int, **options) -> None:
        backend = boards.backend()
        if not isinstance(backend, boards.RedisBoards):
            raise CommandError(
                "The leaderboards are read from the ledger (LEADERBOARD_BACKEND=sql): nothing to rebuild."
            )
        if batch < 1:
            raise CommandError("--batch must be at least 1.")
        began = time.perf_counter()
        written = backend.rebuild(batch=batch)
        self.stdout.write(
            f"Rebuilt {written['boards']} leaderboard(s), {written['rows']:,} row(s), "
            f"in {time.perf_counter() - began:.1f} s."
        )
