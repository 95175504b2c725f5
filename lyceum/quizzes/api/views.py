"""The quizzes API: thin views over the quizzes services and selectors."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.text import slugify
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lyceum.core.exceptions import NotFound
from lyceum.core.ranking import period_param
from lyceum.courses import selectors as course_selectors

from .. import selectors, services
from ..models import Question, QuizAttempt
from . import serializers as s

E400 = OpenApiResponse(description="Validation error: `error.fields` names each bad field.")
E403 = OpenApiResponse(description="Not enrolled in the quiz's course.")
E404 = OpenApiResponse(description="No such quiz or attempt, or not yours.")
E409 = OpenApiResponse(description="Closed, no attempts left, no going back, or time is up.")


def attempt_response(request: Request, attempt: QuizAttempt, code=status.HTTP_200_OK):
    review = selectors.attempt_review(attempt)
    context = {
        "request": request,
        "sheet": selectors.attempt_sheet(attempt=attempt, review=review),
        "review": review,
    }
    response = Response(s.AttemptSerializer(attempt, context=context).data, status=code)
    if (cpu_ms := getattr(attempt, "grading_cpu_ms", None)) is not None:
        # Graded in this request: what grading cost, for operators and bench/bench_exam.py.
        response["Server-Timing"] = f'grade;dur={cpu_ms:.2f};desc="grading CPU"'
    return response


class QuizDetailView(APIView):
    @extend_schema(
        responses={200: s.QuizSerializer, 404: E404},
        summary="A quiz's rules and your attempts (no questions)",
        tags=["quizzes"],
    )
    def get(self, request: Request, id) -> Response:  # the contract names it {id}
        quiz = selectors.quiz_get(viewer=request.user, quiz_id=id)
        return Response(quiz_response_data(request, [quiz])[0])


def quiz_response_data(request: Request, quizzes: list) -> list[dict]:
    """Quizzes with the caller's standing in each, in a constant number of queries."""
    user = request.user if request.user.is_authenticated else None
    context = {
        "statuses": selectors.quiz_statuses(user=user, quizzes=quizzes),
        "grades": selectors.quiz_grades(user=user, quizzes=quizzes),
    }
    return s.QuizSerializer(quizzes, many=True, context=context).data


class CourseQuizListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: s.QuizSerializer(many=True), 404: E404},
        summary="A course's published quizzes, with your standing in each",
        tags=["quizzes"],
    )
    def get(self, request: Request, id) -> Response:
        viewer = request.user if request.user.is_authenticated else None
        course = course_selectors.course_get(viewer=viewer, course_id=id, with_outline=False)
        return Response(
            quiz_response_data(request, list(selectors.course_quizzes(viewer=viewer, course=course)))
        )


class MyOpenQuizzesView(APIView):
    @extend_schema(
        responses={200: s.QuizSerializer(many=True)},
        summary="Quizzes of your courses open now with an attempt left, closing soonest first",
        tags=["quizzes"],
    )
    def get(self, request: Request) -> Response:
        return Response(quiz_response_data(request, selectors.open_quizzes(user=request.user)))


class MyQuizAttemptsView(APIView):
    @extend_schema(
        responses={200: s.AttemptSummarySerializer(many=True), 404: E404},
        summary="Your attempts at a quiz, first to last",
        tags=["quizzes"],
    )
    def get(self, request: Request, id) -> Response:
        quiz = selectors.quiz_get(viewer=request.user, quiz_id=id)
        return Response(
            s.AttemptSummarySerializer(selectors.my_attempts(user=request.user, quiz=quiz), many=True).data
        )


