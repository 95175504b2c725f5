"""Points leaderboards: global or one course's, all time, this week or this month.

Every board answers one read: the top page, the learner's own row and their neighbours. Two
backends give the same answer:

- ``SqlBoards`` sums the ledger (``PointsEntry``) with SQL on every read: no copy to keep, and
  the backend of the embedded default.
- ``RedisBoards`` (chosen when ``REDIS_URL`` is set; ``LEADERBOARD_BACKEND`` overrides) keeps one
  sorted set per board, written as points are earned, and reads a board in one round trip (a Lua
  script). Members are user ids; a score is minus the learner's points, so the set's natural
  order is the board's order: most points first, and within equal points by user id, as on the
  SQL backend. After each award commits, the learner's totals (read from the ledger inside the
  award, under its lock) are written with ``ZADD LT``: a write can only raise a learner's points,
  so writes arriving out of order, or twice, leave the right figure. ``manage.py
  rebuild_leaderboards`` rebuilds every board from the ledger (after a Redis flush or a ledger
  edited by hand) and swaps them in at once.

Ranks follow ``lyceum.core.ranking`` (standard competition, "1224"), as the quiz boards do.
Weeks start on Monday 00:00 UTC and months on the 1st 00:00 UTC, the same for everyone, so a
board of this week compares like with like.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from lyceum.accounts.models import User
from lyceum.core.ranking import PERIODS, competition_ranks, period_end, period_start, rank_from_ahead

from .models import PointsEntry

log = logging.getLogger(__name__)


@dataclass
class BoardRow:
    rank: int
    user_id: Any
    username: str
    display_name: str
    points: int


@dataclass
class Board:
    top: list[BoardRow]
    me: BoardRow | None
    neighbours: list[BoardRow]


@dataclass(frozen=True)
class Totals:
    """A learner's points on every board one award touches, as of that award."""

    user_id: Any
    course_id: Any
    at: dt.datetime
    points: dict[str, int]  # period -> global points; "course:<period>" -> the course's points

    @property
    def total(self) -> int:
        return self.points["all"]


def totals_of(*, user_id: Any, course_id: Any = None, at: dt.datetime | None = None) -> Totals:
    """The learner's global points (and the course's, if any) for each period, in one query."""
    at = at or timezone.now()
    sums: dict[str, Any] = {}
    for period in PERIODS:
        start = period_start(period, at)
        in_period = Q(created_at__gte=start) if start else Q()
        sums[period] = Sum("amount", filter=in_period) if start else Sum("amount")
        if course_id is not None:
            sums[f"course:{period}"] = Sum("amount", filter=in_period & Q(course_id=course_id))
    found = PointsEntry.objects.filter(user_id=user_id).aggregate(**sums)
    return Totals(user_id, course_id, at, {name: value or 0 for name, value in found.items()})


def _names(user_ids: Iterable[Any]) -> dict[str, tuple[Any, str, str]]:
    """Each user id (as text) -> (id, username, display name), in one query. On PostgreSQL the
    ids go as one array parameter: for a page of 100 rows, Django's ``IN (%s, ...)`` of 100
    parameters cost three times the query itself (bench/bench_leaderboard.py)."""
    ids = list({str(user_id) for user_id in user_ids})
    if not ids:
        return {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_NAMES_SQL, [ids])
            rows = cursor.fetchall()
    else:
        rows = User.objects.filter(pk__in=ids).values_list("pk", "username", "first_name", "last_name")
    return {
        str(pk): (pk, username, f"{first} {last}".strip() or username) for pk, username, first, last in rows
    }


_NAMES_SQL = "SELECT id, username, first_name, last_name FROM accounts_user WHERE id = ANY(%s::uuid[])"


def _rows(
    pairs: list[tuple[str, int]], ranks: list[int], names: dict[str, tuple[Any, str, str]]
) -> list[BoardRow]:
    """Board rows of (user id, points) pairs; a user deleted meanwhile keeps their place empty."""
    rows = []
    for (user_id, points), rank in zip(pairs, ranks, strict=True):
        if user_id in names:
            rows.append(BoardRow(rank, *names[user_id], points))
    return rows


# --- SQL ----------------------------------------------------------------------------------------


