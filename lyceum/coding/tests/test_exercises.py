"""Coding exercises: instructors attach them with sample and hidden tests; submissions are graded
against every test in the sandbox; hidden tests never reach the student; passing pays points
once; the result is pushed to the student's socket."""

from __future__ import annotations

import os

import pytest
from zeal import zeal_ignore

from lyceum.coding import sandbox, services
from lyceum.coding.grading import matches
from lyceum.coding.models import CodeExercise, CodeSubmission
from lyceum.courses import services as course_services
from lyceum.courses.tests.factories import course_with_outline
from lyceum.gamification.models import PointsEntry

pytestmark = pytest.mark.django_db
ok, why = sandbox.available()
needs_sandbox = pytest.mark.skipif(not ok and not os.environ.get("CI"), reason=f"no sandbox here: {why}")

HIDDEN_INPUT = "CANARY-HIDDEN 1000000"


@pytest.fixture
def course(ines):
    return course_with_outline(instructor=ines, is_published=True, modules=1, lessons=2)


def exercise_body(course, **changes):
    return {
        "title": "Add two numbers",
        "statement": "Read two integers, print their **sum**.",
        "lesson": str(course.modules.first().lessons.first().pk),
        "languages": ["python", "c"],
        "starter_code": {"python": "a, b = map(int, input().split())\n"},
        "comparison": "whitespace",
        "points": 25,
        "is_published": True,
        "tests": [
            {"stdin": "1 2\n", "expected_stdout": "3\n", "is_sample": True},
            {"stdin": "-5 5\n", "expected_stdout": "0\n"},
            {"stdin": HIDDEN_INPUT.split()[1] + " 1\n", "expected_stdout": "1000001\n", "weight": 2},
        ],
        **changes,
    }


@pytest.fixture
def exercise(login_api, ines, course):
    reply = login_api(ines).post(
        f"/api/instructor/courses/{course.pk}/exercises/", exercise_body(course), format="json"
    )
    assert reply.status_code == 201, reply.json()
    return CodeExercise.objects.get(pk=reply.json()["id"])


@pytest.fixture
def enrolled(alice, course):
    with zeal_ignore():
        course_services.enroll(user=alice, course=course)
    return alice


def test_comparison_modes():
    assert matches("3\r\n", "3", mode="exact") and not matches("3 ", "3", mode="exact")
    assert matches("1  2\n3\n", "1 2 3", mode="whitespace") and not matches("1 2", "1 2 3", mode="whitespace")
    assert matches("0.30000000000000004 ok", "0.3 ok", mode="numeric", tolerance=1e-9)
    assert not matches("0.31 ok", "0.3 ok", mode="numeric", tolerance=1e-3)
    assert matches("1000001", "1000000", mode="numeric", tolerance=1e-6)  # relative
    assert not matches("nan", "nan1", mode="numeric") and not matches("1 2", "1", mode="numeric")


def test_a_learner_sees_the_samples_but_never_the_hidden_tests(login_api, exercise, enrolled, bob):
    reply = login_api(enrolled).get(f"/api/code/exercises/{exercise.pk}/")
    assert reply.status_code == 200
    data = reply.json()
    assert data["sample_tests"] == [{"stdin": "1 2\n", "expected_stdout": "3\n"}]
    assert data["tests_total"] == 3 and "1000000" not in reply.content.decode()
    assert "<strong>sum</strong>" in data["statement_html"]
    assert set(data["languages"]) <= {"python", "c"} and "python" in data["starter_code"]
    assert login_api(bob).get(f"/api/code/exercises/{exercise.pk}/").status_code == 404  # not enrolled


