"""Points leaderboards on both backends (SQL sums of the ledger; Redis sorted sets): shared ranks,
periods, neighbours, the rebuild, a Redis outage, and the two backends agreeing with each other
and with ranks worked out by hand on random ledgers.

The Redis cases need Redis and run on CI's PostgreSQL + Redis leg (REDIS_URL set)."""

from __future__ import annotations

import datetime as dt
import logging
import random
import uuid
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from zeal import zeal_ignore

from lyceum.accounts.tests.factories import UserFactory
from lyceum.courses.tests.factories import CourseFactory
from lyceum.gamification import boards, services
from lyceum.gamification.models import PointsEntry

pytestmark = pytest.mark.django_db


def _redis() -> boards.RedisBoards:
    if not settings.REDIS_URL:
        pytest.skip("the Redis leaderboards need Redis: run with REDIS_URL set (CI's second leg)")
    return boards.RedisBoards(settings.REDIS_URL, f"test-{uuid.uuid4().hex[:8]}")


@pytest.fixture(params=["sql", "redis"])
def backend(request, monkeypatch):
    """Each backend in turn, serving the boards (awards write to it after they commit)."""
    chosen = boards.SQL if request.param == "sql" else _redis()
    monkeypatch.setattr(boards, "_backend", chosen)
    yield chosen
    if isinstance(chosen, boards.RedisBoards):
        chosen.clear()


@pytest.fixture
def pay(django_capture_on_commit_callbacks):
    def award(user, amount, source, course=None) -> None:
        with zeal_ignore(), django_capture_on_commit_callbacks(execute=True):
            services.award(
                user_id=user.pk,
                amount=amount,
                reason="challenge",
                source=source,
                course_id=course.pk if course else None,
            )

    return award


def learners(*names):
    """Users whose ids sort as their names do (within equal points, boards list by user id)."""
    with zeal_ignore():
        return [UserFactory(id=uuid.UUID(int=n + 1), username=name) for n, name in enumerate(names)]


def shown(rows):
    return [(row.username, row.rank, row.points) for row in rows]


def test_ties_share_a_rank_and_the_next_rank_skips(backend, pay):
    ann, ben, cat, dan, eve, fay = learners("ann", "ben", "cat", "dan", "eve", "fay")
    for user, points in zip((ann, ben, cat, dan, eve), (50, 30, 30, 10, 10), strict=True):
        pay(user, points, "seed")

    board = backend.page(user=dan, around=1)
    assert shown(board.top) == [
        ("ann", 1, 50),
        ("ben", 2, 30),
        ("cat", 2, 30),
        ("dan", 4, 10),
        ("eve", 4, 10),
    ]
    assert (board.me.rank, board.me.points) == (4, 10)
    assert shown(board.neighbours) == [("cat", 2, 30), ("dan", 4, 10), ("eve", 4, 10)]
    # A page that starts inside a tie keeps the tie's rank.
    assert shown(backend.page(user=cat, around=0).neighbours) == [("cat", 2, 30)]
    assert shown(backend.page(user=ben, limit=2).top) == [("ann", 1, 50), ("ben", 2, 30)]
    nobody = backend.page(user=fay)
    assert (nobody.me, nobody.neighbours, len(nobody.top)) == (None, [], 5)


def test_boards_of_this_week_and_month_count_only_their_points(backend, pay, alice, bob):
    pay(alice, 100, "old")
    PointsEntry.objects.filter(user=alice).update(created_at=timezone.now() - dt.timedelta(days=40))
    if isinstance(backend, boards.RedisBoards):
        backend.rebuild()  # the ledger was edited by hand
    pay(bob, 5, "new")
    assert [row.username for row in backend.page(user=alice, period="week").top] == ["bob"]
    assert [row.username for row in backend.page(user=alice, period="month").top] == ["bob"]
    assert [row.username for row in backend.page(user=alice, period="all").top] == ["alice", "bob"]


def test_a_course_board_counts_that_courses_points(backend, pay, alice, bob):
    course, other = CourseFactory(), CourseFactory()
    pay(alice, 10, "a", course)
    pay(bob, 40, "b", other)
    pay(bob, 5, "c", course)
    assert shown(backend.page(user=alice, course_id=course.pk).top) == [("alice", 1, 10), ("bob", 2, 5)]
    assert shown(backend.page(user=alice, course_id=other.pk).top) == [("bob", 1, 40)]
    assert shown(backend.page(user=alice).top) == [("bob", 1, 45), ("alice", 2, 10)]


def test_a_deleted_learner_leaves_the_boards(backend, pay, alice, bob, django_capture_on_commit_callbacks):
    pay(alice, 10, "a")
    pay(bob, 20, "b")
    with django_capture_on_commit_callbacks(execute=True):
        bob.delete()
    assert shown(backend.page(user=alice).top) == [("alice", 1, 10)]


def _by_hand(ledger, user, course_id, period, limit, around):
    """The board worked out in Python from the ledger's rows: sums, order, competition ranks."""
    start = boards.period_start(period)
    totals: dict[str, int] = {}
    for user_id, amount, entry_course, created_at in ledger:
        if (course_id is None or entry_course == course_id) and (start is None or created_at >= start):
            totals[str(user_id)] = totals.get(str(user_id), 0) + amount
    order = sorted(totals.items(), key=lambda pair: (-pair[1], pair[0]))
    ranked = [(1 + sum(1 for p in totals.values() if p > points), u, points) for u, points in order]
    mine = next((n for n, row in enumerate(ranked) if row[1] == str(user.pk)), None)
    near = ranked[max(0, mine - around) : mine + around + 1] if mine is not None else []
    return ranked[:limit], ranked[mine] if mine is not None else None, near