class SqlBoards:
    """Boards summed from the ledger on each read (grouped sums, ordered in SQL)."""

    name = "sql"

    def _totals(self, course_id: Any, period: str) -> QuerySet:
        entries = PointsEntry.objects.all()
        if course_id is not None:
            entries = entries.filter(course_id=course_id)
        start = period_start(period)
        if start is not None:
            entries = entries.filter(created_at__gte=start)
        return entries.values("user_id").annotate(points=Sum("amount")).order_by("-points", "user_id")

    def _slice(self, course_id: Any, period: str, start: int, stop: int) -> list[tuple[str, int]]:
        rows = self._totals(course_id, period)[start:stop].values_list("user_id", "points")
        return [(str(user_id), points) for user_id, points in rows]

    def _ahead(self, course_id: Any, period: str, points: int) -> int:
        return self._totals(course_id, period).filter(points__gt=points).count()

    def row_of(self, *, user: User, course_id: Any = None, period: str = "all") -> BoardRow | None:
        """The user's place (None without points on this board): rank = 1 + how many have more."""
        found = self._totals(course_id, period).filter(user_id=user.pk).values_list("points", flat=True)
        points = next(iter(found), None)
        if points is None:
            return None
        ahead = self._ahead(course_id, period, points)
        return BoardRow(rank_from_ahead(ahead), user.pk, user.username, user.display_name, points)

    def _near(
        self, user: User, mine: BoardRow, course_id: Any, period: str, around: int
    ) -> tuple[list[tuple[str, int]], list[int]]:
        """The user's row with ``around`` rows above and below, in board order, and their ranks."""
        tied_before = self._totals(course_id, period).filter(points=mine.points, user_id__lt=user.pk).count()
        position = mine.rank - 1 + tied_before
        start = max(0, position - around)
        pairs = self._slice(course_id, period, start, position + around + 1)
        first = pairs[0][1]
        ahead = mine.rank - 1 if first == mine.points else self._ahead(course_id, period, first)
        return pairs, competition_ranks([p for _, p in pairs], ahead_of_first=ahead, position=start)

    def page(
        self, *, user: User, course_id: Any = None, period: str = "all", limit: int = 100, around: int = 2
    ) -> Board:
        mine = self.row_of(user=user, course_id=course_id, period=period)
        top = self._slice(course_id, period, 0, limit)
        near, near_ranks = self._near(user, mine, course_id, period, around) if mine else ([], [])
        names = _names([u for u, _ in top] + [u for u, _ in near])  # one query for both
        return Board(
            top=_rows(top, competition_ranks([p for _, p in top]), names),
            me=mine,
            neighbours=_rows(near, near_ranks, names),
        )

    def record(self, totals: Totals) -> None:
        """Nothing to keep: the ledger is read on each request."""

    def forget_user(self, user_id: Any) -> None:
        """Nothing to keep."""


# --- Redis --------------------------------------------------------------------------------------

# KEYS[1] the board; ARGV: page size, the reader's user id ("" for none), rows around them.
# Returns {top} or {top, start, ahead, near}: top and near are flat [member, score, ...] lists,
# start is where near begins on the board, ahead how many rows are strictly ahead of near's first.
_READ = """
local top = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1, 'WITHSCORES')
if ARGV[2] == '' then return {top} end
local position = redis.call('ZRANK', KEYS[1], ARGV[2])
if not position then return {top} end
local around = tonumber(ARGV[3])
local start = math.max(0, position - around)
local near = redis.call('ZRANGE', KEYS[1], start, position + around, 'WITHSCORES')
local ahead = redis.call('ZCOUNT', KEYS[1], '-inf', '(' .. near[2])
return {top, start, ahead, near}
"""


def _pairs(flat: list[bytes]) -> list[tuple[str, int]]:
    return [(flat[i].decode(), -int(float(flat[i + 1]))) for i in range(0, len(flat), 2)]