class AttemptStartView(APIView):
    @extend_schema(
        request=s.StartSerializer,
        responses={
            201: s.AttemptSerializer,
            200: s.AttemptSerializer,
            400: E400,
            403: E403,
            404: E404,
            409: E409,
        },
        summary="Start an attempt (or resume the one in progress)",
        tags=["quizzes"],
    )
    def post(self, request: Request) -> Response:
        serializer = s.StartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        quiz = selectors.quiz_get(viewer=request.user, quiz_id=serializer.validated_data["quiz"])
        attempt, created = services.attempt_start(user=request.user, quiz=quiz)
        return attempt_response(request, attempt, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class AttemptDetailView(APIView):
    @extend_schema(
        responses={200: s.AttemptSerializer, 404: E404},
        summary="Your attempt: questions, saved answers, and results once submitted",
        tags=["quizzes"],
    )
    def get(self, request: Request, id) -> Response:
        return attempt_response(request, selectors.attempt_get(user=request.user, attempt_id=id))


PREFER = OpenApiParameter(
    "Prefer",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    enum=["return=minimal", "return=representation"],
    description="`return=minimal` (RFC 7240): answer with the attempt's progress only (`AttemptProgress`), "
    "not the whole attempt; the response then carries `Preference-Applied: return=minimal`. Autosave "
    "clients (the quiz page) send it.",
)


def wants_minimal(request: Request) -> bool:
    """Whether the client's Prefer header asks for ``return=minimal`` (RFC 7240)."""
    preferences = {part.strip().lower() for part in request.headers.get("Prefer", "").split(",")}
    return "return=minimal" in preferences


class AttemptAnswersView(APIView):
    @extend_schema(
        request=s.AnswersSerializer,
        parameters=[PREFER],
        responses={
            200: PolymorphicProxySerializer(
                component_name="AttemptOrProgress",
                serializers=[s.AttemptSerializer, s.AttemptProgressSerializer],
                resource_type_field_name=None,
            ),
            400: E400,
            404: E404,
            409: E409,
        },
        summary="Save answers without submitting (the attempt, or its progress with Prefer: return=minimal)",
        tags=["quizzes"],
    )
    def put(self, request: Request, id) -> Response:
        serializer = s.AnswersSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answers = serializer.validated_data.get("answers", {})
        attempt = services.answers_save(user=request.user, attempt_id=id, answers=answers)
        if wants_minimal(request):
            progress = s.AttemptProgressSerializer(attempt, context={"saved": list(answers)}).data
            return Response(progress, headers={"Preference-Applied": "return=minimal"})
        return attempt_response(request, attempt)


class AttemptSubmitView(APIView):
    @extend_schema(
        request=s.AnswersSerializer,
        responses={200: s.AttemptSerializer, 400: E400, 404: E404, 409: E409},
        summary="Submit (with last answers); again returns the same result",
        tags=["quizzes"],
    )
    def post(self, request: Request, id) -> Response:
        serializer = s.AnswersSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attempt = services.attempt_submit(
            user=request.user, attempt_id=id, answers=serializer.validated_data.get("answers")
        )
        return attempt_response(request, attempt)


class LeaderboardView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "period", str, enum=["all", "week", "month"], description="attempts submitted since"
            ),
            OpenApiParameter("limit", int, description="rows of the top (1 to 100, default 20)"),
        ],
        responses={200: s.LeaderboardSerializer, 400: E400, 403: E403, 404: E404},
        summary="Best attempt per member of the course, by score then time; ties share a rank "
        "(the course's students and staff only)",
        tags=["quizzes"],
    )
    def get(self, request: Request, id) -> Response:
        quiz = selectors.quiz_get(viewer=request.user, quiz_id=id)
        try:
            limit = max(1, min(100, int(request.query_params.get("limit", 20))))
        except ValueError:
            limit = 20
        period = period_param(request.query_params.get("period"))
        rows, mine, total = selectors.quiz_leaderboard(
            quiz=quiz, viewer=request.user, limit=limit, period=period
        )
        return Response(s.LeaderboardSerializer({"total": total, "results": rows, "me": mine}).data)


# --- instructor ---------------------------------------------------------------------------------


class InstructorQuizCreateView(APIView):
    @extend_schema(
        responses={200: s.QuizSerializer(many=True), 404: E404},
        summary="Every quiz of one of your courses, drafts too",
        tags=["instructor"],
    )
    def get(self, request: Request, id) -> Response:
        course = course_selectors.managed_course(user=request.user, course_id=id)
        quizzes = list(selectors.course_quizzes(viewer=request.user, course=course, drafts=True))
        return Response(quiz_response_data(request, quizzes))

    @extend_schema(
        request=s.QuizWriteSerializer,
        responses={201: s.QuizSerializer, 400: E400, 404: E404},
        summary="Add a quiz to one of your courses",
        tags=["instructor"],
    )
    def post(self, request: Request, id) -> Response:
        course = course_selectors.managed_course(user=request.user, course_id=id)
        serializer = s.QuizWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        quiz = services.quiz_create(course=course, actor=request.user, **serializer.validated_data)
        return Response(quiz_response_data(request, [quiz])[0], status=status.HTTP_201_CREATED)


