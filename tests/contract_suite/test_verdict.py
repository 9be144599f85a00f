"""The verdict a person reads: its words agree with its counts on every kind of run, and each broken promise says
which check failed, why, and how to reproduce it, in a console that fits on a screen or two."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from schemathesis.core.failures import CustomFailure, FailureGroup, ServerError

from deployhq_contract.verdict import check_promise, findings
from mutants.harness import ROOT, Finished, run_suite
from tests.hostile.judge import with_ctrl_c

from .conftest import CANARY_KEY, Server, canary_environment, role_credentials

README = ROOT / "README.md"
# What differs between two runs of one command: ports, identifiers, generated addresses.
_VARYING = (
    (re.compile(r"http://127\.0\.0\.1:(\d+|<port>)"), "http://127.0.0.1:<port>"),
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
    (re.compile(r"contract-[0-9a-f]+@"), "contract-<random>@"),
)
_LINE = re.compile(
    r"^(?P<url>\S+) (?P<head>[^:]+): (?P<kept>\d+) promises kept, (?P<broken>\d+) broken, "
    r"(?P<not_judged>\d+) not judged \(of (?P<total>\d+)\)$",
    re.MULTILINE,
)


@dataclass(frozen=True)
class Verdict:
    head: str
    kept: int
    broken: int
    not_judged: int
    total: int


def verdict_of(console: str, summary: str | None = None) -> Verdict:
    """The console's verdict line, checked for agreement: counts add up, the words match them, the summary agrees."""
    found = _LINE.findall(console)
    assert len(found) == 1, console[-3000:]
    _url, head, kept, broken, not_judged, total = found[0]
    verdict = Verdict(head, int(kept), int(broken), int(not_judged), int(total))
    assert verdict.kept + verdict.broken + verdict.not_judged == verdict.total
    if verdict.broken:
        assert head == "BREAKS the contract"
    elif verdict.not_judged:
        assert head != "keeps the contract"
    if summary is not None:
        assert _LINE.search(summary.replace("**", "")) is not None
        assert _LINE.findall(summary.replace("**", "")) == found
    return verdict


def normalised(text: str) -> str:
    for pattern, replacement in _VARYING:
        text = pattern.sub(replacement, text)
    return text


def readme_console(after: str) -> list[str]:
    """The lines of the README's first console block after the line *after* (its command)."""
    text = README.read_text(encoding="utf-8")
    rest = text.split(after, 1)[1]
    if rest.lstrip().startswith("```"):  # *after* is the sentence before the block, not the command inside it
        rest = rest.split("\n", 2)[2] if rest.startswith("\n") else rest.split("\n", 1)[1]
    block = rest.split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def suite(tmp_path: Path, *options: str, roles: bool = True, profile: str = "quick") -> tuple[Finished, str]:
    """A run of the suite (embedded unless *options* name a target): what it printed, and its summary."""
    env = canary_environment(tmp_path, **(role_credentials() if roles else {}))
    finished = run_suite(
        "--contract-profile", profile, f"--junitxml={tmp_path / 'junit.xml'}", *options, env=env
    )  # fmt: skip
    summary = tmp_path / "contract-summary.md"
    return finished, summary.read_text(encoding="utf-8") if summary.exists() else ""


def test_a_check_failure_names_its_check_operation_and_promise() -> None:
    """A schemathesis failure is read as an object: its check, the operation it failed on, the check's promise."""
    custom = CustomFailure(
        operation="POST /users",
        title="Custom check failed: `created_user_keeps_its_promises`",
        message="permission flag can_create_projects was sent as true but came back false",
        exception=AssertionError("x"),
    )
    server_error = ServerError(operation="GET /users", status_code=500, message="Internal Server Error")

    custom_finding, server_finding = findings(FailureGroup([custom, server_error], "Schemathesis found 2 failures"))

    assert ("created_user_keeps_its_promises", "createUser") == (custom_finding.check, custom_finding.operation)
    assert custom_finding.evidence == "permission flag can_create_projects was sent as true but came back false"
    assert custom_finding.promise == check_promise("created_user_keeps_its_promises")
    assert custom_finding.promise.startswith("A 201 to POST /users")
    assert ("not_a_server_error", "listUsers") == (server_finding.check, server_finding.operation)
    assert server_finding.evidence == "Server error: Internal Server Error"
    assert server_finding.promise == "No request is answered with a 5xx."