class RedisBoards:
    """Boards kept in Redis sorted sets, one per scope and period (see the module's doc)."""

    name = "redis"
    # A board of a past week or month is kept this long after it ends, then Redis drops it.
    KEEP_AFTER_END = dt.timedelta(days=7)

    def __init__(self, url: str, prefix: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.prefix = f"{prefix}:board"
        self._read = self.client.register_script(_READ)

    def key(self, course_id: Any, period: str, at: dt.datetime | None = None) -> str:
        scope = f"course:{course_id}" if course_id is not None else "global"
        start = period_start(period, at)
        if period == "week":
            return f"{self.prefix}:{scope}:week:{start:%Y-%m-%d}"
        if period == "month":
            return f"{self.prefix}:{scope}:month:{start:%Y-%m}"
        return f"{self.prefix}:{scope}:all"

    def _expire_at(self, period: str, at: dt.datetime) -> dt.datetime | None:
        end = period_end(period, at)
        return end + self.KEEP_AFTER_END if end else None

    def record(self, totals: Totals) -> None:
        """Writes the learner's totals on every board the award touched (one round trip)."""
        pipe = self.client.pipeline(transaction=False)
        member = str(totals.user_id)
        for period in PERIODS:
            boards = [(None, totals.points[period])]
            if totals.course_id is not None:
                boards.append((totals.course_id, totals.points[f"course:{period}"]))
            for course_id, points in boards:
                if points <= 0:
                    continue
                key = self.key(course_id, period, totals.at)
                pipe.zadd(key, {member: -points}, lt=True)
                if (expire := self._expire_at(period, totals.at)) is not None:
                    pipe.expireat(key, expire)
        pipe.execute()

    def page(
        self, *, user: User, course_id: Any = None, period: str = "all", limit: int = 100, around: int = 2
    ) -> Board:
        reply = self._read(keys=[self.key(course_id, period)], args=[limit, str(user.pk), around])
        top = _pairs(reply[0])
        near = _pairs(reply[3]) if len(reply) == 4 else []
        names = _names([u for u, _ in top] + [u for u, _ in near])
        shown = Board(_rows(top, competition_ranks([p for _, p in top]), names), None, [])
        if near:
            ranks = competition_ranks(
                [p for _, p in near], ahead_of_first=int(reply[2]), position=int(reply[1])
            )
            shown.neighbours = _rows(near, ranks, names)
            shown.me = next((row for row in shown.neighbours if row.user_id == user.pk), None)
        return shown

    def forget_user(self, user_id: Any) -> None:
        """Takes a deleted learner off every board."""
        pipe = self.client.pipeline(transaction=False)
        for key in self.client.scan_iter(f"{self.prefix}:*", count=1000):
            pipe.zrem(key, str(user_id))
        pipe.execute()

    def clear(self) -> None:
        for key in self.client.scan_iter(f"{self.prefix}:*", count=1000):
            self.client.delete(key)

    def rebuild(
        self, *, batch: int = 10_000, overlap: dt.timedelta = dt.timedelta(minutes=10)
    ) -> dict[str, int]:
        """Rebuilds every board from the ledger into new keys, swaps them in at once (boards no
        longer in the ledger go), then rewrites the learners who earned points while it ran
        (their awards may have written to the boards just replaced). Returns what it wrote."""
        started = timezone.now()
        token = secrets.token_hex(4)
        staged: dict[str, str] = {}  # live key -> staging key
        written = {"boards": 0, "rows": 0}

        def stage(course_field: str | None, period: str) -> None:
            entries = PointsEntry.objects.all()
            start = period_start(period, started)
            if start is not None:
                entries = entries.filter(created_at__gte=start)
            group = ["user_id"] + ([course_field] if course_field else [])
            if course_field:
                entries = entries.filter(course_id__isnull=False)
            rows = (
                entries.values(*group).annotate(points=Sum("amount")).order_by().values_list(*group, "points")
            )
            pipe = self.client.pipeline(transaction=False)
            pending = 0
            for row in rows.iterator(chunk_size=batch):
                course_id = row[1] if course_field else None
                live = self.key(course_id, period, started)
                staging = staged.setdefault(
                    live, live.replace(self.prefix, f"{self.prefix}:rebuild-{token}", 1)
                )
                pipe.zadd(staging, {str(row[0]): -row[-1]})
                pending += 1
                written["rows"] += 1
                if pending >= batch:
                    pipe.execute()
                    pending = 0
            pipe.execute()

        try:
            for period in PERIODS:
                stage(None, period)
                stage("course_id", period)
            pipe = self.client.pipeline(transaction=True)
            live_now = {key.decode() for key in self.client.scan_iter(f"{self.prefix}:*", count=1000)}
            for live in live_now - set(staged):
                if ":rebuild-" not in live:  # another rebuild's staging keys are its own
                    pipe.delete(live)
            for live, staging in staged.items():
                pipe.rename(staging, live)
                period = "week" if ":week:" in live else "month" if ":month:" in live else "all"
                if (expire := self._expire_at(period, started)) is not None:
                    pipe.expireat(live, expire)
            pipe.execute()
        finally:
            leftovers = list(self.client.scan_iter(f"{self.prefix}:rebuild-{token}:*", count=1000))
            if leftovers:
                self.client.delete(*leftovers)
        recent = (
            PointsEntry.objects.filter(created_at__gte=started - overlap)
            .values_list("user_id", "course_id")
            .distinct()
        )
        for user_id, course_id in recent:
            self.record(totals_of(user_id=user_id, course_id=course_id))
        written["boards"] = len(staged)
        return written


# --- which backend ------------------------------------------------------------------------------

SQL = SqlBoards()
_backend: SqlBoards | RedisBoards | None = None
_backend_lock = threading.Lock()


def backend() -> SqlBoards | RedisBoards:
    global _backend
    with _backend_lock:
        if _backend is None:
            if settings.LEADERBOARD_BACKEND == "redis":
                _backend = RedisBoards(settings.REDIS_URL, settings.CACHES["default"]["KEY_PREFIX"])
            else:
                _backend = SQL
        return _backend


def rebuild_if_kept() -> None:
    """After rows were written to the ledger in bulk (demo data), rebuilds boards Redis keeps."""
    if isinstance(chosen := backend(), RedisBoards):
        chosen.rebuild()


def record(totals: Totals) -> None:
    """Writes an award's totals to the boards; a Redis outage is logged, not raised: the ledger
    has the points, and the learner's next award (or a rebuild) puts the boards right."""
    try:
        backend().record(totals)
    except Exception:
        log.exception("leaderboards: could not record the points of user %s", totals.user_id)
