"""Hostile programs against the sandbox: each is stopped with the right status, the host is
untouched, nothing outlives the run, and the next run works. Network cases only ever aim at
loopback addresses."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django.conf import settings

from lyceum.coding import sandbox
from lyceum.coding.languages import LANGUAGES
from lyceum.coding.sandbox import Limits, Status

ok, why = sandbox.available()
pytestmark = pytest.mark.skipif(not ok and not os.environ.get("CI"), reason=f"no sandbox here: {why}")

HELLO = {
    "python": 'print("hello")',
    "javascript": 'console.log("hello")',
    "c": '#include <stdio.h>\nint main(void){puts("hello");return 0;}',
    "cpp": '#include <iostream>\nint main(){std::cout<<"hello"<<std::endl;}',
    "java": 'public class Main{public static void main(String[] a){System.out.println("hello");}}',
}
AVAILABLE = [name for name in HELLO if LANGUAGES[name].available]


def run(language: str, source: str, stdin: str = "", **limits) -> sandbox.RunResult:
    return sandbox.execute(
        language=LANGUAGES[language], source=source, stdin=stdin, limits=sandbox.limits_from(limits)
    )


def still_works(language: str = "python") -> None:
    """The next run after a hostile one works."""
    result = run(language, HELLO[language])
    assert (result.status, result.run.stdout) == (Status.ACCEPTED, "hello\n")


def slot_processes() -> list[str]:
    """Processes of any run slot's uid still alive on the host (a zombie, dead and waiting for
    its parent to collect it, runs nothing)."""
    uids = {sandbox.base_uid() + n for n in range(sandbox.slot_count())}
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid in uids and "\nState:\tZ" not in (entry / "status").read_text():
                    found.append(entry.name)
            except (FileNotFoundError, ProcessLookupError):
                continue
    return found


@pytest.mark.parametrize("language", AVAILABLE)
def test_hello_in_every_language(language):
    result = run(language, HELLO[language])
    assert (result.status, result.run.stdout, result.run.exit_code) == (Status.ACCEPTED, "hello\n", 0)
    assert result.version and result.run.wall_seconds > 0 and result.run.memory_bytes > 0
    if LANGUAGES[language].compiled:
        assert result.compile.status == Status.ACCEPTED


FORK_BOMB = {
    "python": "import os\nwhile True:\n    os.fork()",
    "c": "#include <unistd.h>\nint main(void){for(;;)fork();}",
    "javascript": (
        'const {spawn}=require("child_process");'
        'for(;;){try{spawn("/usr/bin/node",["-e","for(;;){}"]);}catch(e){}}'
    ),
}


@pytest.mark.parametrize("language", [name for name in FORK_BOMB if name in AVAILABLE])
def test_a_fork_bomb_is_contained(language):
    began = time.monotonic()
    result = run(language, FORK_BOMB[language], wall_seconds=3, cpu_seconds=2)
    assert result.status in (Status.TIME_LIMIT, Status.RUNTIME_ERROR, Status.MEMORY_LIMIT)
    assert time.monotonic() - began < 30
    assert slot_processes() == []
    still_works()


INFINITE = {
    "python": "while True:\n    pass",
    "javascript": "for(;;){}",
    "c": "int main(void){volatile unsigned long n=0;for(;;)n++;}",
    "cpp": "int main(){volatile unsigned long n=0;for(;;)n++;}",
    "java": "public class Main{public static void main(String[] a){long n=0;while(true){n++;}}}",
}


@pytest.mark.parametrize("language", [name for name in INFINITE if name in AVAILABLE])
def test_an_infinite_loop_hits_the_time_limit(language):
    # A wall limit far above the CPU limit: on a busy machine the CPU limit still comes first.
    result = run(language, INFINITE[language], cpu_seconds=1, wall_seconds=20)
    assert result.status == Status.TIME_LIMIT
    assert result.run.cpu_seconds >= 0.9
    assert slot_processes() == []


def test_sleeping_forever_hits_the_wall_time_limit():
    result = run("python", "import time\ntime.sleep(3600)", wall_seconds=1)
    assert result.status == Status.TIME_LIMIT and 1 <= result.run.wall_seconds < 10


ALLOCATE = {
    "python": "x = bytearray(10 * 1024**3)\nprint(len(x))",
    "c": (
        "#include <stdlib.h>\n#include <string.h>\n"
        "int main(void){for(int i=0;i<10240;i++){"
        "char*p=malloc(1<<20);if(!p)return 3;memset(p,1,1<<20);}return 0;}"
    ),
    "javascript": "const a=[];for(;;){a.push(Buffer.alloc(1<<20,1));}",
    "java": (
        "import java.util.*;public class Main{public static void main(String[] a){"
        "List<long[]> l=new ArrayList<>();for(;;){l.add(new long[1<<17]);}}}"
    ),
}


@pytest.mark.parametrize("language", [name for name in ALLOCATE if name in AVAILABLE])
def test_allocating_ten_gigabytes_hits_the_memory_limit(language):
    result = run(language, ALLOCATE[language], memory_bytes=128 * sandbox.MIB, wall_seconds=10, cpu_seconds=8)
    if language == "python":  # CPython asks for it all at once and is refused: MemoryError
        assert result.status in (Status.MEMORY_LIMIT, Status.RUNTIME_ERROR)
        assert "MemoryError" in result.run.stderr or result.status == Status.MEMORY_LIMIT
    else:
        assert result.status == Status.MEMORY_LIMIT
    still_works()


def test_writing_ten_gigabytes_to_disk_is_stopped():
    source = (
        "import os\nchunk = b'x' * (1 << 20)\n"
        "for n in range(10240):\n"
        "    with open(f'f{n % 50}', 'ab') as f:\n"
        "        f.write(chunk)\n"
    )
    result = run("python", source, file_bytes=8 * sandbox.MIB, wall_seconds=10)
    assert result.status in (Status.OUTPUT_LIMIT, Status.RUNTIME_ERROR)
    assert "No space left" in result.run.stderr or result.status == Status.OUTPUT_LIMIT
    still_works()


def test_printing_a_gigabyte_hits_the_output_limit():
    result = run(
        "python",
        "import sys\nline = 'x' * 1023 + '\\n'\nfor _ in range(1 << 20):\n    sys.stdout.write(line)",
    )
    assert result.status == Status.OUTPUT_LIMIT
    assert result.run.stdout_truncated and "output truncated" in result.run.stdout
    assert len(result.run.stdout) < 2 * sandbox.RUN_LIMITS.output_bytes
    still_works()


def test_the_host_secrets_are_not_there():
    database = settings.DATABASES["default"].get("NAME", "")
    source = f"""
