"""The code API: languages, a synchronous run for the editor, and the request shapes existing
clients send (Piston's v2 ``execute``/``runtimes``, and the roadmap's old executor)."""

from __future__ import annotations

import signal as signals
from dataclasses import asdict

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lyceum.core.exceptions import ApplicationError, NotFound
from lyceum.courses import selectors as course_selectors
from lyceum.courses.models import Lesson
from lyceum.courses.permissions import can_manage_course

from .. import services
from ..models import CodeExercise, CodeSubmission
from ..sandbox import RunResult, Status
from . import serializers as s

E400 = OpenApiResponse(
    description="A field is missing or wrong, or the language is unknown (`unknown_language`)."
)
E422 = OpenApiResponse(description="The language is known but not installed here (`language_unavailable`).")
E429 = OpenApiResponse(
    description="Too many runs (`throttled`, policy `code_run`) or every runner busy (`runner_busy`); "
    "see Retry-After."
)
E503 = OpenApiResponse(description="This server cannot sandbox code (`runner_unavailable`).")
ERRORS = {400: E400, 422: E422, 429: E429, 503: E503}


def _step(step) -> dict | None:
    return None if step is None else asdict(step) | {"status": str(step.status)}


def result_data(result: RunResult) -> dict:
    return {
        "status": str(result.status),
        "language": result.language,
        "version": result.version,
        "compile": _step(result.compile),
        "run": _step(result.run),
    }


class LanguagesView(APIView):
    @extend_schema(
        responses={200: s.LanguageSerializer(many=True)},
        summary="The languages the runner knows and their installed versions (available: false if missing)",
        tags=["code"],
    )
    def get(self, request: Request) -> Response:
        return Response(
            [
                {
                    "id": language.id,
                    "name": language.name,
                    "version": language.version,
                    "aliases": list(language.aliases),
                    "compiled": language.compiled,
                    "available": language.available,
                }
                for language in services.languages()
            ]
        )


def _run(request: Request, serializer, *, source: str, stdin: str, args: str | None = None):
    """Validates a run request in one of the API's shapes and runs it: (language, result)."""
    data = serializer(data=request.data)
    data.is_valid(raise_exception=True)
    values = data.validated_data
    language = services.language_for(values["language"])
    result = services.run_code(
        user=request.user,
        language=language,
        source=values[source] if source != "files" else values["files"][0]["content"],
        stdin=values[stdin],
        args=tuple(values[args]) if args else (),
    )
    return language, result


class RunView(APIView):
    @extend_schema(
        request=s.RunRequestSerializer,
        responses={200: s.RunResultSerializer, **ERRORS},
        summary="Compile and run a program with stdin in the sandbox; answers with the result (Run button)",
        tags=["code"],
    )
    def post(self, request: Request) -> Response:
        _, result = _run(request, s.RunRequestSerializer, source="source", stdin="stdin")
        return Response(result_data(result))


class LegacyExecuteView(APIView):
    @extend_schema(
        request=s.LegacyExecuteRequestSerializer,
        responses={200: s.LegacyExecuteResponseSerializer, **ERRORS},
        summary="The roadmap's old executor shape: {language, code, input} -> {output, error, statusCode}",
        tags=["code"],
    )
    def post(self, request: Request) -> Response:
        _, result = _run(request, s.LegacyExecuteRequestSerializer, source="code", stdin="input")
        if result.status == Status.COMPILE_ERROR:
            text = (result.compile.stderr + result.compile.stdout).strip()
            return Response({"output": "", "error": f"Compilation Error:\n{text}", "statusCode": 1})
        run = result.run
        limited = {
            Status.TIME_LIMIT: "Time limit exceeded",
            Status.MEMORY_LIMIT: "Memory limit exceeded",
            Status.OUTPUT_LIMIT: "Output limit exceeded",
        }
        if result.status in limited:
            error = f"{limited[result.status]}\n{run.stderr}".strip()
            return Response({"output": run.stdout, "error": error, "statusCode": -1})
        code = run.exit_code if run.exit_code is not None else 128 + (run.signal or 0)
        return Response(
            {"output": run.stdout, "error": run.stderr if code != 0 else None, "statusCode": code}
        )


def _signal_name(number: int | None) -> str | None:
    if number is None:
        return None
    try:
        return signals.Signals(number).name
    except ValueError:
        return str(number)


