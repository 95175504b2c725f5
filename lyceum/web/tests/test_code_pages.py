"""The code editor, an exercise page and the instructors' exercise editor, through Django's test
client (the browser flow is in tests/e2e/test_code_flow.py)."""

import pytest
from zeal import zeal_ignore

from lyceum.coding.models import CodeExercise
from lyceum.coding.services import exercise_save
from lyceum.courses import services as course_services
from lyceum.courses.tests.factories import course_with_outline

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(ines):
    return course_with_outline(instructor=ines, is_published=True, modules=1, lessons=2)


@pytest.fixture
def exercise(ines, course):
    return exercise_save(
        actor=ines,
        course=course,
        title="Double it",
        statement="Print twice the **number**.",
        lesson=course.modules.first().lessons.first(),
        is_published=True,
        starter_code={"python": "n = int(input())\n"},
        tests=[
            {"stdin": "2", "expected_stdout": "4", "is_sample": True},
            {"stdin": "SECRET-INPUT", "expected_stdout": "SECRET-OUTPUT"},
        ],
    )


def test_the_editor_page_lists_the_installed_languages(client, alice):
    assert client.get("/code/").status_code == 302
    client.force_login(alice)
    page = client.get("/code/").content.decode()
    assert 'value="python"' in page and "codemirror.min.js" in page and 'aria-label="Output"' in page


def test_an_exercise_page_shows_the_samples_and_hides_the_rest(client, alice, bob, course, exercise):
    with zeal_ignore():
        course_services.enroll(user=alice, course=course)
    client.force_login(alice)
    page = client.get(f"/code/exercises/{exercise.pk}/").content.decode()
    assert "<strong>number</strong>" in page and "<pre>2</pre>" in page and "<pre>4</pre>" in page
    assert "SECRET" not in page and "2 tests" in page
    assert "n = int(input())" in page  # the starter code, for the editor
    lesson = client.get(f"/courses/{course.slug}/lessons/{exercise.lesson_id}/").content.decode()
    assert f"/code/exercises/{exercise.pk}/" in lesson  # the lesson links its exercise
    client.force_login(bob)
    assert client.get(f"/code/exercises/{exercise.pk}/").status_code == 404


def test_an_instructor_adds_an_exercise_with_tests(client, ines, oscar, course):
    client.force_login(ines)
    url = f"/teach/courses/{course.pk}/exercises/new/"
    assert client.get(url).status_code == 200
    form = {
        "title": "Greet",
        "statement": "Say hello to the name you read.",
        "lesson": "",
        "languages": ["python", "javascript"],
        "comparison": "exact",
        "tolerance": "0.000001",
        "points": "15",
        "is_published": "on",
        "starter_python": "name = input()\n",
        "tests-TOTAL_FORMS": "2",
        "tests-INITIAL_FORMS": "0",
        "tests-MIN_NUM_FORMS": "0",
        "tests-MAX_NUM_FORMS": "100",
        "tests-0-stdin": "Ada",
        "tests-0-expected_stdout": "Hello, Ada!",
        "tests-0-is_sample": "on",
        "tests-0-weight": "1",
        "tests-1-stdin": "",
        "tests-1-expected_stdout": "",
        "tests-1-weight": "1",
    }
    empty = client.post(url, {**form, "tests-0-stdin": "", "tests-0-expected_stdout": ""}).content.decode()
    assert "Give 1 to 100 tests." in empty and not CodeExercise.objects.exists()
    saved = client.post(url, form, follow=True).content.decode()
    assert "Exercise “Greet” saved." in saved
    made = CodeExercise.objects.get(course=course)
    assert (made.languages, made.starter_code, made.points) == (
        ["python", "javascript"],
        {"python": "name = input()\n"},
        15,
    )
    assert [(t.stdin, t.expected_stdout, t.is_sample) for t in made.tests.all()] == [
        ("Ada", "Hello, Ada!", True)
    ]
    edit = client.get(f"/teach/courses/{course.pk}/exercises/{made.pk}/").content.decode()
    assert "Hello, Ada!" in edit
    client.force_login(oscar)
    assert client.get(f"/teach/courses/{course.pk}/exercises/{made.pk}/").status_code == 404
    assert client.get(url).status_code == 404
