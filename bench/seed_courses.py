"""Seeds the benchmark database: 10,000 published courses, and one course of 50 modules of 20
lessons. Prints the big course's id. Run with the benchmark's environment."""

import os
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.utils import timezone

from lyceum.accounts import services as accounts
from lyceum.accounts.models import Role
from lyceum.courses.markdown import render_markdown
from lyceum.courses.models import Category, Course, Lesson, Module, Tag

COURSES = int(os.environ.get("BENCH_COURSES", "10000"))


def main() -> None:
    instructor = accounts.user_create(
        email="bench@example.com", username="bench", password="bench-password-123", email_verified=True
    )
    accounts.role_assign(user=instructor, role_slugs=[Role.INSTRUCTOR])
    categories = Category.objects.bulk_create(
        [Category(name=f"Category {n}", slug=f"category-{n}") for n in range(20)]
    )
    tags = Tag.objects.bulk_create([Tag(name=f"Tag {n}", slug=f"tag-{n}") for n in range(50)])
    now = timezone.now()
    words = [
        "python",
        "data",
        "design",
        "music",
        "history",
        "physics",
        "painting",
        "cooking",
        "finance",
        "law",
        "biology",
        "chess",
        "poetry",
        "statistics",
    ]
    courses = Course.objects.bulk_create(
        [
            Course(
                title=f"{words[n % len(words)].title()} course {n}",
                slug=f"course-{n}",
                summary=f"Learn {words[n % len(words)]} step by step.",
                description=f"A course about {words[n % len(words)]} and {words[(n * 7) % len(words)]}. " * 5,
                instructor=instructor,
                price=Decimal("0.00") if n % 3 else Decimal("19.99"),
                level=("beginner", "intermediate", "advanced")[n % 3],
                category=categories[n % len(categories)],
                is_published=True,
                published_at=now - timezone.timedelta(minutes=n),
                enrollment_count=(n * 37) % 1000,
                lesson_count=(n % 12) + 4,
            )
            for n in range(COURSES)
        ],
        batch_size=1000,
    )
    through = Course.tags.through
    through.objects.bulk_create(
        [
            through(course=course, tag=tags[(i + k) % len(tags)])
            for i, course in enumerate(courses)
            for k in range(2)
        ],
        batch_size=2000,
    )
    big = Course.objects.create(
        title="The big course",
        slug="the-big-course",
        instructor=instructor,
        is_published=True,
        published_at=now,
    )
    modules = Module.objects.bulk_create(
        [Module(course=big, title=f"Module {m + 1}", order=m) for m in range(50)]
    )
    html = render_markdown("A lesson with **some** text.")
    Lesson.objects.bulk_create(
        [
            Lesson(
                module=module,
                title=f"Lesson {m + 1}.{n + 1}",
                order=n,
                content="x",
                content_html=html,
                estimated_minutes=5 + n % 10,
                is_preview=n == 0,
            )
            for m, module in enumerate(modules)
            for n in range(20)
        ],
        batch_size=1000,
    )
    reader = accounts.user_create(
        email="reader@example.com", username="reader", password="reader-password-123", email_verified=True
    )
    print(big.pk, accounts.tokens_issue(user=reader)["access"])


if __name__ == "__main__":
    main()
