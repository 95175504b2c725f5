"""Request and response shapes of the quizzes API. No student-facing shape has ``is_correct``."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Question, QuestionAnswer, Quiz, QuizAttempt


def _person(user) -> dict:
    """Who took an attempt, as its course's staff see it."""
    return {"id": str(user.pk), "username": user.username, "display_name": user.display_name}


class QuizStatusSerializer(serializers.Serializer):
    question_count = serializers.IntegerField()
    attempts_used = serializers.IntegerField()
    attempts_left = serializers.IntegerField(allow_null=True)
    in_progress_attempt_id = serializers.UUIDField(allow_null=True)
    is_enrolled = serializers.BooleanField()
    is_open = serializers.BooleanField()
    grade = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        allow_null=True,
        help_text="Your grade in percent, by the grading method.",
    )


class QuizSerializer(serializers.ModelSerializer):
    """A quiz's rules and the caller's standing (``status``). Context: ``status`` (one quiz) or
    ``statuses`` and ``grades`` keyed by quiz id (a list)."""

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
            "review_correctness",
            "review_points",
            "review_right_answer",
            "review_feedback",
            "shuffle_questions",
            "shuffle_choices",
            "questions_per_attempt",
            "module",
            "is_published",
            "opens_at",
            "closes_at",
            "status",
        ]

    def get_course(self, quiz: Quiz) -> dict:
        return {"id": str(quiz.course_id), "slug": quiz.course.slug, "title": quiz.course.title}

    @extend_schema_field(QuizStatusSerializer)
    def get_status(self, quiz: Quiz) -> dict:
        status = self.context["statuses"][quiz.pk] if "statuses" in self.context else self.context["status"]
        grade = self.context.get("grades", {}).get(quiz.pk)
        return QuizStatusSerializer(
            {
                "question_count": status.question_count,
                "attempts_used": status.attempts_used,
                "attempts_left": status.attempts_left,
                "in_progress_attempt_id": status.in_progress_attempt_id,
                "is_enrolled": status.is_enrolled,
                "is_open": status.is_open,
                "grade": grade,
            }
        ).data


class AttemptSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = QuizAttempt
        fields = [
            "id",
            "number",
            "status",
            "started_at",
            "submitted_at",
            "score",
            "max_score",
            "percent",
            "has_passed",
        ]


class EssayToGradeSerializer(serializers.ModelSerializer):
    """An essay answer waiting for points, or a program the runner could not run: its ``id`` is
    what ``instructor/answers/{id}/grade/`` takes."""

    attempt = serializers.SerializerMethodField()
    student = serializers.SerializerMethodField()
    question = serializers.SerializerMethodField()
    quiz = serializers.SerializerMethodField()

    class Meta:
        model = QuestionAnswer
        fields = ["id", "text_answer", "code_language", "saved_at", "attempt", "student", "question", "quiz"]

    def get_attempt(self, answer: QuestionAnswer) -> dict:
        return {
            "id": str(answer.attempt_id),
            "number": answer.attempt.number,
            "submitted_at": serializers.DateTimeField().to_representation(answer.attempt.submitted_at),
        }

    def get_student(self, answer: QuestionAnswer) -> dict:
        return _person(answer.attempt.user)

    def get_question(self, answer: QuestionAnswer) -> dict:
        question = answer.question
        return {
            "id": str(question.pk),
            "type": question.type,
            "text": question.text,
            "points": str(question.points),
        }

    def get_quiz(self, answer: QuestionAnswer) -> dict:
        quiz = answer.attempt.quiz
        return {
            "id": str(quiz.pk),
            "title": quiz.title,
            "course": {"id": str(quiz.course_id), "title": quiz.course.title},
        }


