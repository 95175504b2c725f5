"""Demo data of gamification: levels and badges (if a flushed database lacks them), a running
challenge, and a leaderboard of demo learners with points spread over the last weeks."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from lyceum.accounts.models import User
from lyceum.courses.models import Course

from . import boards
from .models import Achievement, Challenge, Level, PointsEntry, UserAchievement

LEARNERS = 24


def defaults_ensure() -> None:
    """The migration's levels and starter badges, made again if missing (a flushed database)."""
    from .migrations._seed_data import ACHIEVEMENTS, LEVELS

    for number, required, title in LEVELS:
        Level.objects.get_or_create(number=number, defaults={"points_required": required, "title": title})
    for slug, title, description, icon, rule, points in ACHIEVEMENTS:
        Achievement.objects.get_or_create(
            slug=slug,
            defaults={
                "title": title,
                "description": description,
                "icon": icon,
                "rule": rule,
                "points": points,
            },
        )


def create_demo_gamification(*, course: Course) -> dict:
    defaults_ensure()
    now = timezone.now()
    monday = (now - dt.timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    Challenge.objects.get_or_create(
        title="Three lessons this week",
        defaults={
            "description": "Complete three lessons before Sunday ends.",
            "goal": Challenge.Goal.LESSONS,
            "target": 3,
            "starts_at": monday,
            "ends_at": monday + dt.timedelta(days=7),
            "reward_points": 50,
        },
    )
    rng = random.Random(2026)  # noqa: S311 (demo data, not security)
    learners = []
    names = ["Ada", "Ben", "Chloe", "Dev", "Elif", "Femi", "Gus", "Hana", "Ivo", "Jin", "Kai", "Lena"]
    for n in range(LEARNERS):
        username = f"learner{n + 1:02d}"
        learner = User.objects.filter(username=username).first()
        if learner is None:
            learner = User.objects.create_user(
                username=username,
                email=f"{username}@lyceum.localhost",
                password=None,  # a leaderboard neighbour, not an account to sign in to
                first_name=names[n % len(names)],
                last_name=f"Demo{n + 1:02d}",
            )
        learners.append(learner)
    entries = []
    for learner in learners:
        for k in range(rng.randint(2, 12)):
            entries.append(
                PointsEntry(
                    user=learner,
                    amount=rng.choice([10, 10, 10, 20, 50]),
                    reason=PointsEntry.Reason.LESSON,
                    source=f"demo:{k}",
                    course=course,
                    created_at=now - dt.timedelta(days=rng.randint(0, 40), hours=rng.randint(0, 23)),
                )
            )
    PointsEntry.objects.bulk_create(entries, ignore_conflicts=True)
    transaction.on_commit(boards.rebuild_if_kept)  # bulk rows bypass the awards that write boards
    first = Achievement.objects.filter(slug="first-lesson").first()
    if first is not None:
        UserAchievement.objects.bulk_create(
            [UserAchievement(user=learner, achievement=first) for learner in learners], ignore_conflicts=True
        )
    return {"learners": len(learners), "challenges": Challenge.objects.count()}
