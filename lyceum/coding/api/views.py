"""The code API: languages, a synchronous run for the editor, and the request shapes existing
clients send (Piston's v2 ``execute``/``runtimes``, and the roadmap's old executor)."""

from __future__ import annotations

import signal as signals

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import services
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
    if step is None:
        return None
    return {
        "status": str(step.status),
        "exit_code": step.exit_code,
        "signal": step.signal,
        "stdout": step.stdout,
        "stderr": step.stderr,
        "stdout_truncated": step.stdout_truncated,
        "stderr_truncated": step.stderr_truncated,
        "cpu_seconds": step.cpu_seconds,
        "wall_seconds": step.wall_seconds,
        "memory_bytes": step.memory_bytes,
    }


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


class RunView(APIView):
    @extend_schema(
        request=s.RunRequestSerializer,
        responses={200: s.RunResultSerializer, **ERRORS},
        summary="Compile and run a program with stdin in the sandbox; answers with the result (Run button)",
        tags=["code"],
    )
    def post(self, request: Request) -> Response:
        data = s.RunRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        language = services.language_for(data.validated_data["language"])
        result = services.run_code(
            user=request.user,
            language=language,
            source=data.validated_data["source"],
            stdin=data.validated_data["stdin"],
        )
        return Response(result_data(result))


class LegacyExecuteView(APIView):
    @extend_schema(
        request=s.LegacyExecuteRequestSerializer,
        responses={200: s.LegacyExecuteResponseSerializer, **ERRORS},
        summary="The roadmap's old executor shape: {language, code, input} -> {output, error, statusCode}",
        tags=["code"],
    )
    def post(self, request: Request) -> Response:
        data = s.LegacyExecuteRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        language = services.language_for(data.validated_data["language"])
        result = services.run_code(
            user=request.user,
            language=language,
            source=data.validated_data["code"],
            stdin=data.validated_data["input"],
        )
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
        data = s.PistonExecuteRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        language = services.language_for(data.validated_data["language"])
        result = services.run_code(
            user=request.user,
            language=language,
            source=data.validated_data["files"][0]["content"],
            stdin=data.validated_data["stdin"],
            args=tuple(data.validated_data["args"]),
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