class AnswerValueSerializer(serializers.Serializer):
    choices = serializers.ListField(child=serializers.UUIDField(), required=False, max_length=50)
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=65_536,
        trim_whitespace=False,
        help_text="Short text and essays: up to 20,000 characters; code: the program, up to 64 KiB.",
    )
    language = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="Code: the program's language (an id of GET /api/code/languages/, or an alias).",
    )
    number = serializers.DecimalField(max_digits=20, decimal_places=6, required=False, allow_null=True)
    matches = serializers.DictField(
        child=serializers.CharField(max_length=1000, allow_blank=True),
        required=False,
        help_text="Matching: for each stem's id, the answer chosen among the question's options.",
    )


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


class SheetChoiceSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    text = serializers.CharField()
    text_html = serializers.CharField(help_text="The text rendered in the question's format, sanitized.")


class SheetAnswerSerializer(serializers.Serializer):
    choices = serializers.ListField(child=serializers.UUIDField())
    text = serializers.CharField(allow_blank=True)
    number = serializers.DecimalField(max_digits=20, decimal_places=6, allow_null=True)
    matches = serializers.DictField(child=serializers.CharField())
    language = serializers.CharField(allow_blank=True, help_text="Code: the program's language.")


class SheetLanguageSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    version = serializers.CharField()


class SheetSampleTestSerializer(serializers.Serializer):
    stdin = serializers.CharField(allow_blank=True)
    expected_stdout = serializers.CharField(allow_blank=True)


class SheetCodeSerializer(serializers.Serializer):
    """A code question's exercise as the student sees it: its hidden tests only counted."""

    exercise = serializers.UUIDField()
    title = serializers.CharField()
    statement_html = serializers.CharField(allow_blank=True)
    languages = SheetLanguageSerializer(many=True, help_text="The languages it takes, installed here.")
    starter_code = serializers.DictField(child=serializers.CharField(allow_blank=True))
    sample_tests = SheetSampleTestSerializer(many=True)
    tests_total = serializers.IntegerField(help_text="Every test the program runs against, hidden ones too.")


class SheetCodeResultSerializer(serializers.Serializer):
    """The run that graded a program (hidden tests: verdict and times only)."""

    state = serializers.CharField()
    verdict = serializers.CharField(allow_blank=True)
    tests_passed = serializers.IntegerField()
    tests_total = serializers.IntegerField()
    score = serializers.DecimalField(
        max_digits=5, decimal_places=2, help_text="Percent of the tests' weight."
    )
    compile_output = serializers.CharField(allow_blank=True)
    results = serializers.ListField(child=serializers.DictField())


class SheetKeySerializer(serializers.Serializer):
    choices = serializers.ListField(child=serializers.UUIDField(), help_text="Choices worth marks.")
    accepted_answers = serializers.ListField(
        child=serializers.CharField(), help_text="Short answers worth 100%."
    )
    numbers = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()), help_text="{value, tolerance} worth 100%."
    )
    matches = serializers.DictField(child=serializers.CharField(), help_text="Each stem's right answer.")


class SheetQuestionSerializer(serializers.Serializer):
    """One question of an attempt as the student sees it. After submission, ``state`` and
    ``marks`` (whether each answer was right), ``points_awarded``, ``correct`` (the key) and
    ``answer_feedback``/``explanation`` appear only as the quiz's review options allow."""

    id = serializers.UUIDField()
    number = serializers.IntegerField(allow_null=True, help_text="Null for a description.")
    type = serializers.ChoiceField(Question.Type.choices)
    title = serializers.CharField(allow_blank=True)
    text = serializers.CharField()
    text_format = serializers.ChoiceField(Question.TextFormat.choices)
    text_html = serializers.CharField()
    points = serializers.DecimalField(max_digits=6, decimal_places=2)
    choices = SheetChoiceSerializer(many=True, help_text="Choices, or a matching question's stems.")
    options = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Matching: the answers to choose from."
    )
    answer = SheetAnswerSerializer(allow_null=True)
    points_awarded = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    feedback = serializers.CharField(allow_blank=True, help_text="The instructor's comment (essays).")
    state = serializers.ChoiceField(
        ["correct", "partial", "incorrect", "unanswered", "pending"], required=False
    )
    marks = serializers.DictField(
        child=serializers.BooleanField(), required=False, help_text="For each answer given: was it right."
    )
    correct = SheetKeySerializer(required=False)
    answer_feedback = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Feedback of the answers given (HTML)."
    )
    explanation = serializers.CharField(required=False, allow_blank=True)
    explanation_html = serializers.CharField(required=False, allow_blank=True)
    code = SheetCodeSerializer(required=False, help_text="Code: the exercise.")
    code_status = serializers.ChoiceField(
        ["queued", "running", "graded", "by_hand", "not_run"],
        required=False,
        help_text="Code, after submission: where its grading is (by_hand: the runner failed, the "
        "course's staff grade it). Says nothing of the program's worth.",
    )
    code_result = SheetCodeResultSerializer(
        required=False, help_text="Code, after submission as the review allows: the run that graded it."
    )