def test_a_bare_assert_says_why_and_keeps_no_secret() -> None:
    """A status assert without broken-promise lines still gives a reason: pytest's explanation and the answer."""
    error = AssertionError(
        f"\n    request: curl -X POST http://127.0.0.1:1/users -u '<email>:<api key>' -H 'X-Key: {CANARY_KEY}'"
        '\n    answer: 422 {"email_address": ["is taken"]}\nassert 201 == 422\n +  where 422 = <Response>.status_code'
    )

    (finding,) = findings(error, secrets=(CANARY_KEY,))

    assert finding.evidence == 'assert 201 == 422 (answered 422 {"email_address": ["is taken"]})'
    assert finding.reproduce.startswith("curl -X POST http://127.0.0.1:1/users")
    assert CANARY_KEY not in finding.reproduce


@pytest.mark.slow
def test_an_embedded_run_judges_a_429_per_operation_and_keeps_the_contract(tmp_path: Path) -> None:
    """The reference server answers each operation's first call with a 429: every promise is judged and kept."""
    finished, summary = suite(tmp_path, "-q")

    assert 0 == finished.code, finished.output[-3000:]
    verdict = verdict_of(finished.stdout, summary)
    assert (0, 0, "keeps the contract") == (verdict.broken, verdict.not_judged, verdict.head)
    assert "429s waited out and sent again: 7" in finished.stdout
    rate_limit_rows = [line for line in summary.splitlines() if line.startswith('| A 429 is {"status": 429')]
    assert 7 * ["kept"] == [row.rsplit("|", 2)[1].strip() for row in rate_limit_rows]
    assert "Traceback" not in finished.output
    # The README's passing example is what this run says.
    (documented,) = readme_console("A passing run (`nox -s contract`, the embedded reference server) ends with\n")
    assert normalised(documented) in normalised(finished.stdout).splitlines()