@needs_sandbox
def test_a_wrong_then_a_right_submission(
    login_api, exercise, enrolled, monkeypatch, django_capture_on_commit_callbacks
):
    pushed = []
    from lyceum.accounts import consumers

    monkeypatch.setattr(consumers, "group_send", lambda group, message: pushed.append((group, message)))
    client = login_api(enrolled)

    def submit(source):
        # Grading is a task per submission (run here, eagerly): its queries repeat by design.
        with zeal_ignore(), django_capture_on_commit_callbacks(execute=True):
            reply = client.post(
                "/api/code/submissions/",
                {"exercise": str(exercise.pk), "language": "python", "source": source},
                format="json",
            )
        assert reply.status_code == 202, reply.json()
        assert reply.json()["state"] == "queued"
        return client.get(f"/api/code/submissions/{reply.json()['id']}/").json()

    wrong = submit("a, b = map(int, input().split())\nprint(a - b)\n")
    assert (wrong["state"], wrong["verdict"], wrong["tests_passed"], wrong["score"]) == (
        "done",
        "wrong_answer",
        0,
        "0.00",
    )
    hidden = [row for row in wrong["results"] if not row["sample"]]
    assert hidden and all(
        set(row) == {"test", "sample", "verdict", "cpu_seconds", "wall_seconds", "memory_bytes"}
        for row in hidden
    )
    sample = next(row for row in wrong["results"] if row["sample"])
    assert (sample["stdin"], sample["expected"], sample["stdout"]) == ("1 2\n", "3\n", "-1\n")

    right = submit("a, b = map(int, input().split())\nprint(a + b)\n")
    assert (right["verdict"], right["tests_passed"], right["tests_total"], right["score"]) == (
        "accepted",
        3,
        3,
        "100.00",
    )
    submit("a, b = map(int, input().split())\nprint(b + a)\n")  # accepted again: paid once
    assert PointsEntry.objects.filter(user=enrolled, source=f"code:{exercise.pk}").count() == 1
    assert PointsEntry.objects.get(user=enrolled, source=f"code:{exercise.pk}").amount == 25

    assert HIDDEN_INPUT.split()[1] not in str(wrong) + str(right)
    pushed = [(g, m) for g, m in pushed if m["event"]["type"] == "code.submission"]  # not the badges
    kinds = [message["event"]["submission"]["verdict"] for _, message in pushed]
    assert kinds[:2] == ["wrong_answer", "accepted"] and all(g.endswith(str(enrolled.pk)) for g, _ in pushed)


@needs_sandbox
def test_a_crash_and_a_compile_error_are_their_verdicts(
    login_api, exercise, enrolled, django_capture_on_commit_callbacks
):
    client = login_api(enrolled)
    with zeal_ignore(), django_capture_on_commit_callbacks(execute=True):  # a grading task each
        made = client.post(
            "/api/code/submissions/batch/",
            {
                "submissions": [
                    {"exercise": str(exercise.pk), "language": "python", "source": "raise ValueError('no')"},
                    {"exercise": str(exercise.pk), "language": "c", "source": "int main(void){return x;}"},
                ]
            },
            format="json",
        )
    assert made.status_code == 202 and len(made.json()) == 2
    crashed, broken = (client.get(f"/api/code/submissions/{row['id']}/").json() for row in made.json())
    assert crashed["verdict"] == "runtime_error"
    assert "ValueError" not in str([r for r in crashed["results"] if not r["sample"]])
    assert (
        broken["verdict"] == "compile_error" and "x" in broken["compile_output"] and broken["results"] == []
    )


def test_a_batch_with_one_bad_item_queues_nothing(login_api, exercise, enrolled):
    reply = login_api(enrolled).post(
        "/api/code/submissions/batch/",
        {
            "submissions": [
                {"exercise": str(exercise.pk), "language": "python", "source": "print(1)"},
                {
                    "exercise": str(exercise.pk),
                    "language": "java",
                    "source": "class Main{}",
                },  # not allowed here
            ]
        },
        format="json",
    )
    assert (reply.status_code, reply.json()["error"]["code"]) == (400, "language_not_allowed")
    assert not CodeSubmission.objects.exists()
    too_many = login_api(enrolled).post(
        "/api/code/submissions/batch/",
        {"submissions": [{"exercise": str(exercise.pk), "language": "python", "source": "print(1)"}] * 11},
        format="json",
    )
    assert too_many.status_code == 400 and not CodeSubmission.objects.exists()