_DATETIME = serializers.DateTimeField()


def _server_time() -> str:
    from django.utils import timezone

    return _DATETIME.to_representation(timezone.now())


class AttemptProgressSerializer(serializers.Serializer):
    """What an autosave needs back: the attempt's state, its position (sequential quizzes) and
    deadline, the server's clock, and which questions were saved."""

    id = serializers.UUIDField()
    status = serializers.ChoiceField(QuizAttempt.Status.choices)
    position = serializers.IntegerField(help_text="Sequential quizzes: the furthest question reached.")
    deadline = serializers.DateTimeField(allow_null=True)
    server_time = serializers.SerializerMethodField()
    saved = serializers.SerializerMethodField()

    def get_server_time(self, attempt: QuizAttempt) -> str:
        return _server_time()

    def get_saved(self, attempt: QuizAttempt) -> list[str]:
        """The ids of the questions whose answers this request saved."""
        return self.context.get("saved", [])


def _decimal(value: Decimal | None, places: str) -> str | None:
    return None if value is None else f"{Decimal(value).quantize(Decimal(places)):f}"


def sheet_question_json(entry: dict) -> dict:
    """One entry of ``selectors.attempt_sheet`` as SheetQuestionSerializer renders it."""
    out = {**entry, "points": _decimal(entry["points"], "0.01")}
    out["points_awarded"] = _decimal(entry["points_awarded"], "0.01")
    if entry["answer"] is not None:
        out["answer"] = {**entry["answer"], "number": _decimal(entry["answer"]["number"], "0.000001")}
    return out


class AttemptSerializer(serializers.ModelSerializer):
    quiz = serializers.SerializerMethodField()
    questions = serializers.SerializerMethodField()
    answers_visible = serializers.SerializerMethodField()
    review = serializers.SerializerMethodField()
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
            "review",
            "questions",
        ]

    def to_representation(self, attempt: QuizAttempt) -> dict:
        """The fields above, built directly: a ModelSerializer builds its fields from the model
        for every instance, a tenth of a quiz submission's CPU (py-spy on bench/bench_exam.py).
        tests/test_exam_day.py holds this equal to the generic representation."""
        return {
            "id": str(attempt.pk),
            "quiz": self.get_quiz(attempt),
            "number": attempt.number,
            "status": attempt.status,
            "started_at": _DATETIME.to_representation(attempt.started_at),
            "deadline": _DATETIME.to_representation(attempt.deadline) if attempt.deadline else None,
            "server_time": self.get_server_time(attempt),
            "submitted_at": _DATETIME.to_representation(attempt.submitted_at)
            if attempt.submitted_at
            else None,
            "score": _decimal(attempt.score, "0.01"),
            "max_score": _decimal(attempt.max_score, "0.01"),
            "percent": _decimal(attempt.percent, "0.01"),
            "has_passed": attempt.has_passed,
            "position": attempt.position,
            "answers_visible": self.get_answers_visible(attempt),
            "review": self.get_review(attempt),
            "questions": self.get_questions(attempt),
        }

    def get_quiz(self, attempt: QuizAttempt) -> dict:
        return {
            "id": str(attempt.quiz_id),
            "title": attempt.quiz.title,
            "navigation": attempt.quiz.navigation,
            "passing_score_percent": attempt.quiz.passing_score_percent,
        }

    @extend_schema_field(SheetQuestionSerializer(many=True))
    def get_questions(self, attempt: QuizAttempt) -> list:
        # The sheet is plain data already; only its decimals need the serializer's string form.
        # SheetQuestionSerializer documents it (and quizzes/tests/test_exam_day.py holds the two
        # equal): running its nested fields cost a third of a submission's CPU.
        return [sheet_question_json(entry) for entry in self.context["sheet"]]

    def get_answers_visible(self, attempt: QuizAttempt) -> bool:
        """Whether the right answers are shown (``review.right_answer``)."""
        return self.context["review"].right_answer

    def get_review(self, attempt: QuizAttempt) -> dict[str, bool]:
        """What the review shows now: whether each answer was right, the points of each
        question, the right answers, the feedback."""
        review = self.context["review"]
        return {
            "correctness": review.correctness,
            "points": review.points,
            "right_answer": review.right_answer,
            "feedback": review.feedback,
        }

    def get_server_time(self, attempt: QuizAttempt) -> str:
        return _server_time()


class LeaderboardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    user_id = serializers.UUIDField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    score = serializers.DecimalField(max_digits=8, decimal_places=2)
    seconds = serializers.IntegerField()
    provisional = serializers.BooleanField(help_text="Essays still await grading: the rank may change.")


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
    review_correctness = serializers.ChoiceField(Quiz.Review.choices, required=False)
    review_points = serializers.ChoiceField(Quiz.Review.choices, required=False)
    review_right_answer = serializers.ChoiceField(Quiz.Review.choices, required=False)
    review_feedback = serializers.ChoiceField(Quiz.Review.choices, required=False)
    opens_at = serializers.DateTimeField(required=False, allow_null=True)
    closes_at = serializers.DateTimeField(required=False, allow_null=True)
    is_published = serializers.BooleanField(required=False)


class ChoiceWriteSerializer(serializers.Serializer):
    """A choice (``text`` with ``fraction``, or just ``is_correct``) or a matching pair (``text``
    the stem, blank for an extra wrong answer; ``match_text`` its answer)."""

    text = serializers.CharField(max_length=1000, allow_blank=True)
    is_correct = serializers.BooleanField(required=False)
    fraction = serializers.DecimalField(
        max_digits=8, decimal_places=7, min_value=Decimal("-1"), max_value=Decimal("1"), required=False
    )
    feedback = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    match_text = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class ShortAnswerSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=500)
    fraction = serializers.DecimalField(
        max_digits=8, decimal_places=7, min_value=Decimal("0"), max_value=Decimal("1"), default=Decimal(1)
    )
    feedback = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