def _piston_stage(step) -> dict:
    return {
        "stdout": step.stdout,
        "stderr": step.stderr,
        "output": step.stdout + step.stderr,
        "code": step.exit_code,
        "signal": _signal_name(step.signal),
    }


class PistonExecuteView(APIView):
    @extend_schema(
        request=s.PistonExecuteRequestSerializer,
        responses={200: s.PistonExecuteResponseSerializer, **ERRORS},
        summary="Piston v2's execute: {language, version, files: [{content}], stdin, args} -> {run, compile}",
        description="For clients of Piston: change the base URL to `/api/code/api/v2` (a self-hosted Piston) "
        "or "
        "`/api/code/api/v2/piston` (emkc.org's) and send a bearer token. `version` is accepted as "
        "given and the installed one runs (the answer says which). One file.",
        tags=["code"],
    )
    def post(self, request: Request) -> Response:
        language, result = _run(
            request, s.PistonExecuteRequestSerializer, source="files", stdin="stdin", args="args"
        )
        body = {"language": language.id, "version": result.version}
        if result.compile is not None:
            body["compile"] = _piston_stage(result.compile)
        run = result.run
        body["run"] = (
            _piston_stage(run)
            if run is not None
            else {"stdout": "", "stderr": "", "output": "", "code": None, "signal": None}
        )
        return Response(body)


class PistonRuntimesView(APIView):
    @extend_schema(
        responses={200: s.PistonRuntimeSerializer(many=True)},
        summary="Piston v2's runtimes: the installed languages with their versions and aliases",
        tags=["code"],
    )
    def get(self, request: Request) -> Response:
        return Response(
            [
                {"language": language.id, "version": language.version, "aliases": list(language.aliases)}
                for language in services.languages()
                if language.available
            ]
        )


# --- exercises and submissions ----------------------------------------------------------------------

E404 = OpenApiResponse(description="No such exercise or submission among those you may see.")


def learner_exercise_data(exercise) -> dict:
    view = services.student_views([exercise])[exercise.pk]
    limits = services.sandbox.limits_from(exercise.limits)
    return {
        "id": str(exercise.pk),
        "course": str(exercise.course_id),
        "lesson": str(exercise.lesson_id) if exercise.lesson_id else None,
        "title": exercise.title,
        "statement": exercise.statement,
        "statement_html": view["statement_html"],
        "languages": [language.id for language in view["languages"]],
        "starter_code": view["starter_code"],
        "limits": {name: getattr(limits, name) for name in limits.__dataclass_fields__},
        "comparison": exercise.comparison,
        "points": exercise.points,
        "sample_tests": view["sample_tests"],
        "tests_total": view["tests_total"],
    }


class ExerciseView(APIView):
    @extend_schema(
        responses={200: s.ExerciseLearnerSerializer, 404: E404},
        summary="An exercise as a learner sees it: statement, starter code, sample tests (hidden: counted)",
        tags=["code"],
    )
    def get(self, request: Request, id) -> Response:
        exercise = services.exercise_for_learner(user=request.user, exercise_id=id)
        return Response(learner_exercise_data(exercise))


class ExerciseSubmissionsView(APIView):
    @extend_schema(
        responses={200: s.SubmissionSerializer(many=True), 404: E404},
        summary="Your submissions to an exercise, newest first (the last 50)",
        tags=["code"],
    )
    def get(self, request: Request, id) -> Response:
        exercise = services.exercise_for_learner(user=request.user, exercise_id=id)
        rows = services.practice_submissions(user=request.user, exercise=exercise)[:50]
        return Response([services.submission_event(row) for row in rows])


class SubmissionCreateView(APIView):
    @extend_schema(
        request=s.SubmissionCreateSerializer,
        responses={202: s.SubmissionSerializer, **ERRORS, 404: E404},
        summary="Submit a solution: graded against every test by a worker; the result is pushed to "
        "/ws/account/ as {type: code.submission} and readable at GET /api/code/submissions/{id}/",
        tags=["code"],
    )
    def post(self, request: Request) -> Response:
        data = s.SubmissionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        made = services.submissions_create(user=request.user, items=[data.validated_data])
        made[0].refresh_from_db()
        return Response(services.submission_event(made[0]), status=202)


