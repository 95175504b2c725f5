"""Running code for a user: input checks, the per-user rate limit, the machine's run slots."""

from __future__ import annotations

from typing import Any

from lyceum.accounts.models import User
from lyceum.core import ratelimit
from lyceum.core.exceptions import ApplicationError, ServiceUnavailable, TooManyRequests

from . import sandbox
from .languages import LANGUAGES, Language, find

MAX_SOURCE_BYTES = 64 * 1024
MAX_STDIN_BYTES = 1024 * 1024
# How long a request waits for a free run slot before it is told to come back (429).
SLOT_WAIT_SECONDS = 10.0


class LanguageUnavailable(ApplicationError):
    status_code = 422
    code = "language_unavailable"
    default_message = "This language is not installed on this server."


def language_for(name: Any) -> Language:
    """The language a request names (an id, a Piston name or an alias): 400 when unknown, 422
    when known but not installed here (Dart on a machine without it)."""
    language = find(str(name)) if isinstance(name, str) else None
    if language is None:
        raise ApplicationError(
            f"Unknown language {str(name)[:40]!r}.",
            code="unknown_language",
            fields={"language": ["Choose one of GET /api/code/languages/."]},
        )
    if not language.available:
        raise LanguageUnavailable(
            f"{language.name} is not installed on this server.", extra={"language": language.id}
        )
    return language


def _check_sizes(source: str, stdin: str) -> None:
    fields = {}
    if not source.strip():
        fields["source"] = ["The program is empty."]
    elif len(source.encode("utf-8")) > MAX_SOURCE_BYTES:
        fields["source"] = [f"At most {MAX_SOURCE_BYTES // 1024} KiB."]
    if len(stdin.encode("utf-8")) > MAX_STDIN_BYTES:
        fields["stdin"] = [f"At most {MAX_STDIN_BYTES // 1024} KiB."]
    if fields:
        raise ApplicationError("The program or its input is not acceptable.", fields=fields)


def run_code(
    *, user: User, language: Language, source: str, stdin: str = "", args: tuple[str, ...] = ()
) -> sandbox.RunResult:
    """Compiles and runs ``source`` for ``user`` in the sandbox, synchronously (the editor's
    Run button). 429 when the user's rate is used up or every slot stays busy; 503 when this
    server cannot sandbox at all."""
    _check_sizes(source, stdin)
    ratelimit.hit("code_run", f"user:{user.pk}", message="Too many runs. Try again in a moment.")
    try:
        return sandbox.execute(
            language=language, source=source, stdin=stdin, args=args, wait_seconds=SLOT_WAIT_SECONDS
        )
    except sandbox.Busy:
        raise TooManyRequests(
            "Every runner is busy. Try again in a moment.", code="runner_busy", retry_after=2
        ) from None
    except sandbox.Unavailable as error:
        raise ServiceUnavailable(
            f"Code cannot run on this server: {error}", code="runner_unavailable"
        ) from None


def languages() -> list[Language]:
    """Every language the runner knows, installed here or not."""
    return list(LANGUAGES.values())
