"""The sandbox every submitted program runs in: one process tree per step, in bubblewrap, under
the uid of a run slot, inside control groups, with limits. A compile step and a run step are
separate sandboxes, each measured and limited on its own.

What a step sees and may do:
- no network: a network namespace of its own with only ``lo`` (PostgreSQL and Redis on the
  host's loopback are not there);
- a read-only ``/usr`` (the toolchains) and the few ``/etc`` entries a toolchain needs; nothing
  of Lyceum (its code, settings, database, media), no host ``/etc``, ``/home``, ``/root`` or
  ``/tmp``; an empty environment but for ``PATH``, ``HOME`` and ``LANG``; a fresh PID namespace;
- as its uid, the slot's own unprivileged uid (``CODE_RUNNER_BASE_UID`` + slot), so
  ``RLIMIT_NPROC`` counts only that run's processes and no two runs share a uid;
- writable: ``/box``, the work directory, and ``/tmp``, both size-limited tmpfs in the run step
  (the compiled program or the source is read-only at ``/code``); in the compile step ``/box`` is
  the run's host directory, where the compiler leaves what the run step executes;
- limits: CPU time (``RLIMIT_CPU`` per process, and the whole tree's CPU read from its
  ``cpuacct`` group while it runs), wall time, memory (the ``memory`` group: processes and the
  files they write to tmpfs), processes and threads (the ``pids`` group and ``RLIMIT_NPROC``),
  open files (``RLIMIT_NOFILE``), size of each file written (``RLIMIT_FSIZE``), and stdout and
  stderr (each read up to its limit, then the run is stopped).

At the end of a step every process left in the slot's groups is killed, so nothing outlives it
(a double fork into the background included). The runner reads nothing the program wrote to
disk: results come through pipes, and the host directory is removed with ``shutil.rmtree``,
which never follows a symbolic link (Judge0's CVE-2024-28185 and -28189 came from following one).

The runner needs root (to give each slot its uid and to manage control groups), as isolate
does; ``available()`` says whether this machine can run it and why not.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import math
import os
import secrets
import selectors
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

from django.conf import settings

from .languages import Language

KIB = 1024
MIB = 1024 * KIB
CGROUP_ROOT = Path("/sys/fs/cgroup")
CONTROLLERS = ("memory", "pids", "cpuacct")


@dataclass(frozen=True)
class Limits:
    """What one step may use. ``file_bytes`` bounds each file written and each writable tmpfs."""

    cpu_seconds: float = 2.0
    wall_seconds: float = 5.0
    memory_bytes: int = 256 * MIB
    processes: int = 64
    open_files: int = 64
    output_bytes: int = 64 * KIB
    file_bytes: int = 16 * MIB

    def clipped(self, ceiling: Limits) -> Limits:
        return Limits(
            **{name: min(getattr(self, name), getattr(ceiling, name)) for name in self.__dataclass_fields__}
        )


RUN_LIMITS = Limits()
COMPILE_LIMITS = Limits(
    cpu_seconds=15.0,
    wall_seconds=30.0,
    memory_bytes=768 * MIB,
    processes=64,
    open_files=256,
    output_bytes=64 * KIB,
    file_bytes=64 * MIB,
)
# No exercise may ask for more than this.
MAX_LIMITS = Limits(
    cpu_seconds=10.0,
    wall_seconds=20.0,
    memory_bytes=1024 * MIB,
    processes=256,
    open_files=256,
    output_bytes=1 * MIB,
    file_bytes=256 * MIB,
)


class Status(StrEnum):
    ACCEPTED = "accepted"
    COMPILE_ERROR = "compile_error"
    RUNTIME_ERROR = "runtime_error"
    TIME_LIMIT = "time_limit"
    MEMORY_LIMIT = "memory_limit"
    OUTPUT_LIMIT = "output_limit"
    INTERNAL_ERROR = "internal_error"


RUN_STATUSES = [status.value for status in Status]


@dataclass
class Step:
    """What one sandboxed step did."""

    status: Status
    exit_code: int | None
    signal: int | None
    stdout: str
    stderr: str
    stdout_truncated: bool
    stderr_truncated: bool
    cpu_seconds: float
    wall_seconds: float
    memory_bytes: int


@dataclass
class RunResult:
    status: Status
    language: str
    version: str
    compile: Step | None
    run: Step | None
    message: str = ""


class Unavailable(Exception):
    """This machine cannot run the sandbox (the message says why)."""


class Busy(Exception):
    """Every run slot stayed taken for the whole wait."""


TRUNCATED = "\n[... output truncated: the limit is {limit} bytes]\n"


def _setting(name: str, default):
    return getattr(settings, name, default)


def work_root() -> Path:
    """Where runs keep their files: under /run (root's tmpfs) unless CODE_RUNNER_WORK_DIR says."""
    return Path(_setting("CODE_RUNNER_WORK_DIR", "/run/lyceum-runner"))


def slot_count() -> int:
    return int(_setting("CODE_RUNNER_SLOTS", os.cpu_count() or 1))


def base_uid() -> int:
    return int(_setting("CODE_RUNNER_BASE_UID", 61000))


def available() -> tuple[bool, str]:
    """Whether runs can be sandboxed here, and if not, why (found once per process)."""
    return _probe()


@functools.cache
def _probe() -> tuple[bool, str]:
    if os.geteuid() != 0:
        return False, "the code runner needs root, to give each run slot its own uid and control groups"
    for program in ("bwrap", "setpriv", "prlimit"):
        if shutil.which(program) is None:
            return False, f"{program} is not installed (Debian packages bubblewrap and util-linux)"
    for controller in CONTROLLERS:
        if not os.access(CGROUP_ROOT / controller, os.W_OK):
            return False, f"the cgroup v1 {controller} controller is not mounted writable at {CGROUP_ROOT}"
    return True, ""


# --- slots ----------------------------------------------------------------------------------------


@contextlib.contextmanager
def slot(wait_seconds: float) -> Iterator[int]:
    """A free run slot (each with its own uid and control groups), held for the block. Slots
    are locked with flock, so every process on the machine shares them; none free for
    ``wait_seconds`` raises Busy."""
    root = work_root()
    root.mkdir(mode=0o711, parents=True, exist_ok=True)
    info = os.lstat(root)
    if not root.is_dir() or root.is_symlink() or info.st_uid != 0:
        raise Unavailable(f"{root} must be a directory of root's, not a link")
    os.chmod(root, 0o711)  # noqa: S103 - slot uids traverse it to their own 0700 directories
    deadline = time.monotonic() + wait_seconds
    while True:
        for number in range(slot_count()):
            handle = os.open(root / f"slot-{number}.lock", os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW, 0o600)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(handle)
                continue
            try:
                yield number
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
                os.close(handle)
            return
        if time.monotonic() >= deadline:
            raise Busy("Every code runner slot is busy.")
        time.sleep(0.05)


# --- control groups -----------------------------------------------------------------------------


class Groups:
    """A slot's memory, pids and cpuacct groups (cgroup v1)."""

    def __init__(self, number: int) -> None:
        self.paths = {c: CGROUP_ROOT / c / "lyceum-runner" / f"slot-{number}" for c in CONTROLLERS}
        for path in self.paths.values():
            path.mkdir(parents=True, exist_ok=True)

    def _write(self, controller: str, name: str, value: int | str) -> None:
        (self.paths[controller] / name).write_text(str(value))

    def _read(self, controller: str, name: str) -> str:
        return (self.paths[controller] / name).read_text()

    def procs(self) -> list[int]:
        found: set[int] = set()
        for controller in CONTROLLERS:
            with contextlib.suppress(OSError):
                found |= {int(pid) for pid in self._read(controller, "cgroup.procs").split()}
        return sorted(found)

    def kill_all(self) -> None:
        """Kills every process in the groups until none is left."""
        for _ in range(200):
            pids = self.procs()
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.002)
        raise RuntimeError("processes of a run slot would not die")

    def oom_kills(self) -> int:
        for line in self._read("memory", "memory.oom_control").splitlines():
            if line.startswith("oom_kill "):
                return int(line.split()[1])
        return 0

    def prepare(self, limits: Limits, memory_bytes: int) -> int:
        """Empties the groups, sets this step's limits, resets the counters; returns the OOM
        kill count to compare with after the step."""
        self.kill_all()
        memory = str(memory_bytes)
        # memsw (memory + swap) may never be below the memory limit: set them in the order that
        # keeps that true whichever way the limit moves.
        for names in (
            ("memory.limit_in_bytes", "memory.memsw.limit_in_bytes"),
            ("memory.memsw.limit_in_bytes", "memory.limit_in_bytes"),
        ):
            try:
                for name in names:
                    if (self.paths["memory"] / name).exists():
                        self._write("memory", name, memory)
                break
            except OSError:
                continue
        # The group keeps the page cache of the toolchain files earlier steps read (dropping it
        # with memory.force_empty made every compile read gcc from disk again: 4x slower). The
        # peak is counted from what is charged now (``baseline``).
        self._write("memory", "memory.max_usage_in_bytes", 0)
        self.baseline = int(self._read("memory", "memory.usage_in_bytes"))
        with contextlib.suppress(OSError):
            self._write("memory", "memory.failcnt", 0)
        self._write("pids", "pids.max", limits.processes)
        self._write("cpuacct", "cpuacct.usage", 0)
        return self.oom_kills()

    def cpu_seconds(self) -> float:
        return int(self._read("cpuacct", "cpuacct.usage")) / 1e9

    def peak_memory(self) -> int:
        """The step's peak, above what the group held when it began: its processes' memory, the
        files they wrote to tmpfs, and pages of files they read that were not cached already."""
        return max(0, int(self._read("memory", "memory.max_usage_in_bytes")) - getattr(self, "baseline", 0))

    def join_command(self) -> list[str]:
        """A root shell that puts itself in the groups, then becomes the rest of argv."""
        script = "; ".join(f'echo $$ > "{path}/cgroup.procs"' for path in self.paths.values())
        return ["/bin/sh", "-c", f'{script}; exec "$@"', "join-groups"]