class SubmissionBatchView(APIView):
    @extend_schema(
        request=s.SubmissionBatchSerializer,
        responses={202: s.SubmissionSerializer(many=True), **ERRORS, 404: E404},
        summary="Submit up to 10 solutions at once (all are checked before any is queued)",
        tags=["code"],
    )
    def post(self, request: Request) -> Response:
        data = s.SubmissionBatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        made = services.submissions_create(user=request.user, items=data.validated_data["submissions"])
        rows = {row.pk: row for row in CodeSubmission.objects.filter(pk__in=[m.pk for m in made])}
        return Response([services.submission_event(rows[m.pk]) for m in made], status=202)


class SubmissionView(APIView):
    @extend_schema(
        responses={200: s.SubmissionSerializer, 404: E404},
        summary="A submission and its verdicts (hidden tests show only their verdict and times)",
        tags=["code"],
    )
    def get(self, request: Request, id) -> Response:
        return Response(
            services.submission_event(services.submission_for(user=request.user, submission_id=id))
        )


# --- for a course's staff -----------------------------------------------------------------------------


def _exercise_input(request: Request, course, partial: bool = False) -> dict:
    data = s.ExerciseWriteSerializer(data=request.data, partial=partial)
    data.is_valid(raise_exception=True)
    values = dict(data.validated_data)
    if "lesson" in values:
        lesson_id = values.pop("lesson")
        lesson = Lesson.objects.select_related("module").filter(pk=lesson_id).first() if lesson_id else None
        if lesson_id and (lesson is None or lesson.module.course_id != course.pk):
            raise ApplicationError(
                "Choose a lesson of this course.", fields={"lesson": ["Not in this course."]}
            )
        values["lesson"] = lesson
    return values


class CourseExercisesView(APIView):
    @extend_schema(
        responses={200: s.ExerciseStaffSerializer(many=True), 404: E404},
        summary="A course's coding exercises, with every test",
        tags=["instructor"],
    )
    def get(self, request: Request, id) -> Response:
        course = course_selectors.managed_course(user=request.user, course_id=id)
        rows = CodeExercise.objects.filter(course=course).prefetch_related("tests")
        return Response(s.ExerciseStaffSerializer(rows, many=True).data)

    @extend_schema(
        request=s.ExerciseWriteSerializer,
        responses={201: s.ExerciseStaffSerializer, 400: E400, 404: E404},
        summary="Add a coding exercise to a course (to one of its lessons, optionally), with its tests",
        tags=["instructor"],
    )
    def post(self, request: Request, id) -> Response:
        course = course_selectors.managed_course(user=request.user, course_id=id)
        values = _exercise_input(request, course)
        exercise = services.exercise_save(actor=request.user, course=course, **values)
        return Response(s.ExerciseStaffSerializer(exercise).data, status=201)


class ExerciseStaffView(APIView):
    def _exercise(self, request: Request, id):
        exercise = CodeExercise.objects.select_related("course").filter(pk=id).first()
        if exercise is None or not can_manage_course(request.user, exercise.course):
            raise NotFound("No such exercise among your courses.")
        return exercise

    @extend_schema(
        responses={200: s.ExerciseStaffSerializer, 404: E404},
        summary="An exercise with every test",
        tags=["instructor"],
    )
    def get(self, request: Request, id) -> Response:
        return Response(s.ExerciseStaffSerializer(self._exercise(request, id)).data)

    @extend_schema(
        request=s.ExerciseWriteSerializer(partial=True),
        responses={200: s.ExerciseStaffSerializer, 400: E400, 404: E404},
        summary="Change an exercise (tests, when given, replace them all)",
        tags=["instructor"],
    )
    def patch(self, request: Request, id) -> Response:
        exercise = self._exercise(request, id)
        values = _exercise_input(request, exercise.course, partial=True)
        exercise = services.exercise_save(
            actor=request.user, course=exercise.course, exercise=exercise, **values
        )
        return Response(s.ExerciseStaffSerializer(exercise).data)

    @extend_schema(
        responses={204: None, 404: E404, 409: OpenApiResponse(description="A quiz question asks it.")},
        summary="Delete an exercise and its submissions",
        tags=["instructor"],
    )
    def delete(self, request: Request, id) -> Response:
        services.exercise_delete(exercise=self._exercise(request, id))
        return Response(status=204)
