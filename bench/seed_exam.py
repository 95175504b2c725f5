"""Seeds the exam-day benchmark: a published course and a 30-question quiz (BENCH_QUESTIONS), 200
enrolled students (BENCH_STUDENTS).
Prints JSON: the quiz id, each student's access token, and one right answer set per question."""

import json
import os
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from lyceum.accounts.models import Role, User, UserProfile, UserRole
from lyceum.accounts.services import roles_ensure, tokens_issue
from lyceum.courses.models import Course, CourseEnrollment, Lesson, Module
from lyceum.quizzes.models import Choice, Question, Quiz

STUDENTS = int(os.environ.get("BENCH_STUDENTS", "200"))
QUESTIONS = int(os.environ.get("BENCH_QUESTIONS", "30"))


def main() -> None:
    roles = roles_ensure()
    password = make_password("bench-password-123")
    teacher = User.objects.create(username="teacher", email="teacher@example.com", password=password)
    UserRole.objects.create(user=teacher, role=roles[Role.INSTRUCTOR])
    course = Course.objects.create(
        title="Exam course",
        slug="exam-course",
        instructor=teacher,
        is_published=True,
        published_at=timezone.now(),
        lesson_count=1,
    )
    module = Module.objects.create(course=course, title="Only module")
    Lesson.objects.create(module=module, title="Only lesson")
    quiz = Quiz.objects.create(
        course=course,
        title="Final exam",
        time_limit_minutes=60,
        max_attempts=1,
        shuffle_questions=True,
        shuffle_choices=True,
        is_published=True,
    )
    kinds = ["single", "multiple", "true_false", "short_text", "numeric"]
    right = {}
    for n in range(QUESTIONS):
        kind = kinds[n % len(kinds)]
        question = Question.objects.create(
            quiz=quiz,
            type=kind,
            text=f"Question {n + 1}",
            order=n,
            partial_credit=kind == "multiple",
            accepted_answers=[{"text": "answer", "fraction": "1", "feedback": ""}]
            if kind == "short_text"
            else [],
            numeric_answers=[{"value": str(n), "tolerance": "0", "fraction": "1", "feedback": ""}]
            if kind == "numeric"
            else [],
        )
        if kind in ("single", "multiple", "true_false"):
            count = 2 if kind == "true_false" else 4
            choices = Choice.objects.bulk_create(
                [
                    Choice(
                        question=question,
                        text=f"Choice {c}",
                        order=c,
                        fraction=Decimal("0.5")
                        if kind == "multiple" and c < 2
                        else Decimal(-0.5 if kind == "multiple" else 0)
                        if c
                        else Decimal(1),
                    )
                    for c in range(count)
                ]
            )
            right[str(question.id)] = {"choices": [str(c.id) for c in choices if c.is_correct]}
        elif kind == "short_text":
            right[str(question.id)] = {"text": "Answer"}
        else:
            right[str(question.id)] = {"number": str(n)}
    students = User.objects.bulk_create(
        [
            User(username=f"student{n}", email=f"student{n}@example.com", password=password)
            for n in range(STUDENTS)
        ]
    )
    UserProfile.objects.bulk_create([UserProfile(user=s) for s in students])
    UserRole.objects.bulk_create([UserRole(user=s, role=roles[Role.STUDENT]) for s in students])
    CourseEnrollment.objects.bulk_create([CourseEnrollment(user=s, course=course) for s in students])
    tokens = [tokens_issue(user=s)["access"] for s in students]
    print(json.dumps({"quiz": str(quiz.id), "tokens": tokens, "answers": right}))


if __name__ == "__main__":
    main()
