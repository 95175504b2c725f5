"""Demo plans for `manage.py init_data`: every paid course for a month, or one track for a quarter."""

from __future__ import annotations

from decimal import Decimal

from lyceum.courses.models import Course

from .models import Plan


def create_demo_plans() -> list[Plan]:
    monthly, _ = Plan.objects.get_or_create(
        slug="monthly",
        defaults={
            "name": "Monthly",
            "description": "Learn anything we teach, new courses included as they appear.",
            "price": Decimal("19.00"),
            "currency": "USD",
            "duration_days": 30,
            "covers_all_courses": True,
            "order": 1,
        },
    )
    track, created = Plan.objects.get_or_create(
        slug="data-science-track",
        defaults={
            "name": "Data science track",
            "description": "The data science courses for three months.",
            "price": Decimal("29.00"),
            "currency": "USD",
            "duration_days": 90,
            "covers_all_courses": False,
            "order": 2,
        },
    )
    if created:
        track.courses.set(Course.objects.filter(category__name="Data Science"))
    return [monthly, track]
