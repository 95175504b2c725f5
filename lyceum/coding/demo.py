"""Demo data: a coding exercise in the Python course, solvable in every available language."""

from __future__ import annotations

from lyceum.courses.models import Course

from .models import CodeExercise, CodeTest

STARTERS = {
    "python": "a, b = map(int, input().split())\n# print their sum\n",
    "javascript": 'const [a, b] = require("fs").readFileSync(0, "utf8").trim().split(/\\s+/).map(Number);\n',
    "c": (
        '#include <stdio.h>\n\nint main(void) {\n    long a, b;\n    scanf("%ld %ld", &a, &b);\n'
        "    return 0;\n}\n"
    ),
    "cpp": "#include <iostream>\n\nint main() {\n    long a, b;\n    std::cin >> a >> b;\n}\n",
    "java": (
        "import java.util.Scanner;\n\npublic class Main {\n    public static void main(String[] args) {\n"
        "        Scanner in = new Scanner(System.in);\n        long a = in.nextLong(), b = in.nextLong();\n"
        "    }\n}\n"
    ),
}
TESTS = [
    ("1 2\n", "3\n", True),
    ("40 2\n", "42\n", True),
    ("-7 7\n", "0\n", False),
    ("1000000000 2000000000\n", "3000000000\n", False),
]


def create_demo_exercise(*, course: Course) -> CodeExercise:
    """Idempotent: the exercise is made once per course."""
    lesson = course.modules.order_by("order").first().lessons.order_by("order").first()
    exercise, created = CodeExercise.objects.get_or_create(
        course=course,
        title="Add two numbers",
        defaults={
            "lesson": lesson,
            "statement": (
                "Read two whole numbers from standard input, separated by a space, and print their "
                "sum on one line.\n\nThe numbers can be as large as two billion: pick a type that "
                "holds their sum."
            ),
            "starter_code": STARTERS,
            "comparison": CodeExercise.Comparison.WHITESPACE,
            "points": 25,
            "is_published": True,
            "created_by": course.instructor,
        },
    )
    if created:
        CodeTest.objects.bulk_create(
            [
                CodeTest(exercise=exercise, order=n, stdin=stdin, expected_stdout=out, is_sample=sample)
                for n, (stdin, out, sample) in enumerate(TESTS, start=1)
            ]
        )
    return exercise