class InstructorEssayListView(generics.ListAPIView):
    serializer_class = s.EssayToGradeSerializer

    def get_queryset(self):
        quiz_id = self.request.query_params.get("quiz")
        quiz = None
        if quiz_id:
            try:
                quiz = selectors.taught_quiz(user=self.request.user, quiz_id=uuid.UUID(quiz_id))
            except ValueError:
                raise ValidationError({"quiz": ["Give a quiz id."]}) from None
        return selectors.essays_to_grade(grader=self.request.user, quiz=quiz)

    @extend_schema(
        parameters=[OpenApiParameter("quiz", OpenApiTypes.UUID, description="Only this quiz's essays.")],
        responses={200: s.EssayToGradeSerializer(many=True), 400: E400, 404: E404},
        summary="Essay answers waiting for your points (oldest first)",
        tags=["instructor"],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class InstructorQuizView(APIView):
    @extend_schema(
        responses={200: s.QuestionKeySerializer(many=True), 404: E404},
        summary="A quiz's questions with their keys",
        tags=["instructor"],
    )
    def get(self, request: Request, id) -> Response:
        quiz = selectors.managed_quiz(user=request.user, quiz_id=id)
        questions = quiz.questions.current().prefetch_related("choices").order_by("order", "id")
        return Response(s.QuestionKeySerializer(questions, many=True).data)

    @extend_schema(
        request=s.QuizWriteSerializer,
        responses={200: s.QuizSerializer, 400: E400, 404: E404},
        summary="Change a quiz's settings",
        tags=["instructor"],
    )
    def patch(self, request: Request, id) -> Response:
        quiz = selectors.managed_quiz(user=request.user, quiz_id=id)
        serializer = s.QuizWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        quiz = services.quiz_update(quiz=quiz, actor=request.user, **serializer.validated_data)
        return Response(quiz_response_data(request, [quiz])[0])


class InstructorQuestionCreateView(APIView):
    @extend_schema(
        request=s.QuestionWriteSerializer,
        responses={201: s.QuestionKeySerializer, 400: E400, 404: E404},
        summary="Add a question",
        tags=["instructor"],
    )
    def post(self, request: Request, id) -> Response:
        quiz = selectors.managed_quiz(user=request.user, quiz_id=id)
        serializer = s.QuestionWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        question = services.question_create(quiz=quiz, actor=request.user, **serializer.validated_data)
        question = Question.objects.prefetch_related("choices").get(pk=question.pk)
        return Response(s.QuestionKeySerializer(question).data, status=status.HTTP_201_CREATED)


class InstructorQuestionView(APIView):
    @extend_schema(
        request=s.QuestionWriteSerializer,
        responses={200: s.QuestionKeySerializer, 400: E400, 404: E404, 409: E409},
        summary="Change a question (once the quiz has attempts, a new version with a new id)",
        tags=["instructor"],
    )
    def patch(self, request: Request, id) -> Response:
        question = Question.objects.current().select_related("quiz", "quiz__course").filter(pk=id).first()
        if question is None:
            raise NotFound("No such question.")
        selectors.managed_quiz(user=request.user, quiz_id=question.quiz_id)
        serializer = s.QuestionWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "type" in data and data.pop("type") != question.type:
            raise ValidationError({"type": ["A question's type cannot change."]})
        question = services.question_update(question=question, actor=request.user, **data)
        question = Question.objects.prefetch_related("choices").get(pk=question.pk)
        return Response(s.QuestionKeySerializer(question).data)

    @extend_schema(
        responses={204: None, 404: E404, 409: E409}, summary="Delete a question", tags=["instructor"]
    )
    def delete(self, request: Request, id) -> Response:
        question = Question.objects.current().select_related("quiz", "quiz__course").filter(pk=id).first()
        if question is None:
            raise NotFound("No such question.")
        selectors.managed_quiz(user=request.user, quiz_id=question.quiz_id)
        services.question_delete(question=question, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InstructorGiftImportView(APIView):
    @extend_schema(
        request=s.GiftImportSerializer,
        responses={201: s.QuestionKeySerializer(many=True), 400: E400, 404: E404},
        summary="Import questions written in Moodle's GIFT format",
        tags=["instructor"],
    )
    def post(self, request: Request, id) -> Response:
        quiz = selectors.managed_quiz(user=request.user, quiz_id=id)
        serializer = s.GiftImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = services.quiz_import_gift(
            quiz=quiz, actor=request.user, source=serializer.validated_data["gift"]
        )
        questions = (
            Question.objects.filter(pk__in=[q.pk for q in created])
            .prefetch_related("choices")
            .order_by("order")
        )
        return Response(s.QuestionKeySerializer(questions, many=True).data, status=status.HTTP_201_CREATED)


class InstructorGiftExportView(APIView):
    @extend_schema(
        responses={
            (200, "text/plain"): OpenApiResponse(
                response=str, description="The quiz's current questions as a GIFT file (UTF-8)."
            ),
            404: E404,
        },
        summary="Export a quiz's questions in Moodle's GIFT format",
        tags=["instructor"],
    )
    def get(self, request: Request, id) -> HttpResponse:
        quiz = selectors.managed_quiz(user=request.user, quiz_id=id)
        response = HttpResponse(selectors.quiz_gift(quiz=quiz), content_type="text/plain; charset=utf-8")
        filename = slugify(quiz.title) or "quiz"
        response["Content-Disposition"] = f'attachment; filename="{filename}.gift.txt"'
        return response


class InstructorAttemptListView(generics.ListAPIView):
    serializer_class = s.InstructorAttemptSerializer

    def get_queryset(self):
        quiz = selectors.taught_quiz(user=self.request.user, quiz_id=self.kwargs["id"])
        attempts = QuizAttempt.objects.filter(quiz=quiz).select_related("user", "quiz")
        wanted = self.request.query_params.get("status")
        if wanted in QuizAttempt.Status.values:
            attempts = attempts.filter(status=wanted)
        return attempts.order_by("-started_at")

    @extend_schema(
        summary="Attempts at a quiz (?status=needs_grading for the essays to grade)", tags=["instructor"]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class InstructorEssayGradeView(APIView):
    @extend_schema(
        request=s.EssayGradeSerializer,
        responses={200: s.InstructorAttemptSerializer, 400: E400, 404: E404},
        summary="Grade an essay answer",
        tags=["instructor"],
    )
    def post(self, request: Request, id) -> Response:
        serializer = s.EssayGradeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attempt = services.essay_grade(answer_id=id, grader=request.user, **serializer.validated_data)
        return Response(s.InstructorAttemptSerializer(attempt).data)