@pytest.mark.slow
@pytest.mark.parametrize("server", ["sent-flag-dropped"], indirect=True)
def test_a_one_fault_run_attributes_each_broken_promise_to_its_check(server: Server, tmp_path: Path) -> None:
    """A variant that drops a sent flag: each broken line names its check and that check's evidence, briefly."""
    # The README's failing example: the default profile, the administrator's credentials only.
    finished, summary = suite(tmp_path, "--base-url", server.base_url, roles=False, profile="ci")

    assert 1 == finished.code, finished.output[-3000:]
    verdict = verdict_of(finished.stdout, summary)
    assert verdict.broken > 0
    console = finished.stdout.splitlines()
    assert len(console) <= 120, finished.stdout
    # The scenarios' failure is the check's, on the operation it failed on, not the scenario's (use_after_free).
    scenario = console.index("    test: contract_tests/test_stateful.py::test_invite_read_and_remove_scenarios")
    promise = max(i for i in range(scenario) if console[i].startswith("  ") and not console[i].startswith("    "))
    assert console[promise].startswith("  createUser: A 201 to POST /users: defaults applied"), console[promise]
    assert console[promise].endswith("[check created_user_keeps_its_promises]")
    assert console[promise + 1] == "    why: permission flag can_create_projects was sent as true but came back false"
    assert "use_after_free" not in finished.stdout.split("broken (", 1)[1]
    assert "use_after_free" not in summary.split("## How to reproduce each broken promise", 1)[1]
    for noise in ("Unset object", "@reproduce_failure", "Traceback", "FAILED contract_tests"):
        assert noise not in finished.stdout
    # Every broken promise in the console is followed by its why, and every one in the summary too.
    broken = finished.stdout.split("broken (", 1)[1].split("not judged (", 1)[0].splitlines()[1:]
    promises = [i for i, line in enumerate(broken) if line.startswith("  ") and not line.startswith("    ")]
    assert len(promises) == verdict.broken
    for index in promises:
        assert broken[index + 1].startswith("    why: "), broken[index : index + 2]
    reproduce = summary.split("## How to reproduce each broken promise", 1)[1]
    entries = reproduce.count("  - found by `")
    assert entries >= verdict.broken
    assert reproduce.count("    - why: `") >= verdict.broken
    assert all(line.strip() != "- why: ``" for line in reproduce.splitlines())
    assert CANARY_KEY not in finished.output + summary + (tmp_path / "junit.xml").read_text(encoding="utf-8")
    # The README's failing example is an excerpt of this run's console, in order, and its length is this one's.
    documented = readme_console("  pytest contract_tests --base-url http://127.0.0.1:8765\n")
    assert documented[0] == "..."
    # Which generated requests fail first varies from run to run, so the split of kept and broken may too; the
    # headline, the total and the promises not judged may not.
    said = verdict_of(documented[1])
    assert (said.head, said.not_judged, said.total) == (verdict.head, verdict.not_judged, verdict.total)
    seen = iter(normalised(finished.stdout).splitlines())
    for line in documented[3:]:
        if line.strip() != "...":
            assert any(normalised(line) == printed for printed in seen), line
    stated = int(re.search(r"Its console is (\d+) lines long", README.read_text(encoding="utf-8")).group(1))  # type: ignore[union-attr]
    assert abs(len(console) - stated) <= 5, len(console)
    # The full tracebacks are kept in the JUnit report.
    assert "Traceback" in (tmp_path / "junit.xml").read_text(encoding="utf-8")


@pytest.mark.slow
def test_an_interrupted_embedded_run_counts_every_promise_and_prints_no_server_traceback(tmp_path: Path) -> None:
    """Ctrl-C in the middle of a run: exit 2, no uvicorn or Starlette traceback, every promise counted."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        "contract_tests",
        "-p",
        "no:cacheprovider",
        # The quick profile reaches the fuzzing sooner; what is judged before it does not matter here.
        "--contract-profile",
        "quick",
        f"--junitxml={tmp_path / 'j.xml'}",
    ]
    env = canary_environment(tmp_path, **role_credentials())
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, preexec_fn=with_ctrl_c
    )
    lines: list[str] = []
    reached = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if "test_conformance.py" in line:
                reached.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert reached.wait(180), "".join(lines)[-3000:]
        # pytest ends a file's line when the file is done: the run is in its last phases (stateful, scale) now.
        time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    reader.join(10)
    assert process.stdout is not None
    process.stdout.close()
    output = "".join(lines)

    assert 2 == code, output[-3000:]
    for noise in ("ClientDisconnect", "Exception in ASGI application", "uvicorn", "starlette"):
        assert noise not in output, output[-3000:]
    verdict = verdict_of(output)
    assert verdict.head == "was interrupted before every promise was judged"
    assert "  not reached: the run was interrupted (" in output
    assert verdict.total >= 90  # every collected promise, not only those reached


def suite_with_plugin(tmp_path: Path, name: str, source: str) -> Finished:
    """The embedded run of test_read.py's promises, quick profile, with the pytest plugin *source* loaded as *name*."""
    (tmp_path / f"{name}.py").write_text(source, encoding="utf-8")
    env = canary_environment(tmp_path, PYTHONPATH=f"{tmp_path}{os.pathsep}{ROOT}")
    return run_suite(
        "-p", name, "--contract-profile", "quick", "-k", "test_read", f"--junitxml={tmp_path / 'junit.xml'}", env=env
    )