# --- one step -------------------------------------------------------------------------------------


def _bwrap(language: Language, limits: Limits, host_dir: Path, compiling: bool) -> list[str]:
    tmpfs = str(limits.file_bytes)
    argv = [
        "bwrap",
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--hostname",
        "sandbox",
        "--ro-bind",
        "/usr",
        "/usr",
        "--symlink",
        "usr/bin",
        "/bin",
        "--symlink",
        "usr/sbin",
        "/sbin",
        "--symlink",
        "usr/lib",
        "/lib",
        "--symlink",
        "usr/lib64",
        "/lib64",
        "--ro-bind-try",
        "/etc/ld.so.cache",
        "/etc/ld.so.cache",
        "--ro-bind-try",
        "/etc/alternatives",
        "/etc/alternatives",
    ]
    for path in language.extra_ro_paths:
        argv += ["--ro-bind-try", path, path]
    argv += ["--proc", "/proc", "--dev", "/dev", "--size", tmpfs, "--tmpfs", "/tmp"]  # noqa: S108 - the sandbox's
    if compiling:
        argv += ["--bind", str(host_dir), "/box"]
    else:
        argv += ["--size", tmpfs, "--tmpfs", "/box", "--ro-bind", str(host_dir), "/code"]
    argv += [
        "--remount-ro",  # the sandbox's own root: nothing but /box and /tmp takes a write
        "/",
        "--chdir",
        "/box",
        "--clearenv",
        "--setenv",
        "PATH",
        "/usr/local/bin:/usr/bin:/bin",
        "--setenv",
        "HOME",
        "/box",
        "--setenv",
        "LANG",
        "C.UTF-8",
        "--",
    ]
    return argv