@extend_schema_field(ShortAnswerSerializer)
class AcceptedAnswerField(serializers.Field):
    """An accepted answer: ``{"text", "fraction", "feedback"}``, or a bare string worth 100%."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = {"text": data}
        if not isinstance(data, dict):
            raise serializers.ValidationError("Give a string or {text, fraction, feedback}.")
        answer = ShortAnswerSerializer(data=data)
        answer.is_valid(raise_exception=True)
        return {**answer.validated_data, "fraction": str(answer.validated_data["fraction"])}

    def to_representation(self, value):
        return value


class NumericAnswerSerializer(serializers.Serializer):
    value = serializers.CharField(max_length=40, help_text='A number, or "*" for any number.')
    tolerance = serializers.DecimalField(
        max_digits=20, decimal_places=6, min_value=Decimal("0"), default=Decimal(0)
    )
    fraction = serializers.DecimalField(
        max_digits=8, decimal_places=7, min_value=Decimal("0"), max_value=Decimal("1"), default=Decimal(1)
    )
    feedback = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class QuestionWriteSerializer(serializers.Serializer):
    type = serializers.ChoiceField(Question.Type.choices)
    text = serializers.CharField(max_length=20_000)
    text_format = serializers.ChoiceField(Question.TextFormat.choices, required=False)
    title = serializers.CharField(max_length=255, required=False, allow_blank=True)
    category = serializers.CharField(max_length=255, required=False, allow_blank=True)
    points = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=Decimal("0.01"), required=False
    )
    explanation = serializers.CharField(required=False, allow_blank=True)
    partial_credit = serializers.BooleanField(required=False)
    accepted_answers = serializers.ListField(child=AcceptedAnswerField(), required=False, max_length=50)
    numeric_answers = NumericAnswerSerializer(many=True, required=False, max_length=50)
    numeric_answer = serializers.DecimalField(
        max_digits=20,
        decimal_places=6,
        required=False,
        allow_null=True,
        help_text="Shorthand for one numeric answer worth 100% (with numeric_tolerance).",
    )
    numeric_tolerance = serializers.DecimalField(
        max_digits=20, decimal_places=6, min_value=Decimal("0"), required=False
    )
    choices = ChoiceWriteSerializer(many=True, required=False, max_length=100)
    code_exercise = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="Code: the exercise (of this course) whose tests grade the answers.",
    )

    def validate(self, attrs):
        answer = attrs.pop("numeric_answer", None)
        tolerance = attrs.pop("numeric_tolerance", None)
        if answer is not None or tolerance is not None:
            if "numeric_answers" in attrs:
                raise serializers.ValidationError(
                    {"numeric_answer": "Give numeric_answers or numeric_answer, not both."}
                )
            if answer is None:
                raise serializers.ValidationError({"numeric_answer": "Give the expected number."})
            attrs["numeric_answers"] = [
                {
                    "value": answer,
                    "tolerance": tolerance or Decimal(0),
                    "fraction": Decimal(1),
                    "feedback": "",
                }
            ]
        if "numeric_answers" in attrs:
            attrs["numeric_answers"] = [
                {key: str(value) for key, value in entry.items()} for entry in attrs["numeric_answers"]
            ]
        return attrs


class QuestionKeySerializer(serializers.ModelSerializer):
    """The instructor's view of a question, with its key."""

    choices = serializers.SerializerMethodField()
    text_html = serializers.SerializerMethodField()

    class Meta:
        model = Question
        fields = [
            "id",
            "type",
            "title",
            "category",
            "text",
            "text_format",
            "text_html",
            "points",
            "order",
            "explanation",
            "partial_credit",
            "accepted_answers",
            "numeric_answers",
            "code_exercise",
            "choices",
        ]

    def get_text_html(self, question: Question) -> str:
        from ..text import render

        return str(render(question.text, question.text_format))

    def get_choices(self, question: Question) -> list[dict]:
        return [
            {
                "id": str(c.id),
                "text": c.text,
                "fraction": str(c.fraction.normalize()),
                "is_correct": c.is_correct,
                "feedback": c.feedback,
                "match_text": c.match_text,
            }
            for c in question.choices.all()
        ]


class GiftImportSerializer(serializers.Serializer):
    gift = serializers.CharField(max_length=1_000_000)


class EssayGradeSerializer(serializers.Serializer):
    points = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=Decimal("0"))
    feedback = serializers.CharField(required=False, allow_blank=True, max_length=20_000)


class InstructorAttemptSerializer(AttemptSummarySerializer):
    """An attempt as its course's staff see it: with whose it is."""

    user = serializers.SerializerMethodField()

    class Meta(AttemptSummarySerializer.Meta):
        fields = ["id", "user", *AttemptSummarySerializer.Meta.fields[1:]]

    def get_user(self, attempt: QuizAttempt) -> dict:
        return _person(attempt.user)
