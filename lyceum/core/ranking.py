"""The one ranking rule of every leaderboard (points boards on either backend, quiz boards).

Standard competition ranking ("1224"): rows with the same key share a rank, and the next rank
skips as many places as were shared, so a row's rank is 1 + the number of rows strictly ahead.
Boards hand over their rows already in board order (best first), a page of them at a time.

Boards of this week start on Monday 00:00 UTC and of this month on the 1st 00:00 UTC: the same
instant for everyone, so a board of this week compares like with like.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence

from django.utils import timezone


def competition_ranks(keys: Sequence[Hashable], *, ahead_of_first: int = 0, position: int = 0) -> list[int]:
    """The ranks of a page of rows in board order, given each row's ranking key.

    ``position`` is where the page starts on the board (0 for the top), ``ahead_of_first`` how many
    rows are strictly ahead of the page's first row (0 for the top; the first row may share its
    key with rows before the page)."""
    ranks: list[int] = []
    for index, key in enumerate(keys):
        if index == 0:
            ranks.append(ahead_of_first + 1)
        elif key == keys[index - 1]:
            ranks.append(ranks[-1])
        else:
            ranks.append(position + index + 1)
    return ranks


def rank_from_ahead(ahead: int) -> int:
    """A single row's rank from how many rows are strictly ahead of it."""
    return ahead + 1


PERIODS = ("all", "week", "month")


def period_param(value: str | None) -> str:
    """A board's ``period`` query parameter: all (when absent), week or month; else a 400."""
    from lyceum.core.exceptions import ApplicationError

    period = value or "all"
    if period not in PERIODS:
        raise ApplicationError(
            "period is all, week or month.", fields={"period": ["Choose all, week or month."]}
        )
    return period


def period_start(period: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """Boards of this week start on Monday 00:00 UTC, of this month on the 1st 00:00 UTC."""
    now = (now or timezone.now()).astimezone(dt.UTC)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        return midnight - dt.timedelta(days=midnight.weekday())
    if period == "month":
        return midnight.replace(day=1)
    return None


def period_end(period: str, now: dt.datetime | None = None) -> dt.datetime | None:
    start = period_start(period, now)
    if start is None:
        return None
    if period == "week":
        return start + dt.timedelta(days=7)
    return (start + dt.timedelta(days=32)).replace(day=1)
