"""Request and response shapes of the code API: Lyceum's own, Piston's, and the old executor's."""

from __future__ import annotations

from rest_framework import serializers

from ..sandbox import RUN_STATUSES


class LanguageSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    version = serializers.CharField(help_text="The installed toolchain's version ('' if missing)")
    aliases = serializers.ListField(child=serializers.CharField())
    compiled = serializers.BooleanField()
    available = serializers.BooleanField(help_text="Installed on this server")


class RunRequestSerializer(serializers.Serializer):
    language = serializers.CharField(
        max_length=40, help_text="An id, Piston name or alias: python, js, c++ ..."
    )
    source = serializers.CharField(trim_whitespace=False, max_length=65536)
    stdin = serializers.CharField(
        trim_whitespace=False, allow_blank=True, required=False, default="", max_length=1048576
    )


class StepSerializer(serializers.Serializer):
    status = serializers.CharField()
    exit_code = serializers.IntegerField(allow_null=True)
    signal = serializers.IntegerField(allow_null=True)
    stdout = serializers.CharField()
    stderr = serializers.CharField()
    stdout_truncated = serializers.BooleanField()
    stderr_truncated = serializers.BooleanField()
    cpu_seconds = serializers.FloatField()
    wall_seconds = serializers.FloatField()
    memory_bytes = serializers.IntegerField(help_text="Peak memory of the step's processes and files")


class RunResultSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=RUN_STATUSES)
    language = serializers.CharField()
    version = serializers.CharField()
    compile = StepSerializer(allow_null=True, help_text="The compile step (compiled languages)")
    run = StepSerializer(allow_null=True, help_text="The run step (none after a compile error)")


class LegacyExecuteRequestSerializer(serializers.Serializer):
    language = serializers.CharField(max_length=40)
    code = serializers.CharField(trim_whitespace=False, max_length=65536)
    input = serializers.CharField(
        trim_whitespace=False, allow_blank=True, required=False, default="", max_length=1048576
    )


class LegacyExecuteResponseSerializer(serializers.Serializer):
    output = serializers.CharField(help_text="stdout")
    error = serializers.CharField(
        allow_null=True, help_text="stderr (or the compiler's) when it failed, else null"
    )
    statusCode = serializers.IntegerField(help_text="The exit code; -1 when a limit stopped it")


class PistonFileSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    content = serializers.CharField(trim_whitespace=False, max_length=65536)
    encoding = serializers.ChoiceField(choices=["utf8"], required=False, default="utf8")


class PistonExecuteRequestSerializer(serializers.Serializer):
    language = serializers.CharField(max_length=40)
    version = serializers.CharField(
        required=False, default="*", max_length=40, help_text="Accepted; the installed version runs"
    )
    files = PistonFileSerializer(many=True, allow_empty=False, max_length=1)
    stdin = serializers.CharField(
        trim_whitespace=False, allow_blank=True, required=False, default="", max_length=1048576
    )
    args = serializers.ListField(
        child=serializers.CharField(max_length=200, allow_blank=True),
        required=False,
        default=list,
        max_length=20,
    )
    compile_timeout = serializers.IntegerField(required=False, min_value=1)
    run_timeout = serializers.IntegerField(required=False, min_value=1)
    compile_memory_limit = serializers.IntegerField(required=False)
    run_memory_limit = serializers.IntegerField(required=False)


class PistonStageSerializer(serializers.Serializer):
    stdout = serializers.CharField()
    stderr = serializers.CharField()
    output = serializers.CharField(help_text="stdout then stderr")
    code = serializers.IntegerField(allow_null=True)
    signal = serializers.CharField(allow_null=True, help_text="e.g. SIGKILL")


class PistonExecuteResponseSerializer(serializers.Serializer):
    language = serializers.CharField()
    version = serializers.CharField()
    run = PistonStageSerializer()
    compile = PistonStageSerializer(required=False)


class PistonRuntimeSerializer(serializers.Serializer):
    language = serializers.CharField()
    version = serializers.CharField()
    aliases = serializers.ListField(child=serializers.CharField())
    runtime = serializers.CharField(required=False)


# --- exercises and submissions ----------------------------------------------------------------------

TEXT_LIMIT = 1024 * 1024


