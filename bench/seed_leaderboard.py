"""Seeds the leaderboard benchmark on PostgreSQL + Redis: BENCH_LEARNERS learners (1,000,000 by
default), each with one ledger row of 1 to 5,000 points earned over the last 60 days (many ties),
written with INSERT ... SELECT from generate_series; then rebuilds the Redis boards from the
ledger (``manage.py rebuild_leaderboards``'s code) and measures how fast points events are
absorbed: ``services.award`` (lock, ledger row, totals, Redis write after commit) and the whole
``lesson_completed`` event (points, streak, achievements), each beside the floor of one bare
INSERT plus one ZINCRBY.

Prints JSON: two access tokens (a reader with no points, a learner in the middle of the board),
the board's key, the learner's id, and the timings."""

import json
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from lyceum.accounts.models import User
from lyceum.accounts.services import roles_ensure, tokens_issue
from lyceum.courses.models import Course, Lesson, Module
from lyceum.gamification import boards, services, tasks
from lyceum.gamification.demo import defaults_ensure
from lyceum.gamification.models import PointsEntry

LEARNERS = int(os.environ.get("BENCH_LEARNERS", "1000000"))
EVENTS = int(os.environ.get("BENCH_EVENTS", "1000"))


def seed_learners() -> float:
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO accounts_user (id, password, is_superuser, username, email, first_name, last_name,
                    is_active, is_staff, suspension_reason, created_at, updated_at, revoked_token_families)
                SELECT gen_random_uuid(), '!', false, 'learner' || g, 'learner' || g || '@bench.localhost',
                    'Learner', g::text, true, false, '', now(), now(), '[]'::jsonb
                FROM generate_series(1, %s) AS g""",
            [LEARNERS],
        )
        cursor.execute(
            """INSERT INTO gamification_pointsentry (user_id, amount, reason, source, created_at)
                SELECT id, 1 + floor(random() * 5000)::int, 'lesson_completed', 'bench:seed',
                    now() - random() * interval '60 days'
                FROM accounts_user WHERE email LIKE '%%@bench.localhost'"""
        )
        cursor.execute("ANALYZE accounts_user")
        cursor.execute("ANALYZE gamification_pointsentry")
    return time.perf_counter() - began


def rate(work, count: int) -> float:
    began = time.perf_counter()
    for n in range(count):
        work(n)
    return count / (time.perf_counter() - began)


def main() -> None:
    roles_ensure()
    defaults_ensure()
    backend = boards.backend()
    assert isinstance(backend, boards.RedisBoards), "the benchmark needs REDIS_URL"
    backend.clear()
    seeded = seed_learners()
    began = time.perf_counter()
    written = backend.rebuild()
    rebuilt = time.perf_counter() - began

    reader = User.objects.create_user(username="reader", email="reader@bench.localhost", password=None)
    middle = User.objects.get(username=f"learner{LEARNERS // 2}")

    # Points events: fresh learners (a learner's first awards, as on a busy exam day).
    owner = User.objects.create_user(username="teacher", email="teacher@bench.localhost", password=None)
    course = Course.objects.create(title="Bench", slug="bench", instructor=owner, is_published=True)
    module = Module.objects.create(course=course, title="M", order=1)
    lessons = [Lesson.objects.create(module=module, title=f"L{n}", order=n) for n in range(EVENTS)]
    earners = list(User.objects.filter(email__endswith="@bench.localhost").order_by("username")[:EVENTS])

    def award(n: int) -> None:
        services.award(
            user_id=earners[n].pk,
            amount=10,
            reason=PointsEntry.Reason.LESSON,
            source=f"bench-award:{n}",
            course_id=course.pk,
        )

    def lesson_event(n: int) -> None:
        tasks.lesson_completed(str(earners[n].pk), str(lessons[n].pk), str(course.pk))

    client = redis.Redis.from_url(settings.REDIS_URL)
    floor_key = f"{backend.prefix}:floor:{uuid.uuid4().hex}"

    def floor(n: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO gamification_pointsentry (user_id, amount, reason, source, created_at)"
                " VALUES (%s, 10, %s, %s, %s)",
                [earners[n].pk, "lesson_completed", f"bench-floor:{n}", timezone.now()],
            )
        client.zincrby(floor_key, -10, str(earners[n].pk))

    rates = {
        "floor": rate(floor, EVENTS),
        "award": rate(award, EVENTS),
        "lesson_completed": rate(lesson_event, EVENTS),
    }
    client.delete(floor_key)
    print(
        json.dumps(
            {
                "learners": LEARNERS,
                "seed_seconds": seeded,
                "rebuild_seconds": rebuilt,
                "rebuild_rows": written["rows"],
                "board_key": backend.key(None, "all"),
                "middle_id": str(middle.pk),
                "reader_token": tokens_issue(user=reader)["access"],
                "middle_token": tokens_issue(user=middle)["access"],
                "events": EVENTS,
                "rates": rates,
            }
        )
    )


if __name__ == "__main__":
    main()
