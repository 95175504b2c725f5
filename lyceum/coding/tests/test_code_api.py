"""The code API: Lyceum's run, the Piston and old-executor shapes existing clients send, bad
input, limits per user, and verdicts in every available language."""

from __future__ import annotations

import os

import pytest

from lyceum.coding import sandbox
from lyceum.coding.languages import LANGUAGES

pytestmark = pytest.mark.django_db
ok, why = sandbox.available()
needs_sandbox = pytest.mark.skipif(not ok and not os.environ.get("CI"), reason=f"no sandbox here: {why}")
AVAILABLE = [name for name in ("python", "javascript", "c", "cpp", "java") if LANGUAGES[name].available]

# Each language: a program that doubles the number it reads, one that fails at run time, one
# that does not compile (or parse).
PROGRAMS = {
    "python": ("print(int(input()) * 2)", "raise SystemExit(3)", "def (:"),
    "javascript": (
        'console.log(Number(require("fs").readFileSync(0, "utf8")) * 2)',
        "process.exit(3)",
        "function (",
    ),
    "c": (
        '#include <stdio.h>\nint main(void){int n;scanf("%d",&n);printf("%d\\n",n*2);return 0;}',
        "int main(void){return 3;}",
        "int main(void){return x;}",
    ),
    "cpp": (
        "#include <iostream>\nint main(){int n;std::cin>>n;std::cout<<n*2<<std::endl;}",
        "int main(){return 3;}",
        "int main(){return x;}",
    ),
    "java": (
        "import java.util.*;public class Main{public static void main(String[] a){"
        "System.out.println(new Scanner(System.in).nextInt()*2);}}",
        "public class Main{public static void main(String[] a){System.exit(3);}}",
        "public class Main{public static void main(String[] a){return x;}}",
    ),
}


def test_the_languages_are_listed_with_their_versions(api, login_api, alice):
    assert api.get("/api/code/languages/").status_code == 401
    rows = {row["id"]: row for row in login_api(alice).get("/api/code/languages/").json()}
    assert set(rows) >= {"python", "javascript", "c", "cpp", "java", "dart"}
    assert rows["python"]["available"] and rows["python"]["version"].startswith("3.")
    assert "c++" in rows["cpp"]["aliases"] and rows["cpp"]["compiled"]
    assert rows["dart"]["available"] is bool(LANGUAGES["dart"].available)


@needs_sandbox
@pytest.mark.parametrize("language", AVAILABLE)
def test_verdicts_in_every_language(login_api, alice, language):
    client = login_api(alice)
    good, failing, broken = PROGRAMS[language]

    accepted = client.post(
        "/api/code/run/", {"language": language, "source": good, "stdin": "21\n"}, format="json"
    )
    assert accepted.status_code == 200, accepted.json()
    assert (accepted.json()["status"], accepted.json()["run"]["stdout"]) == ("accepted", "42\n")

    crashed = client.post("/api/code/run/", {"language": language, "source": failing}, format="json").json()
    assert (crashed["status"], crashed["run"]["exit_code"]) == ("runtime_error", 3)

    refused = client.post("/api/code/run/", {"language": language, "source": broken}, format="json").json()
    if LANGUAGES[language].compiled:
        assert (refused["status"], refused["run"]) == ("compile_error", None)
        assert refused["compile"]["stderr"]
    else:  # an interpreter finds the syntax error when it runs the program
        assert refused["status"] == "runtime_error" and "SyntaxError" in refused["run"]["stderr"]


@needs_sandbox
def test_a_piston_request_gets_a_piston_answer(login_api, alice):
    client = login_api(alice)
    body = {
        "language": "python",
        "version": "3.10.0",  # what the roadmap's app pins; the installed version runs
        "files": [{"content": "import sys\nprint(input()[::-1], sys.argv[1:])"}],
        "stdin": "abc",
        "args": ["x"],
    }
    for path in ("/api/code/api/v2/execute", "/api/code/api/v2/piston/execute"):
        reply = client.post(path, body, format="json")
        assert reply.status_code == 200, reply.json()
        data = reply.json()
        assert data["language"] == "python" and data["version"].startswith("3.")
        assert data["run"]["stdout"] == "cba ['x']\n" and data["run"]["code"] == 0
        assert data["run"]["output"] == data["run"]["stdout"] + data["run"]["stderr"]
        assert data["run"]["signal"] is None and "compile" not in data
    runtimes = client.get("/api/code/api/v2/runtimes").json()
    assert {
        "language": "python",
        "version": LANGUAGES["python"].version,
        "aliases": ["py", "python3"],
    } in runtimes
    if "cpp" in AVAILABLE:
        compiled = client.post(
            "/api/code/api/v2/piston/execute",
            {
                "language": "c++",
                "version": "10.2.0",
                "files": [{"content": PROGRAMS["cpp"][0]}],
                "stdin": "4",
            },
            format="json",
        ).json()
        assert compiled["language"] == "cpp" and compiled["run"]["stdout"] == "8\n"
        assert compiled["compile"]["code"] == 0