import os
paths = ["/etc/shadow", "/etc/passwd", {str(settings.BASE_DIR / "lyceum" / "settings.py")!r},
         {str(database)!r}, "/root", "/home", "/work", "/run", "/var/lib/postgresql"]
for path in paths:
    print(path, os.path.exists(path))
print("ENV", sorted(os.environ))
"""
    result = run("python", source)
    assert result.status == Status.ACCEPTED
    lines = result.run.stdout.splitlines()
    assert all(line.endswith(" False") for line in lines[:-1]), lines
    assert lines[-1] == "ENV ['HOME', 'LANG', 'PATH', 'PWD']"
    assert settings.SECRET_KEY not in result.run.stdout


def test_writing_outside_the_work_directory_is_refused():
    source = """
import os
for path in ["/usr/evil", "/etc/evil", "/code/evil", "/evil"]:
    try:
        open(path, "w").write("x")
        print(path, "written")
    except OSError as error:
        print(path, type(error).__name__)
open("/box/mine", "w").write("ok")
open("/tmp/mine", "w").write("ok")
print("work directory ok")
"""
    result = run("python", source)
    assert result.status == Status.ACCEPTED
    assert "written" not in result.run.stdout and "work directory ok" in result.run.stdout


def test_a_symlink_left_in_the_work_directory_is_not_followed(tmp_path):
    target = tmp_path / "host-secret"
    target.write_text("secret")
    source = f"""