def test_submissions_are_private_to_their_author_and_the_courses_staff(
    login_api, exercise, enrolled, bob, ines
):
    submission = CodeSubmission.objects.create(
        exercise=exercise, user=enrolled, language="python", source="print(1)"
    )
    assert login_api(enrolled).get(f"/api/code/submissions/{submission.pk}/").status_code == 200
    assert login_api(ines).get(f"/api/code/submissions/{submission.pk}/").status_code == 200
    assert login_api(bob).get(f"/api/code/submissions/{submission.pk}/").status_code == 404
    assert (
        login_api(bob)
        .post(
            "/api/code/submissions/",
            {"exercise": str(exercise.pk), "language": "python", "source": "x"},
            format="json",
        )
        .status_code
        == 404
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"tests": []}, "tests"),
        ({"languages": ["cobol"]}, "languages"),
        ({"starter_code": {"cobol": "x"}}, "starter_code"),
        ({"limits": {"cpu_seconds": -1}}, "limits"),
        ({"limits": {"gpu": 1}}, "limits"),
        ({"comparison": "fuzzy"}, "comparison"),
        ({"points": 5000}, "points"),
        ({"title": ""}, "title"),
        ({"lesson": "7d1f0a52-3c1e-4a55-9d6b-1c2f0e2c9a11"}, "lesson"),
    ],
)
def test_a_bad_exercise_is_refused_whole(login_api, ines, course, changes, field):
    reply = login_api(ines).post(
        f"/api/instructor/courses/{course.pk}/exercises/", exercise_body(course, **changes), format="json"
    )
    assert reply.status_code == 400 and field in reply.json()["error"]["fields"], reply.json()
    assert not CodeExercise.objects.exists()


def test_only_the_courses_staff_edit_its_exercises(login_api, exercise, oscar, enrolled, ines):
    for outsider in (oscar, enrolled):
        client = login_api(outsider)
        assert client.get(f"/api/instructor/exercises/{exercise.pk}/").status_code == 404
        assert (
            client.patch(
                f"/api/instructor/exercises/{exercise.pk}/", {"points": 1}, format="json"
            ).status_code
            == 404
        )
        assert client.delete(f"/api/instructor/exercises/{exercise.pk}/").status_code == 404
    changed = login_api(ines).patch(
        f"/api/instructor/exercises/{exercise.pk}/",
        {"points": 40, "tests": [{"stdin": "2 2", "expected_stdout": "4", "is_sample": True}]},
        format="json",
    )
    assert changed.status_code == 200 and changed.json()["points"] == 40
    assert [t["stdin"] for t in changed.json()["tests"]] == ["2 2"]
    assert login_api(ines).delete(f"/api/instructor/exercises/{exercise.pk}/").status_code == 204


@needs_sandbox
@pytest.mark.django_db(transaction=True)
def test_the_verdict_arrives_on_the_learners_socket(ines, alice):
    from asgiref.sync import async_to_sync
    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator

    from lyceum.accounts.services import roles_ensure, tokens_issue
    from lyceum.asgi import application

    roles_ensure()  # a transactional test starts from an empty database
    course = course_with_outline(instructor=ines, is_published=True, modules=1, lessons=1)
    found = services.exercise_save(
        actor=ines,
        course=course,
        title="Echo",
        statement="Print what you read.",
        is_published=True,
        tests=[{"stdin": "hi", "expected_stdout": "hi", "is_sample": True}],
    )
    with zeal_ignore():
        course_services.enroll(user=alice, course=course)
    token = tokens_issue(user=alice)["access"]

    async def scenario():
        socket = WebsocketCommunicator(
            application, f"/ws/account/?token={token}", headers=[(b"host", b"localhost")]
        )
        await socket.connect()
        await socket.receive_json_from()  # hello
        made = await database_sync_to_async(services.submissions_create)(
            user=alice, items=[{"exercise": found.pk, "language": "python", "source": "print(input())"}]
        )
        while True:  # notifications may come first
            frame = await socket.receive_json_from(timeout=30)
            if frame["type"] == "code.submission":
                break
        await socket.disconnect()
        return made[0].pk, frame

    submission_id, frame = async_to_sync(scenario)()
    assert frame["submission"]["id"] == str(submission_id)
    assert (frame["submission"]["verdict"], frame["submission"]["tests_passed"]) == ("accepted", 1)


