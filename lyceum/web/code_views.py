"""The code editor, coding exercises and their editor for instructors: thin views over
``lyceum.coding``. The pages' script (``web/static/web/code.js``) runs and submits through the
same API a mobile client uses."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from lyceum.coding import services
from lyceum.coding.api.views import learner_exercise_data
from lyceum.coding.languages import LANGUAGES
from lyceum.coding.models import CodeExercise
from lyceum.core.exceptions import ApplicationError, NotFound
from lyceum.courses import selectors as course_selectors
from lyceum.courses.models import Lesson


def _available() -> list:
    return [language for language in services.languages() if language.available]


@login_required
def code_editor(request: HttpRequest) -> HttpResponse:
    """Write a program in any installed language and run it with your own input."""
    return render(request, "web/code/editor.html", {"languages": _available()})


@login_required
def exercise(request: HttpRequest, exercise_id) -> HttpResponse:
    found = services.exercise_for_learner(user=request.user, exercise_id=exercise_id)
    data = learner_exercise_data(found)
    mine = [
        services.submission_event(row)
        for row in services.practice_submissions(user=request.user, exercise=found)[:5]
    ]
    return render(
        request,
        "web/code/exercise.html",
        {
            "exercise": found,
            "data": data,
            "languages": [language for language in _available() if language.id in data["languages"]],
            "submissions": mine,
        },
    )


# --- for a course's staff ---------------------------------------------------------------------------


class ExerciseForm(forms.Form):
    title = forms.CharField(max_length=200)
    statement = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), help_text="Markdown")
    lesson = forms.ModelChoiceField(
        queryset=Lesson.objects.none(), required=False, empty_label="(the course)"
    )
    languages = forms.MultipleChoiceField(
        choices=[(language.id, language.name) for language in LANGUAGES.values()],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every language installed.",
    )
    comparison = forms.ChoiceField(choices=CodeExercise.Comparison.choices, initial="whitespace")
    tolerance = forms.FloatField(min_value=0, max_value=1, initial=1e-6, help_text="For numeric comparison")
    points = forms.IntegerField(min_value=0, max_value=1000, initial=20)
    is_published = forms.BooleanField(required=False, label="Published")

    def __init__(self, *args, course, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lesson"].queryset = Lesson.objects.filter(module__course=course).order_by(
            "module__order", "order"
        )
        for language in LANGUAGES.values():
            self.fields[f"starter_{language.id}"] = forms.CharField(
                required=False,
                strip=False,
                label=f"Starter code: {language.name}",
                widget=forms.Textarea(attrs={"rows": 4, "class": "mono", "spellcheck": "false"}),
            )


class TestForm(forms.Form):
    stdin = forms.CharField(
        required=False, label="Input", strip=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    expected_stdout = forms.CharField(
        required=False, label="Expected output", strip=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_sample = forms.BooleanField(required=False, label="Sample (shown to students)")
    weight = forms.IntegerField(min_value=1, max_value=100, initial=1)


TestFormSet = forms.formset_factory(TestForm, extra=2, can_delete=True, max_num=100)


@login_required
def teach_exercises(request: HttpRequest, course_id) -> HttpResponse:
    course = course_selectors.managed_course(user=request.user, course_id=course_id)
    rows = CodeExercise.objects.filter(course=course).select_related("lesson")
    return render(request, "web/code/teach_list.html", {"course": course, "exercises": rows})


@login_required
def teach_exercise(request: HttpRequest, course_id, exercise_id=None) -> HttpResponse:
    """Add or change an exercise: its statement, starter code, tests (sample and hidden)."""
    course = course_selectors.managed_course(user=request.user, course_id=course_id)
    found = None
    if exercise_id is not None:
        found = CodeExercise.objects.filter(pk=exercise_id, course=course).first()
        if found is None:
            raise NotFound("No such exercise in this course.")
    initial = {}
    tests_initial = []
    if found is not None:
        initial = {
            "title": found.title,
            "statement": found.statement,
            "lesson": found.lesson_id,
            "languages": found.languages,
            "comparison": found.comparison,
            "tolerance": found.tolerance,
            "points": found.points,
            "is_published": found.is_published,
            **{f"starter_{key}": value for key, value in found.starter_code.items()},
        }
        tests_initial = [
            {
                "stdin": t.stdin,
                "expected_stdout": t.expected_stdout,
                "is_sample": t.is_sample,
                "weight": t.weight,
            }
            for t in found.tests.all()
        ]
    form = ExerciseForm(request.POST or None, course=course, initial=initial)
    tests = TestFormSet(request.POST or None, initial=tests_initial, prefix="tests")
    if request.method == "POST" and form.is_valid() and tests.is_valid():
        data = form.cleaned_data
        rows = [
            {key: row[key] for key in ("stdin", "expected_stdout", "is_sample", "weight")}
            for row in tests.cleaned_data
            if row and not row.get("DELETE") and (row.get("stdin") or row.get("expected_stdout"))
        ]
        try:
            saved = services.exercise_save(
                actor=request.user,
                course=course,
                exercise=found,
                tests=rows,
                title=data["title"],
                statement=data["statement"],
                lesson=data["lesson"],
                languages=data["languages"],
                starter_code={
                    key: data[f"starter_{key}"] for key in LANGUAGES if data.get(f"starter_{key}", "").strip()
                },
                comparison=data["comparison"],
                tolerance=data["tolerance"],
                points=data["points"],
                is_published=data["is_published"],
            )
        except (ApplicationError, ValidationError) as error:
            details = getattr(error, "fields", None) or {}
            text = "; ".join(f"{name}: {' '.join(reasons)}" for name, reasons in details.items())
            form.add_error(None, text or getattr(error, "message", None) or "; ".join(error.messages))
        else:
            messages.success(request, f"Exercise “{saved.title}” saved.")
            return redirect("web:teach_exercises", course_id=course.pk)
    return render(
        request,
        "web/code/teach_exercise.html",
        {"course": course, "exercise": found, "form": form, "tests": tests},
    )