def _limits_command(limits: Limits, uid: int) -> list[str]:
    cpu = max(1, math.ceil(limits.cpu_seconds))
    return [
        "prlimit",
        f"--cpu={cpu}:{cpu + 1}",
        f"--nproc={limits.processes}",
        f"--nofile={limits.open_files}",
        f"--fsize={limits.file_bytes}",
        "--core=0",
        "--",
        "setpriv",
        f"--reuid={uid}",
        f"--regid={uid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--no-new-privs",
    ]


def _running(pid: int) -> bool:
    """Whether the child is still running, without reaping it (waitpid reaps it afterwards)."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
    except ChildProcessError:
        return False


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def run_step(
    *,
    number: int,
    language: Language,
    argv: list[str],
    limits: Limits,
    host_dir: Path,
    stdin: bytes = b"",
    compiling: bool = False,
) -> Step:
    """Runs ``argv`` in a fresh sandbox in slot ``number`` and waits for it (or its limits)."""
    groups = Groups(number)
    memory = limits.memory_bytes + language.memory_overhead
    ooms_before = groups.prepare(limits, memory)
    uid = base_uid() + number
    command = [
        *groups.join_command(),
        *_limits_command(limits, uid),
        *_bwrap(language, limits, host_dir, compiling),
        *argv,
    ]
    stdin_file = os.memfd_create("stdin")
    os.write(stdin_file, stdin)
    os.lseek(stdin_file, 0, os.SEEK_SET)
    began = time.monotonic()
    process = subprocess.Popen(  # noqa: S603 - a fixed argv: no shell sees user input
        command,
        stdin=stdin_file,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        close_fds=True,
    )
    os.close(stdin_file)
    outputs = {"stdout": bytearray(), "stderr": bytearray()}
    truncated = {"stdout": False, "stderr": False}
    stopped: Status | None = None
    picker = selectors.DefaultSelector()
    for name, stream in (("stdout", process.stdout), ("stderr", process.stderr)):
        os.set_blocking(stream.fileno(), False)
        picker.register(stream, selectors.EVENT_READ, name)

    def out_of_time() -> bool:
        """Past the wall limit, or the whole tree past the CPU limit."""
        return time.monotonic() - began >= limits.wall_seconds or groups.cpu_seconds() > limits.cpu_seconds

    try:
        while picker.get_map():
            if out_of_time():
                stopped = Status.TIME_LIMIT
                break
            left = limits.wall_seconds - (time.monotonic() - began)
            for key, _ in picker.select(timeout=min(left, 0.05)):
                chunk = os.read(key.fileobj.fileno(), 65536)
                if not chunk:
                    picker.unregister(key.fileobj)
                    continue
                buffer = outputs[key.data]
                room = limits.output_bytes - len(buffer)
                buffer += chunk[: max(0, room)]
                if len(chunk) > room:
                    truncated[key.data] = True
                    stopped = Status.OUTPUT_LIMIT
            if stopped is not None:
                break
        if stopped is None:
            while _running(process.pid):
                if out_of_time():
                    stopped = Status.TIME_LIMIT
                    break
                time.sleep(0.002)
    finally:
        picker.close()
        # Not reaped yet (waitid left it), so its group still exists to be killed, finished or not.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        _, wait_status = os.waitpid(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(wait_status)
        wall = time.monotonic() - began
        groups.kill_all()  # whatever forked away from the sandbox's init
        process.stdout.close()
        process.stderr.close()
    cpu = groups.cpu_seconds()
    peak = groups.peak_memory()
    oom = groups.oom_kills() > ooms_before
    code = process.returncode
    exit_code, killed_by = (code, None)
    if code is not None and code > 128:  # bwrap reports a signal as 128 + its number
        exit_code, killed_by = None, code - 128
    if stopped is None:
        java_heap = language.id == "java" and b"java.lang.OutOfMemoryError" in outputs["stderr"]
        if oom or java_heap:
            stopped = Status.MEMORY_LIMIT
        elif killed_by == signal.SIGXCPU or (
            killed_by == signal.SIGKILL and cpu >= limits.cpu_seconds * 0.95
        ):
            # SIGXCPU comes only from RLIMIT_CPU's soft limit (whatever the group's counter read
            # on a loaded machine); SIGKILL past the CPU limit is its hard limit.
            stopped = Status.TIME_LIMIT
        elif killed_by == signal.SIGXFSZ:
            stopped = Status.OUTPUT_LIMIT
        elif code == 0:
            stopped = Status.ACCEPTED
        else:
            stopped = Status.RUNTIME_ERROR
    texts = {}
    for name in ("stdout", "stderr"):
        texts[name] = _decode(bytes(outputs[name]))
        if truncated[name]:
            texts[name] += TRUNCATED.format(limit=limits.output_bytes)
    return Step(
        status=stopped,
        exit_code=exit_code,
        signal=killed_by,
        stdout=texts["stdout"],
        stderr=texts["stderr"],
        stdout_truncated=truncated["stdout"],
        stderr_truncated=truncated["stderr"],
        cpu_seconds=round(cpu, 4),
        wall_seconds=round(wall, 4),
        memory_bytes=peak,
    )


# --- a whole run ----------------------------------------------------------------------------------


def _host_dir(number: int) -> Path:
    """A new, empty directory of the slot's uid for one run's files."""
    path = work_root() / f"run-{number}-{secrets.token_hex(8)}"
    path.mkdir(mode=0o700)
    os.chown(path, base_uid() + number, base_uid() + number)
    return path


def _java_heap(language: Language, argv: tuple[str, ...], limits: Limits) -> list[str]:
    """A JVM sees the host's memory, not its group's: its heap is sized from the limit."""
    if language.id != "java":
        return list(argv)
    heap = max(16, limits.memory_bytes // MIB)
    flag = f"-J-Xmx{heap}m" if argv[0].endswith("javac") else f"-Xmx{heap}m"
    return [argv[0], flag, *argv[1:]]


@dataclass
class Batch:
    """One program compiled once and run once per input."""

    language: str
    version: str
    compile: Step | None
    runs: list[Step]

    @property
    def compiled(self) -> bool:
        return self.compile is None or self.compile.status == Status.ACCEPTED


def execute_many(
    *,
    language: Language,
    source: str,
    stdins: list[str],
    limits: Limits = RUN_LIMITS,
    compile_limits: Limits = COMPILE_LIMITS,
    wait_seconds: float = 10.0,
    args: tuple[str, ...] = (),
) -> Batch:
    """Compiles ``source`` (if the language is compiled) once, then runs it once per input, each
    step in its own sandbox, in one slot; waits up to ``wait_seconds`` for a free slot (Busy
    after that). After a failed compile there are no runs."""
    ok, why = available()
    if not ok:
        raise Unavailable(why)
    if not language.available:
        raise Unavailable(f"{language.name} is not installed on this server.")
    with slot(wait_seconds) as number:
        host_dir = _host_dir(number)
        try:
            source_path = host_dir / language.source_file
            fd = os.open(source_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(source)
            os.chown(source_path, base_uid() + number, base_uid() + number)
            compiled = None
            if language.compiled:
                compiled = run_step(
                    number=number,
                    language=language,
                    argv=_java_heap(language, language.compile, compile_limits),
                    limits=compile_limits,
                    host_dir=host_dir,
                    compiling=True,
                )
                if compiled.status != Status.ACCEPTED:
                    return Batch(language.id, language.version, compiled, [])
            runs = [
                run_step(
                    number=number,
                    language=language,
                    argv=[*_java_heap(language, language.run, limits), *args],
                    limits=limits,
                    host_dir=host_dir,
                    stdin=stdin.encode("utf-8"),
                )
                for stdin in stdins
            ]
            return Batch(language.id, language.version, compiled, runs)
        finally:
            Groups(number).kill_all()
            shutil.rmtree(host_dir, ignore_errors=True)


def execute(
    *,
    language: Language,
    source: str,
    stdin: str = "",
    limits: Limits = RUN_LIMITS,
    compile_limits: Limits = COMPILE_LIMITS,
    wait_seconds: float = 10.0,
    args: tuple[str, ...] = (),
) -> RunResult:
    """Compiles (if the language is compiled) and runs ``source`` with ``stdin``."""
    batch = execute_many(
        language=language,
        source=source,
        stdins=[stdin],
        limits=limits,
        compile_limits=compile_limits,
        wait_seconds=wait_seconds,
        args=args,
    )
    if not batch.compiled:
        return RunResult(Status.COMPILE_ERROR, batch.language, batch.version, batch.compile, None)
    ran = batch.runs[0]
    return RunResult(ran.status, batch.language, batch.version, batch.compile, ran)


def limits_from(overrides: dict | None, base: Limits = RUN_LIMITS) -> Limits:
    """``base`` with the given fields replaced, each clipped to MAX_LIMITS."""
    return replace(base, **(overrides or {})).clipped(MAX_LIMITS)