JS_READ = 'const [a, b] = require("fs").readFileSync(0, "utf8").trim().split(/\\s+/).map(Number);\n'
JAVA_READ = (
    "import java.util.*;public class Main{public static void main(String[] x){"
    "Scanner s=new Scanner(System.in);"
)
SUMS = {  # (right, wrong) for "print the sum of two numbers"
    "python": (
        "a, b = map(int, input().split())\nprint(a + b)",
        "a, b = map(int, input().split())\nprint(a - b)",
    ),
    "javascript": (
        JS_READ + "console.log(a + b);",
        JS_READ + "console.log(a - b);",
    ),
    "c": (
        '#include <stdio.h>\nint main(void){long a,b;scanf("%ld %ld",&a,&b);printf("%ld\\n",a+b);return 0;}',
        '#include <stdio.h>\nint main(void){long a,b;scanf("%ld %ld",&a,&b);printf("%ld\\n",a-b);return 0;}',
    ),
    "cpp": (
        "#include <iostream>\nint main(){long a,b;std::cin>>a>>b;std::cout<<a+b<<std::endl;}",
        "#include <iostream>\nint main(){long a,b;std::cin>>a>>b;std::cout<<a-b<<std::endl;}",
    ),
    "java": (
        JAVA_READ + "System.out.println(s.nextLong()+s.nextLong());}}",
        JAVA_READ + "System.out.println(s.nextLong()-s.nextLong());}}",
    ),
}


@needs_sandbox
@pytest.mark.parametrize("language", [name for name in SUMS if services.LANGUAGES[name].available])
def test_accepted_and_wrong_answer_in_every_language(ines, alice, course, language):
    found = services.exercise_save(
        actor=ines,
        course=course,
        title="Sum",
        statement="Print the sum.",
        is_published=True,
        tests=[
            {"stdin": "1 2\n", "expected_stdout": "3\n", "is_sample": True},
            {"stdin": "2000000000 2000000000\n", "expected_stdout": "4000000000\n"},
        ],
    )
    right, wrong = SUMS[language]
    verdicts = []
    for source in (right, wrong):
        submission = CodeSubmission.objects.create(
            exercise=found, user=alice, language=language, source=source
        )
        with zeal_ignore():
            graded = services.submission_grade(submission_id=submission.pk)
        verdicts.append((graded.verdict, graded.tests_passed))
    assert verdicts == [("accepted", 2), ("wrong_answer", 0)]


@pytest.mark.parametrize("size", [2, 6])
def test_the_lists_run_constant_queries(
    login_api, ines, course, enrolled, exercise, size, django_assert_num_queries
):
    for n in range(size):
        CodeSubmission.objects.create(
            exercise=exercise, user=enrolled, language="python", source=f"print({n})"
        )
        services.exercise_save(
            actor=ines, course=course, title=f"More {n}", statement="x", tests=[{"expected_stdout": "1"}]
        )
    mine, staff = login_api(enrolled), login_api(ines)
    with django_assert_num_queries(5):  # auth, exercise, staff check, enrollment, submissions
        assert len(mine.get(f"/api/code/exercises/{exercise.pk}/submissions/").json()) == size
    # auth, roles, the course as courses.selectors reads it (course, tags, modules, lessons),
    # the exercises, their tests
    with django_assert_num_queries(8):
        assert len(staff.get(f"/api/instructor/courses/{course.pk}/exercises/").json()) == size + 1
