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
