"""The code runner's sandbox against no sandbox (issue 15).

For each available language, a "hello world" is run N times through the runner
(``lyceum.coding.sandbox.execute``: a bubblewrap sandbox per step, slot uid, control groups,
limits; compiled languages compile once per run, as a submission does) and N times as a bare
subprocess in a temporary directory, compiled once per run too, in the same process and run.
Prints runs per second for both and the sandbox's overhead ratio; then the throughput of
concurrent runs (one thread per run slot) against one at a time.

    sudo .venv/bin/python bench/bench_runner.py [--runs 20] [--languages python,c]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lyceum.settings")

import django

django.setup()

from lyceum.coding import sandbox
from lyceum.coding.languages import LANGUAGES

HELLO = {
    "python": 'print("hello")',
    "javascript": 'console.log("hello")',
    "c": '#include <stdio.h>\nint main(void){puts("hello");return 0;}',
    "cpp": '#include <iostream>\nint main(){std::cout<<"hello"<<std::endl;}',
    "java": 'public class Main{public static void main(String[] a){System.out.println("hello");}}',
}


def bare(language_id: str) -> None:
    """The same program compiled and run with no sandbox: the floor."""
    language = LANGUAGES[language_id]
    with tempfile.TemporaryDirectory() as work:
        Path(work, language.source_file).write_text(HELLO[language_id])
        if language.compiled:
            subprocess.run(list(language.compile), cwd=work, check=True, capture_output=True)
        argv = [part.replace("/code", work) for part in language.run]
        done = subprocess.run(argv, cwd=work, check=True, capture_output=True, text=True)
        assert done.stdout == "hello\n"


def sandboxed(language_id: str) -> None:
    result = sandbox.execute(language=LANGUAGES[language_id], source=HELLO[language_id])
    assert result.status == sandbox.Status.ACCEPTED and result.run.stdout == "hello\n", result


def rate(work, runs: int) -> float:
    work()  # warm the page cache and the toolchain
    began = time.perf_counter()
    for _ in range(runs):
        work()
    return runs / (time.perf_counter() - began)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--languages", default=",".join(HELLO))
    args = parser.parse_args(argv)
    ok, why = sandbox.available()
    if not ok:
        raise SystemExit(f"The sandbox cannot run here: {why}")
    chosen = [name for name in args.languages.split(",") if LANGUAGES[name].available]
    results: dict[str, dict[str, float]] = {}
    print(f"\nCode runner: hello world, {args.runs} runs each, one at a time (compile + run per run)")
    print(f"{'language':<12}{'sandbox runs/s':>16}{'bare runs/s':>14}{'ratio':>8}{'overhead ms/run':>18}")
    for name in chosen:
        inside = rate(lambda name=name: sandboxed(name), args.runs)
        outside = rate(lambda name=name: bare(name), args.runs)
        overhead = (1 / inside - 1 / outside) * 1000
        results[name] = {"sandbox": inside, "bare": outside}
        print(f"{name:<12}{inside:>16.1f}{outside:>14.1f}{inside / outside:>8.2f}{overhead:>18.1f}")

    slots = sandbox.slot_count()
    runs = args.runs * slots
    language = "python" if "python" in chosen else chosen[0]
    began = time.perf_counter()
    for _ in range(runs):
        sandboxed(language)
    serial = runs / (time.perf_counter() - began)
    with ThreadPoolExecutor(max_workers=slots) as pool:
        began = time.perf_counter()
        list(pool.map(lambda _: sandboxed(language), range(runs)))
        parallel = runs / (time.perf_counter() - began)
    results["concurrent"] = {"serial": serial, "parallel": parallel, "slots": slots}
    print(
        f"\n{runs} {language} runs on {slots} slot(s): {serial:.1f} runs/s one at a time, "
        f"{parallel:.1f} runs/s {slots} at a time ({parallel / serial:.2f}x)"
    )
    return results


if __name__ == "__main__":
    main()