# A Ctrl-C that Python can only report as "an exception ignored": raised where nothing can catch it (a finalizer here;
# in a real run, Hypothesis' garbage-collection callback), once, in the middle of the first promise.
CTRL_C_IN_A_CALLBACK = """
import pytest

class _InterruptedFinalizer:
    def __del__(self):
        raise KeyboardInterrupt

_done = []

@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item):
    if not _done:
        _done.append(True)
        _InterruptedFinalizer()  # dropped at once: its __del__ raises where no caller can catch it
"""


@pytest.mark.slow
def test_ctrl_c_ignored_in_a_callback_interrupts_the_run_and_breaks_no_promise(tmp_path: Path) -> None:
    """A Ctrl-C that Python reports as ignored (it landed in a callback) stops the run as Ctrl-C does: exit 2,
    "interrupted", and no promise is called broken for it (pytest made it a warning, the warning a failure)."""
    finished = suite_with_plugin(tmp_path, "ctrl_c_in_a_callback", CTRL_C_IN_A_CALLBACK)

    verdict = verdict_of(finished.stdout)
    assert (2, 0, "was interrupted before every promise was judged") == (finished.code, verdict.broken, verdict.head), (
        finished.output[-3000:]
    )


WARNING_IN_A_PROMISE = """
import os
import warnings

import pytest

_done = []


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item):
    # Once a run: in the first process (the second, beside.py, loads this plugin too).
    if not _done and not os.environ.get("DEPLOYHQ_CONTRACT_SIDE_RESULT"):
        _done.append(True)
        warnings.warn("a library's deprecation", DeprecationWarning, stacklevel=1)
"""


@pytest.mark.slow
def test_a_warning_made_an_error_leaves_its_promise_not_judged_not_broken(tmp_path: Path) -> None:
    """Under this repository's `filterwarnings = error`, a warning during a promise stops that promise: it is not
    judged, with the warning as reason; the target broke nothing."""
    finished = suite_with_plugin(tmp_path, "warning_in_a_promise", WARNING_IN_A_PROMISE)

    verdict = verdict_of(finished.stdout)
    assert (0, 0, 1) == (finished.code, verdict.broken, verdict.not_judged), finished.output[-3000:]
    assert "a warning stopped it, made an error by pytest's filterwarnings: DeprecationWarning" in finished.stdout


@pytest.mark.slow
def test_an_embedded_run_honours_a_budget_of_zero(tmp_path: Path) -> None:
    """--create-budget 0 without --base-url: the embedded server gets no invitation either."""
    finished, summary = suite(tmp_path, "-q", "--create-budget", "0", "-k", "test_invite or test_read")

    assert 0 == finished.code, finished.output[-3000:]
    assert "users created: 0 " in finished.stdout
    verdict = verdict_of(finished.stdout, summary)
    assert verdict.head == "keeps every promise judged"
    assert verdict.not_judged > 0
    assert "the run's budget" in finished.stdout


@pytest.mark.slow
def test_the_last_administrator_skip_says_why_truly(server: Server, tmp_path: Path) -> None:
    """Signed in as a manager, the only activated administrator is someone else: the skip says so, not "none"."""
    manager = role_credentials()
    env = canary_environment(tmp_path)
    env.update(DEPLOYHQ_EMAIL=manager["DEPLOYHQ_MANAGER_EMAIL"], DEPLOYHQ_API_KEY=manager["DEPLOYHQ_MANAGER_API_KEY"])
    finished = run_suite(
        "--base-url", server.base_url, "-q", "-k", "test_last_administrator", f"--junitxml={tmp_path / 'junit.xml'}",
        env=env,
    )  # fmt: skip

    assert 0 == finished.code, finished.output[-3000:]
    assert (
        "  the account's only activated administrator is not the user the suite signs in as (3):" in finished.stdout
    ), finished.stdout[-3000:]
    assert "so none is the last" not in finished.stdout
    verdict_of(finished.stdout)