class ExerciseTestWriteSerializer(serializers.Serializer):
    stdin = serializers.CharField(
        trim_whitespace=False, allow_blank=True, required=False, default="", max_length=TEXT_LIMIT
    )
    expected_stdout = serializers.CharField(trim_whitespace=False, allow_blank=True, max_length=TEXT_LIMIT)
    is_sample = serializers.BooleanField(required=False, default=False)
    weight = serializers.IntegerField(required=False, default=1, min_value=1, max_value=100)


class ExerciseWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    statement = serializers.CharField(max_length=100_000, help_text="Markdown")
    lesson = serializers.UUIDField(required=False, allow_null=True, default=None)
    languages = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, default=list, max_length=10
    )
    starter_code = serializers.DictField(
        child=serializers.CharField(trim_whitespace=False, allow_blank=True, max_length=65536),
        required=False,
        default=dict,
    )
    limits = serializers.DictField(child=serializers.FloatField(), required=False, default=dict)
    comparison = serializers.ChoiceField(
        choices=["exact", "whitespace", "numeric"], required=False, default="whitespace"
    )
    tolerance = serializers.FloatField(required=False, default=1e-6, min_value=0, max_value=1)
    points = serializers.IntegerField(required=False, default=20, min_value=0, max_value=1000)
    is_published = serializers.BooleanField(required=False, default=False)
    tests = ExerciseTestWriteSerializer(many=True, max_length=100)


class ExerciseTestSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    stdin = serializers.CharField()
    expected_stdout = serializers.CharField()
    is_sample = serializers.BooleanField()
    weight = serializers.IntegerField()


class ExerciseStaffSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    course = serializers.UUIDField(source="course_id")
    lesson = serializers.UUIDField(source="lesson_id", allow_null=True)
    title = serializers.CharField()
    statement = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())
    starter_code = serializers.DictField(child=serializers.CharField())
    limits = serializers.DictField(child=serializers.FloatField())
    comparison = serializers.CharField()
    tolerance = serializers.FloatField()
    points = serializers.IntegerField()
    is_published = serializers.BooleanField()
    tests = ExerciseTestSerializer(many=True, source="tests.all")


class SampleTestSerializer(serializers.Serializer):
    stdin = serializers.CharField()
    expected_stdout = serializers.CharField()


class ExerciseLearnerSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    course = serializers.UUIDField(source="course_id")
    lesson = serializers.UUIDField(source="lesson_id", allow_null=True)
    title = serializers.CharField()
    statement = serializers.CharField(help_text="Markdown")
    statement_html = serializers.CharField(help_text="The statement rendered and sanitized")
    languages = serializers.ListField(child=serializers.CharField(), help_text="Allowed and installed here")
    starter_code = serializers.DictField(child=serializers.CharField())
    limits = serializers.DictField(child=serializers.FloatField(), help_text="The run limits in force")
    comparison = serializers.CharField()
    points = serializers.IntegerField()
    sample_tests = SampleTestSerializer(many=True)
    tests_total = serializers.IntegerField(help_text="Sample and hidden")


class SubmissionCreateSerializer(serializers.Serializer):
    exercise = serializers.UUIDField()
    language = serializers.CharField(max_length=40)
    source = serializers.CharField(trim_whitespace=False, max_length=65536)


class SubmissionBatchSerializer(serializers.Serializer):
    submissions = SubmissionCreateSerializer(many=True, allow_empty=False, max_length=10)


class SubmissionTestResultSerializer(serializers.Serializer):
    test = serializers.IntegerField()
    sample = serializers.BooleanField()
    verdict = serializers.CharField()
    cpu_seconds = serializers.FloatField()
    wall_seconds = serializers.FloatField()
    memory_bytes = serializers.IntegerField()
    stdin = serializers.CharField(required=False, help_text="Sample tests only")
    expected = serializers.CharField(required=False, help_text="Sample tests only")
    stdout = serializers.CharField(required=False, help_text="Sample tests only")
    stderr = serializers.CharField(required=False, help_text="Sample tests only")


class SubmissionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    exercise = serializers.UUIDField()
    language = serializers.CharField()
    source = serializers.CharField()
    state = serializers.ChoiceField(choices=["queued", "running", "done"])
    verdict = serializers.CharField(help_text="'' until done; accepted, wrong_answer, compile_error, ...")
    tests_passed = serializers.IntegerField()
    tests_total = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=5, decimal_places=2)
    compile_output = serializers.CharField()
    results = SubmissionTestResultSerializer(many=True)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
