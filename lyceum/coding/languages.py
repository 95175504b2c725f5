"""The languages the runner offers, each found at start-up by its toolchain.

A language names how a program is laid out in the sandbox (its file name), how it is compiled
(if it is) and how it is run, with paths as the sandbox sees them: the work directory is
``/box``. Piston's names and aliases are accepted (``c++``, ``cpp``, ``js``, ``py``).
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Language:
    id: str
    name: str
    executable: str  # the toolchain's program; the language is available when it is installed
    source_file: str
    run: tuple[str, ...]
    compile: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    version_argv: tuple[str, ...] = ()
    version_pattern: str = r"(\d+\.\d+(?:\.\d+)?)"
    # The toolchain's own files outside /usr that the sandbox must see (read-only).
    extra_ro_paths: tuple[str, ...] = field(default=())
    # Memory the runtime needs on top of the program's limit (a JVM's own threads and code).
    memory_overhead: int = 0

    @property
    def compiled(self) -> bool:
        return bool(self.compile)

    @property
    def path(self) -> str | None:
        return shutil.which(self.executable, path="/usr/local/bin:/usr/bin:/bin")

    @property
    def available(self) -> bool:
        return self.path is not None

    @functools.cached_property
    def version(self) -> str:
        """The toolchain's version, as it reports it ("" when it is not installed)."""
        if not self.available:
            return ""
        try:
            done = subprocess.run(  # noqa: S603 - the toolchain's own path and a fixed flag
                [self.path, *self.version_argv], capture_output=True, text=True, timeout=30, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            return ""
        found = re.search(self.version_pattern, done.stdout + done.stderr)
        return found.group(1) if found else ""


LANGUAGES: dict[str, Language] = {
    language.id: language
    for language in (
        Language(
            id="python",
            name="Python 3",
            executable="python3",
            source_file="main.py",
            run=("/usr/bin/python3", "-I", "-B", "/code/main.py"),
            aliases=("py", "python3"),
            version_argv=("--version",),
        ),
        Language(
            id="javascript",
            name="JavaScript (Node.js)",
            executable="node",
            source_file="main.js",
            run=("/usr/bin/node", "/code/main.js"),
            aliases=("js", "node", "node-js", "nodejs"),
            version_argv=("--version",),
        ),
        Language(
            id="c",
            name="C (gcc)",
            executable="gcc",
            source_file="main.c",
            compile=("/usr/bin/gcc", "-std=gnu17", "-O2", "-pipe", "-o", "main", "main.c", "-lm"),
            run=("/code/main",),
            aliases=("gcc",),
            version_argv=("-dumpfullversion",),
        ),
        Language(
            id="cpp",
            name="C++ (g++)",
            executable="g++",
            source_file="main.cpp",
            compile=("/usr/bin/g++", "-std=gnu++17", "-O2", "-pipe", "-o", "main", "main.cpp"),
            run=("/code/main",),
            aliases=("c++", "g++", "cc"),
            version_argv=("-dumpfullversion",),
        ),
        Language(
            id="java",
            name="Java (OpenJDK)",
            executable="javac",
            source_file="Main.java",
            compile=(
                "/usr/bin/javac",
                "-J-Xshare:auto",
                "-J-XX:+UseSerialGC",
                "-J-XX:TieredStopAtLevel=1",
                "Main.java",
            ),
            run=(
                "/usr/bin/java",
                "-Xshare:auto",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Xss8m",
                "-cp",
                "/code",
                "Main",
            ),
            aliases=("jdk", "openjdk"),
            version_argv=("-version",),
            version_pattern=r"javac (\d+(?:\.\d+)*)",
            extra_ro_paths=("/etc/java-17-openjdk", "/etc/alternatives", "/etc/ssl/certs/java"),
            memory_overhead=128 * 1024 * 1024,
        ),
        Language(
            id="dart",
            name="Dart",
            executable="dart",
            source_file="main.dart",
            run=("dart", "run", "/code/main.dart"),
            aliases=("dart2",),
            version_argv=("--version",),
        ),
    )
}


def find(name: str) -> Language | None:
    """The language of an id, a Piston name or an alias (any case), or None. Sources run from
    ``/code`` (read-only); the work directory is ``/box``."""
    key = (name or "").strip().lower()
    if key in LANGUAGES:
        return LANGUAGES[key]
    return next((language for language in LANGUAGES.values() if key in language.aliases), None)