import os
os.symlink({str(target)!r}, "/box/link")
os.symlink("/", "/box/root")
print(os.path.exists("/box/link"))
"""
    result = run("python", source)
    assert result.status == Status.ACCEPTED and result.run.stdout == "False\n"  # not in its world
    assert target.read_text() == "secret"  # cleaning up did not follow it
    for language in ("c",) if "c" in AVAILABLE else ():
        compiled = run(
            language,
            '#include <unistd.h>\nint main(void){symlink("/etc/passwd","/box/passwd");return 0;}',
        )
        assert compiled.status == Status.ACCEPTED
    assert Path("/etc/passwd").exists()
    assert list(sandbox.work_root().glob("run-*")) == []


def test_the_network_is_only_loopback_and_the_hosts_services_are_not_there():
    source = """
import socket
for port in (5432, 6379):
    s = socket.socket()
    s.settimeout(2)
    print(port, s.connect_ex(("127.0.0.1", port)))
print(sorted(name for _, name in socket.if_nameindex()))
"""
    result = run("python", source)
    assert result.status == Status.ACCEPTED
    lines = result.run.stdout.splitlines()
    assert lines[0] != "5432 0" and lines[1] != "6379 0"  # refused: nothing listens in its namespace
    assert lines[2] == "['lo']"


def test_a_double_fork_into_the_background_does_not_outlive_the_run():
    source = """
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(60)
    os._exit(0)
print("parent done")
"""
    result = run("python", source, wall_seconds=5)
    assert result.status == Status.ACCEPTED and result.run.stdout == "parent done\n"
    assert slot_processes() == []
    still_works()


@pytest.mark.skipif("cpp" not in AVAILABLE, reason="g++ is not installed")
def test_a_template_expansion_compile_bomb_is_a_compile_error():
    source = """
template<int N> struct B { static const int v = B<N-1>::v + B<N-2>::v; };
template<> struct B<0> { static const int v = 0; };
template<> struct B<1> { static const int v = 1; };
template<int N> struct T { typedef T<N+1> next; static const int v = next::v; };
int main() { return T<0>::v + B<100000>::v; }
"""
    began = time.monotonic()
    result = run("cpp", source)
    assert result.status == Status.COMPILE_ERROR and result.run is None
    assert time.monotonic() - began < 60
    still_works("cpp")


@pytest.mark.skipif("java" not in AVAILABLE, reason="Java is not installed")
def test_ten_thousand_java_threads_are_refused():
    source = """
public class Main {
  public static void main(String[] a) throws Exception {
    for (int i = 0; i < 10000; i++) {
      Thread t = new Thread(() -> { try { Thread.sleep(60000); } catch (InterruptedException e) {} });
      t.start();
    }
    System.out.println("all started");
  }
}
"""
    result = run("java", source, wall_seconds=5)
    # The 64-task limit refuses the 60-odd thread; the threads already started keep the JVM
    # alive until the wall limit stops it all.
    assert result.status in (Status.RUNTIME_ERROR, Status.MEMORY_LIMIT, Status.TIME_LIMIT)
    assert "unable to create native thread" in result.run.stderr
    assert "all started" not in result.run.stdout and result.run.wall_seconds < 15
    assert slot_processes() == []


def test_the_sandbox_runs_as_an_unprivileged_uid_of_its_slot():
    result = run("python", "import os\nprint(os.getuid(), os.getgid())")
    uid, gid = map(int, result.run.stdout.split())
    # The user namespace maps the slot's uid to itself: neither root nor the server's uid.
    assert uid >= sandbox.base_uid() and uid == gid


def test_runs_in_every_slot_at_once_do_not_mix():
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=sandbox.slot_count()) as pool:
        results = list(
            pool.map(lambda n: run("python", f"import time\ntime.sleep(0.3)\nprint({n})"), range(4))
        )
    assert [r.run.stdout for r in results] == [f"{n}\n" for n in range(4)]


def test_no_process_of_the_server_is_visible_inside():
    result = run("python", "import os\nprint(sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))")
    pids = eval(result.run.stdout)  # noqa: S307 - a list of ints we printed ourselves
    assert max(pids) < 10  # its own PID namespace: bwrap's init and the program


def test_limits_are_clipped_to_the_maximum():
    clipped = sandbox.limits_from({"cpu_seconds": 1000, "memory_bytes": 1 << 40})
    assert (clipped.cpu_seconds, clipped.memory_bytes) == (
        sandbox.MAX_LIMITS.cpu_seconds,
        sandbox.MAX_LIMITS.memory_bytes,
    )
    assert isinstance(clipped, Limits)
