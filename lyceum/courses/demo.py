"""Demo courses for `manage.py init_data`: three realistic courses by the demo instructor, one of
them paid, and the demo student part-way through one."""

from __future__ import annotations

from decimal import Decimal

from lyceum.accounts.models import User

from . import services
from .models import Course, Lesson

PYTHON = {
    "title": "Python from Zero",
    "slug": "python-from-zero",
    "summary": "Write real programs in Python in your first week, no experience needed.",
    "description": (
        "Start from nothing and finish writing small, useful programs. You will learn how Python "
        "runs your code, how to store and transform data, and how to organise a program into "
        "functions you can test.\n\nEach lesson is short and ends with an exercise."
    ),
    "level": "beginner",
    "category": "Programming",
    "tags": ["Python", "Beginners"],
    "modules": [
        (
            "Getting started",
            [
                (
                    "Why Python?",
                    "Python reads like English and runs everywhere.\n\n"
                    "- Used by scientists, web developers and hobbyists\n"
                    "- A huge standard library: *batteries included*\n\n"
                    "> Beautiful is better than ugly. — The Zen of Python",
                    True,
                ),
                (
                    "Your first program",
                    'Open a terminal and type:\n\n```python\nprint("Hello, '
                    'Lyceum!")\n```\n\nRun it with `python hello.py`. You wrote a program.',
                    False,
                ),
                (
                    "Variables and types",
                    "A variable names a value:\n\n```python\nage = 30\nname = "
                    '"Ada"\nprint(f"{name} is {age}")\n```\n\n| type | example |\n|---|---|\n'
                    '| int | `42` |\n| str | `"hi"` |\n| float | `3.14` |',
                    False,
                ),
            ],
        ),
        (
            "Data and decisions",
            [
                (
                    "Lists and loops",
                    "```python\nscores = [72, 90, 85]\nfor score in scores:\n"
                    "    print(score)\n```\n\nA `for` loop visits each item once.",
                    False,
                ),
                (
                    "Conditions",
                    '```python\nif score >= 50:\n    print("pass")\nelse:\n    print("try again")\n```',
                    False,
                ),
                (
                    "Dictionaries",
                    "A dictionary maps keys to values:\n\n```python\ncapitals = "
                    '{"France": "Paris", "Japan": "Tokyo"}\nprint(capitals["Japan"])\n```',
                    False,
                ),
            ],
        ),
        (
            "Functions",
            [
                (
                    "Defining functions",
                    '```python\ndef greet(name):\n    return f"Hello, '
                    '{name}!"\n```\n\nA function gives a name to a piece of work.',
                    False,
                ),
                (
                    "Testing your functions",
                    "Check your function with `assert`:\n\n```python\n"
                    'assert greet("Ada") == "Hello, Ada!"\n```',
                    False,
                ),
            ],
        ),
    ],
}

ACCESSIBILITY = {
    "title": "Web Accessibility in Practice",
    "slug": "web-accessibility-in-practice",
    "summary": "Build pages everyone can use: keyboard, screen readers, contrast and more.",
    "description": (
        "One person in five lives with a disability. This course shows, with real pages, how to "
        "make web interfaces that work for everyone, and how to test them with a keyboard and a "
        "screen reader."
    ),
    "level": "intermediate",
    "category": "Design",
    "tags": ["Accessibility", "HTML", "CSS"],
    "modules": [
        (
            "Foundations",
            [
                (
                    "The POUR principles",
                    "Content must be **Perceivable**, **Operable**, "
                    "**Understandable** and **Robust** (WCAG 2.2).",
                    True,
                ),
                (
                    "Semantic HTML first",
                    "Use `<button>` for actions and `<a>` for navigation. "
                    "A `<div>` with a click handler is invisible to a keyboard.",
                    False,
                ),
            ],
        ),
        (
            "Testing",
            [
                (
                    "Keyboard testing",
                    "Unplug your mouse. Can you reach and use everything with "
                    "<kbd>Tab</kbd>, <kbd>Enter</kbd> and <kbd>Space</kbd>?",
                    False,
                ),
                (
                    "Colour contrast",
                    "Body text needs a contrast ratio of at least **4.5:1** against its background.",
                    False,
                ),
            ],
        ),
    ],
}

MACHINE_LEARNING = {
    "title": "Machine Learning Foundations",
    "slug": "machine-learning-foundations",
    "summary": "From linear regression to neural networks, with the mathematics explained.",
    "description": (
        "A rigorous introduction to supervised learning: models, loss functions, gradient "
        "descent, overfitting and evaluation. Includes graded projects."
    ),
    "level": "advanced",
    "category": "Data Science",
    "tags": ["Machine learning", "Python", "Statistics"],
    "price": Decimal("49.00"),
    "currency": "USD",
    "modules": [
        (
            "Linear models",
            [
                (
                    "What is learning?",
                    "A model learns a function *f* from examples (x, y) "
                    "so that f(x) ≈ y on examples it has not seen.",
                    True,
                ),
                ("Linear regression", "Minimise the mean squared error by gradient descent.", False),
            ],
        ),
        (
            "Generalisation",
            [
                ("Overfitting", "A model that memorises its training set fails on new data.", False),
            ],
        ),
    ],
}

DEMO_COURSES = [PYTHON, ACCESSIBILITY, MACHINE_LEARNING]


def create_demo_courses(*, instructor: User, student: User) -> list[Course]:
    """Creates the demo courses that do not exist yet; returns all of them."""
    courses = []
    for spec in DEMO_COURSES:
        course = Course.objects.filter(slug=spec["slug"]).first()
        if course is None:
            fields = {key: value for key, value in spec.items() if key != "modules"}
            course = services.course_create(instructor=instructor, **fields)
            for module_title, lessons in spec["modules"]:
                module = services.module_create(course=course, actor=instructor, title=module_title)
                for title, content, is_preview in lessons:
                    services.lesson_create(
                        module=module,
                        actor=instructor,
                        title=title,
                        content=content,
                        is_preview=is_preview,
                        estimated_minutes=8,
                    )
            services.course_publish(course=course, actor=instructor)
        courses.append(course)
    python = courses[0]
    services.enroll(user=student, course=python)
    for lesson in (
        Lesson.objects.filter(module__course=python)
        .select_related("module__course")
        .order_by("module__order", "order")[:2]
    ):
        services.lesson_complete(user=student, lesson=lesson, time_spent_seconds=300)
    return courses