@needs_sandbox
def test_the_old_executor_shape_still_works(login_api, alice):
    client = login_api(alice)
    ran = client.post(
        "/api/code/execute/",
        {"language": "python", "code": PROGRAMS["python"][0], "input": "5"},
        format="json",
    ).json()
    assert ran == {"output": "10\n", "error": None, "statusCode": 0}
    failed = client.post(
        "/api/code/execute/", {"language": "python", "code": "import sys\nsys.exit('bad')"}, format="json"
    ).json()
    assert (failed["statusCode"], failed["error"].strip()) == (1, "bad")
    looped = client.post(
        "/api/code/execute/", {"language": "python", "code": "while True: pass"}, format="json"
    ).json()
    assert looped["statusCode"] == -1 and looped["error"].startswith("Time limit exceeded")
    if "c" in AVAILABLE:
        broken = client.post(
            "/api/code/execute/", {"language": "c", "code": PROGRAMS["c"][2]}, format="json"
        ).json()
        assert broken["output"] == "" and broken["error"].startswith("Compilation Error:")


@pytest.mark.parametrize(
    ("path", "body", "field_or_code"),
    [
        ("/api/code/run/", {"language": "python"}, "source"),
        ("/api/code/run/", {"language": "python", "source": "   "}, "source"),
        ("/api/code/run/", {"language": "cobol", "source": "x"}, "unknown_language"),
        ("/api/code/run/", {"language": ["python"], "source": "x"}, "language"),
        ("/api/code/run/", {"language": "python", "source": "x" * 70000}, "source"),
        ("/api/code/run/", {"language": "python", "source": "x", "stdin": "y" * (1024 * 1024 + 1)}, "stdin"),
        ("/api/code/execute/", {"language": "python"}, "code"),
        ("/api/code/api/v2/execute", {"language": "python", "files": []}, "files"),
        (
            "/api/code/api/v2/execute",
            {"language": "python", "files": [{"content": "a"}, {"content": "b"}]},
            "files",
        ),
        (
            "/api/code/api/v2/execute",
            {"language": "python", "files": [{"content": "a"}], "args": ["x"] * 21},
            "args",
        ),
    ],
)
def test_bad_requests_get_a_clear_400(login_api, alice, path, body, field_or_code):
    reply = login_api(alice).post(path, body, format="json")
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert field_or_code in error.get("fields", {}) or error["code"] == field_or_code


def test_a_language_that_is_not_installed_is_a_422(login_api, alice, monkeypatch):
    monkeypatch.setattr(type(LANGUAGES["dart"]), "available", property(lambda self: self.id != "dart"))
    reply = login_api(alice).post(
        "/api/code/run/", {"language": "dart", "source": "void main(){}"}, format="json"
    )
    assert (reply.status_code, reply.json()["error"]["code"]) == (422, "language_unavailable")


@needs_sandbox
def test_runs_are_rate_limited_per_user(login_api, alice, bob, rate_limits):
    rate_limits(code_run="2/minute")
    client = login_api(alice)
    body = {"language": "python", "source": "print(1)"}
    assert [client.post("/api/code/run/", body, format="json").status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    refused = client.post("/api/code/run/", body, format="json")
    assert refused.json()["error"]["policy"] == "code_run" and int(refused["Retry-After"]) >= 1
    assert login_api(bob).post("/api/code/run/", body, format="json").status_code == 200


@needs_sandbox
def test_a_busy_runner_answers_429_with_retry_after(login_api, alice, monkeypatch):
    from lyceum.coding import services

    def busy(**kwargs):
        raise sandbox.Busy("Every code runner slot is busy.")

    monkeypatch.setattr(sandbox, "execute", busy)
    reply = login_api(alice).post(
        "/api/code/run/", {"language": "python", "source": "print(1)"}, format="json"
    )
    assert (reply.status_code, reply.json()["error"]["code"]) == (429, "runner_busy")
    assert reply["Retry-After"] == "2"
    assert services.SLOT_WAIT_SECONDS > 0


def test_a_server_that_cannot_sandbox_says_so(login_api, alice, monkeypatch):
    monkeypatch.setattr(sandbox, "available", lambda: (False, "the code runner needs root"))
    reply = login_api(alice).post(
        "/api/code/run/", {"language": "python", "source": "print(1)"}, format="json"
    )
    assert (reply.status_code, reply.json()["error"]["code"]) == (503, "runner_unavailable")
    assert "needs root" in reply.json()["error"]["message"]
