"""Request and response shapes of the quizzes API. No student-facing shape has ``is_correct``."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from ..models import Question, Quiz, QuizAttempt


class QuizSerializer(serializers.ModelSerializer):
    course = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()

    class Meta:
        model = Quiz
        fields = [
            "id",
            "title",
            "description",
            "course",
            "passing_score_percent",
            "time_limit_minutes",
            "max_attempts",
            "grading_method",
            "navigation",
            "show_answers",
            "opens_at",
            "closes_at",
            "status",
        ]

    def get_course(self, quiz: Quiz) -> dict:
        return {"id": str(quiz.course_id), "slug": quiz.course.slug, "title": quiz.course.title}

    def get_status(self, quiz: Quiz) -> dict:
        status = self.context["status"]
        return {
            "question_count": status.question_count,
            "attempts_used": status.attempts_used,
            "attempts_left": status.attempts_left,
            "in_progress_attempt_id": status.in_progress_attempt_id,
            "is_enrolled": status.is_enrolled,
            "is_open": status.is_open,
        }


class AnswerValueSerializer(serializers.Serializer):
    choices = serializers.ListField(child=serializers.UUIDField(), required=False, max_length=50)
    text = serializers.CharField(required=False, allow_blank=True, max_length=20_000, trim_whitespace=False)
    number = serializers.DecimalField(max_digits=20, decimal_places=6, required=False, allow_null=True)


class AnswersSerializer(serializers.Serializer):
    """``{"answers": {"<question id>": {"choices": [...]} | {"text": ...} | {"number": ...}}}``"""

    answers = serializers.DictField(child=AnswerValueSerializer(), allow_empty=True, required=False)

    def validate_answers(self, value):
        cleaned = {}
        for question_id, answer in value.items():
            try:
                key = str(serializers.UUIDField().to_internal_value(question_id))
            except serializers.ValidationError:
                raise serializers.ValidationError(f"{question_id!r} is not a question id.") from None
            cleaned[key] = {**answer, "choices": [str(c) for c in answer.get("choices", [])]}
        return cleaned


class StartSerializer(serializers.Serializer):
    quiz = serializers.UUIDField()


class AttemptSerializer(serializers.ModelSerializer):
    quiz = serializers.SerializerMethodField()
    questions = serializers.SerializerMethodField()
    answers_visible = serializers.SerializerMethodField()
    server_time = serializers.SerializerMethodField()

    class Meta:
        model = QuizAttempt
        fields = [
            "id",
            "quiz",
            "number",
            "status",
            "started_at",
            "deadline",
            "server_time",
            "submitted_at",
            "score",
            "max_score",
            "percent",
            "has_passed",
            "position",
            "answers_visible",
            "questions",
        ]

    def get_quiz(self, attempt: QuizAttempt) -> dict:
        return {
            "id": str(attempt.quiz_id),
            "title": attempt.quiz.title,
            "navigation": attempt.quiz.navigation,
            "passing_score_percent": attempt.quiz.passing_score_percent,
        }

    def get_questions(self, attempt: QuizAttempt) -> list:
        return self.context["sheet"]

    def get_answers_visible(self, attempt: QuizAttempt) -> bool:
        return self.context["answers_visible"]

    def get_server_time(self, attempt: QuizAttempt) -> str:
        from django.utils import timezone

        return serializers.DateTimeField().to_representation(timezone.now())


class LeaderboardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    user_id = serializers.UUIDField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    score = serializers.DecimalField(max_digits=8, decimal_places=2)
    seconds = serializers.IntegerField()


class LeaderboardSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    results = LeaderboardRowSerializer(many=True)
    me = LeaderboardRowSerializer(allow_null=True)


# --- instructor ---------------------------------------------------------------------------------


class QuizWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    module = serializers.UUIDField(required=False, allow_null=True)
    # Ranges are the model's rules (quiz_update runs them): the page and the API refuse alike.
    passing_score_percent = serializers.IntegerField(required=False)
    time_limit_minutes = serializers.IntegerField(required=False, allow_null=True)
    max_attempts = serializers.IntegerField(required=False, allow_null=True)
    grading_method = serializers.ChoiceField(Quiz.GradingMethod.choices, required=False)
    navigation = serializers.ChoiceField(Quiz.Navigation.choices, required=False)
    shuffle_questions = serializers.BooleanField(required=False)
    shuffle_choices = serializers.BooleanField(required=False)
    questions_per_attempt = serializers.IntegerField(required=False, allow_null=True)
    show_answers = serializers.ChoiceField(Quiz.ShowAnswers.choices, required=False)
    opens_at = serializers.DateTimeField(required=False, allow_null=True)
    closes_at = serializers.DateTimeField(required=False, allow_null=True)
    is_published = serializers.BooleanField(required=False)


class ChoiceWriteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=1000)
    is_correct = serializers.BooleanField(default=False)


class QuestionWriteSerializer(serializers.Serializer):
    type = serializers.ChoiceField(Question.Type.choices)
    text = serializers.CharField(max_length=20_000)
    points = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=Decimal("0.01"), required=False
    )
    explanation = serializers.CharField(required=False, allow_blank=True)
    partial_credit = serializers.BooleanField(required=False)
    accepted_answers = serializers.ListField(
        child=serializers.CharField(max_length=500), required=False, max_length=50
    )
    numeric_answer = serializers.DecimalField(
        max_digits=20, decimal_places=6, required=False, allow_null=True
    )
    numeric_tolerance = serializers.DecimalField(
        max_digits=20, decimal_places=6, min_value=Decimal("0"), required=False
    )
    choices = ChoiceWriteSerializer(many=True, required=False)


class QuestionKeySerializer(serializers.ModelSerializer):
    """The instructor's view of a question, with its key."""

    choices = serializers.SerializerMethodField()

    class Meta:
        model = Question
        fields = [
            "id",
            "type",
            "text",
            "points",
            "order",
            "explanation",
            "partial_credit",
            "accepted_answers",
            "numeric_answer",
            "numeric_tolerance",
            "choices",
        ]

    def get_choices(self, question: Question) -> list[dict]:
        return [{"id": str(c.id), "text": c.text, "is_correct": c.is_correct} for c in question.choices.all()]


class GiftImportSerializer(serializers.Serializer):
    gift = serializers.CharField(max_length=1_000_000)


class EssayGradeSerializer(serializers.Serializer):
    points = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=Decimal("0"))
    feedback = serializers.CharField(required=False, allow_blank=True, max_length=20_000)


class InstructorAttemptSerializer(serializers.ModelSerializer):
    user = serializers.SerializerMethodField()

    class Meta:
        model = QuizAttempt
        fields = [
            "id",
            "user",
            "number",
            "status",
            "started_at",
            "submitted_at",
            "score",
            "max_score",
            "percent",
            "has_passed",
        ]

    def get_user(self, attempt: QuizAttempt) -> dict:
        return {
            "id": str(attempt.user_id),
            "username": attempt.user.username,
            "display_name": attempt.user.display_name,
        }