def _as_tuples(board):
    rows = lambda rows: [(row.rank, str(row.user_id), row.points) for row in rows]  # noqa: E731
    me = (board.me.rank, str(board.me.user_id), board.me.points) if board.me else None
    return rows(board.top), me, rows(board.neighbours)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_two_backends_agree_on_random_ledgers(seed, pay, monkeypatch):
    redis_boards = _redis()
    rng = random.Random(seed)
    with zeal_ignore():
        people = [UserFactory(username=f"r{seed}-{n:02}") for n in range(40)]
        courses = [CourseFactory() for _ in range(3)]
    now = timezone.now()
    PointsEntry.objects.bulk_create(
        PointsEntry(
            user=rng.choice(people),
            amount=rng.choice([5, 10, 10, 20, 50]),  # few amounts: many ties
            reason="challenge",
            source=f"seed:{n}",
            course=rng.choice([*courses, None]),
            created_at=now
            - dt.timedelta(days=rng.choice([0, 0, 1, 3, 9, 20, 45, 90]), minutes=rng.randint(1, 600)),
        )
        for n in range(300)
    )
    redis_boards.rebuild()
    monkeypatch.setattr(boards, "_backend", redis_boards)
    for n in range(20):  # and awards as they happen, written to Redis after each commits
        pay(rng.choice(people), rng.choice([5, 10, 20]), f"live:{n}", rng.choice([*courses, None]))
    ledger = list(PointsEntry.objects.values_list("user_id", "amount", "course_id", "created_at"))

    try:
        for course_id in [None, *(course.pk for course in courses)]:
            for period in boards.PERIODS:
                for user in [*rng.sample(people, 6), people[0]]:
                    expected = _by_hand(ledger, user, course_id, period, limit=8, around=2)
                    for source in (boards.SQL, redis_boards):
                        got = source.page(user=user, course_id=course_id, period=period, limit=8, around=2)
                        assert _as_tuples(got) == expected, (source.name, course_id, period, user.username)
    finally:
        redis_boards.clear()


def test_reading_a_redis_board_costs_one_query(pay, alice, bob, monkeypatch, django_assert_num_queries):
    redis_boards = _redis()
    monkeypatch.setattr(boards, "_backend", redis_boards)
    try:
        for n, user in enumerate(learners(*(f"p{n}" for n in range(12)))):
            pay(user, 10 + n, f"s{n}")
        with django_assert_num_queries(1):  # the names of the rows shown
            board = redis_boards.page(user=alice)
        assert len(board.top) == 12
    finally:
        redis_boards.clear()


def test_a_late_write_never_lowers_a_learner(alice):
    redis_boards = _redis()
    now = timezone.now()
    try:
        redis_boards.record(boards.Totals(alice.pk, None, now, {"all": 50, "week": 50, "month": 50}))
        redis_boards.record(boards.Totals(alice.pk, None, now, {"all": 30, "week": 30, "month": 30}))
        assert redis_boards.page(user=alice).me.points == 50
    finally:
        redis_boards.clear()


def test_points_are_paid_while_redis_is_down(alice, pay, monkeypatch, caplog):
    monkeypatch.setattr(boards, "_backend", boards.RedisBoards("redis://127.0.0.1:1/0", "down"))
    with caplog.at_level(logging.ERROR, logger="lyceum.gamification.boards"):
        pay(alice, 10, "while-down")
    assert PointsEntry.objects.get(user=alice).amount == 10
    assert "could not record the points" in caplog.text


def test_the_rebuild_command_restores_the_boards_from_the_ledger(pay, alice, bob, monkeypatch):
    monkeypatch.setattr(boards, "_backend", boards.SQL)
    with pytest.raises(CommandError, match="nothing to rebuild"):
        call_command("rebuild_leaderboards")

    redis_boards = _redis()
    monkeypatch.setattr(boards, "_backend", redis_boards)
    try:
        course = CourseFactory()
        pay(alice, 10, "a", course)
        pay(bob, 20, "b")
        stray = redis_boards.key(uuid.uuid4(), "all")  # a board of a course deleted since
        redis_boards.client.zadd(stray, {str(alice.pk): -99})
        redis_boards.client.delete(redis_boards.key(None, "all"))  # a board lost

        out = StringIO()
        call_command("rebuild_leaderboards", stdout=out)

        assert "Rebuilt 6 leaderboard(s), 9 row(s)" in out.getvalue()
        assert shown(redis_boards.page(user=alice).top) == [("bob", 1, 20), ("alice", 2, 10)]
        assert shown(redis_boards.page(user=alice, course_id=course.pk, period="week").top) == [
            ("alice", 1, 10)
        ]
        assert not redis_boards.client.exists(stray)
        assert redis_boards.client.ttl(redis_boards.key(None, "week")) > 0  # past weeks expire
        assert redis_boards.client.ttl(redis_boards.key(None, "all")) == -1
        with pytest.raises(CommandError, match="at least 1"):
            call_command("rebuild_leaderboards", "--batch", "0")
    finally:
        redis_boards.clear()
