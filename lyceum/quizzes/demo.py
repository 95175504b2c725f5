"""Demo quizzes for `manage.py init_data`: one quiz in each demo course, every question type."""

from __future__ import annotations

from lyceum.accounts.models import User
from lyceum.courses.models import Course

from . import services
from .models import Quiz

GIFT = {
    "python-from-zero": """
$CATEGORY: $course$/Python from zero

::Print:: Which function shows text on the screen? {=print ~echo ~write}

::Types:: Which of these are Python types? {~%50%int ~%50%str ~%-100%integer#Python spells it int.}

::Pairs:: Match each value with its type. {=42 -> int =3.14 -> float ="hi" -> str = -> list}

::Indentation:: Python uses indentation to group statements. {T}

::Keyword:: Which keyword defines a function? {=def =def:}

::Arithmetic:: What is 7 // 2 in Python? {#
  =3#Floor division drops the fraction.
  =%50%3.5#That is 7 / 2.
  ~#Try it in the shell.
}

::Explain:: In two or three sentences, explain what a variable is. {}
""",
    "web-accessibility-in-practice": """
::Button::[markdown]Which element should a clickable action be? {
  =`<button>`#Yes: it is focusable and announced as a button.
  ~`<div>`#A div needs a role, a tab stop and key handling first.
  ~`<span>`
}

::Principles:: Which are WCAG principles? {~%50%Perceivable ~%50%Operable ~%-100%Decorative}

::Alt:: Every decorative image needs descriptive alt text. {F}

::Contrast name:: What does WCAG call the ratio of text to background colour? {=contrast ratio =contrast}

::Ratio:: The minimum contrast ratio for body text is ___:1 (AA). {#4.5:0.01}

::Audit:: Describe how you would test a form with a keyboard only. {}
""",
    "machine-learning-foundations": """
::Loss:: Which loss suits regression? {=Mean squared error ~Cross-entropy ~Hinge}

::Overfitting:: Which help against overfitting? {~%50%Regularisation ~%50%More data ~%-100%More epochs}

::Linear:: A linear model can fit any function exactly. {F}

::Descent:: Name the algorithm that follows the gradient downhill. {=gradient descent}

::Learning rate:: A typical first learning rate for SGD is 0.01; write it as a number. {#0.01:0.0001}

::Bias:: Explain the bias-variance trade-off. {}
""",
}


def create_demo_quizzes(*, instructor: User) -> list[Quiz]:
    quizzes = []
    for slug, gift in GIFT.items():
        course = Course.objects.filter(slug=slug).first()
        if course is None:
            continue
        quiz = Quiz.objects.filter(course=course, title="Check your understanding").first()
        if quiz is None:
            quiz = services.quiz_create(
                course=course,
                actor=instructor,
                title="Check your understanding",
                description="A question of each kind. Ten minutes, three attempts; the answers show once no "
                "attempt is left.",
                time_limit_minutes=10,
                max_attempts=3,
                passing_score_percent=60,
                shuffle_choices=True,
                is_published=True,
            )
            services.quiz_import_gift(quiz=quiz, actor=instructor, source=gift)
        quizzes.append(quiz)
    return quizzes


def add_demo_code_question(*, exercise, instructor: User) -> Quiz:
    """A quiz of one code question in the exercise's course, graded by the exercise's tests."""
    quiz = Quiz.objects.filter(course_id=exercise.course_id, title="Write a program").first()
    if quiz is not None:
        return quiz
    quiz = services.quiz_create(
        course=exercise.course,
        actor=instructor,
        title="Write a program",
        description="One program, run against the exercise's tests (hidden ones too) once you submit. "
        "Three attempts; everything about your run shows at once.",
        max_attempts=3,
        passing_score_percent=50,
        **{part: Quiz.Review.IMMEDIATELY for part in Quiz.REVIEW_PARTS},
        is_published=True,
    )
    services.question_create(
        quiz=quiz,
        actor=instructor,
        type="code",
        title="Sum",
        text="Write a program that reads two whole numbers from its input and prints their sum.",
        points=4,
        code_exercise=exercise.pk,
    )
    return quiz
