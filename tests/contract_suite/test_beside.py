"""The explicit promises judged in a second process beside the fuzzing (deployhq_contract/beside.py): one run, one
verdict, reports and counts as if one process had judged everything; a side that fails costs time, not judgement."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from deployhq_contract.beside import SIDE_FUZZ
from deployhq_contract.operations import OPERATIONS
from deployhq_sandbox import Accounts, create_app, serve
from mutants._rewrite import Exchange, Rewrite
from mutants.harness import run_suite

from .conftest import ADMIN, CANARY_KEY, Server, canary_environment

pytestmark = pytest.mark.slow

# Each promise notes which process judged it, and in what order.
PROMISES = '''
import os
from pathlib import Path

import pytest


def note(what):
    with Path(os.environ["NOTES"]).open("a") as notes:
        notes.write(f"{what} {os.getpid()}\\n")


@pytest.mark.contract_beside
@pytest.mark.contract_rank(10)
def test_beside(api):
    """A promise that may be judged beside the fuzzing: it invites a user and reads it back."""
    user = api.fresh_user()
    assert 200 == api.get(user["identifier"]).status_code
    note("beside")


@pytest.mark.contract_concurrent
@pytest.mark.contract_rank(120)
def test_concurrent(api):
    """A promise that holds while the side judges."""
    assert 200 == api.list().status_code
    note("concurrent")
'''
# In a folder of its own: pytest must have ended the first file's fixtures when it reaches this one (the side's
# tests in between are shown here, not judged here).
LATER = '''
import os
from pathlib import Path

import pytest


@pytest.mark.contract_rank(200)
def test_alone(api):
    """A promise that needs the account alone: judged once the side has ended."""
    assert 200 == api.list().status_code
    with Path(os.environ["NOTES"]).open("a") as notes:
        notes.write(f"alone {os.getpid()}\\n")
'''


def judge(tmp_path: Path, server: Server | None, promises: str, *options: str) -> tuple[int, str]:
    """The judge on one promise file against *server* (a loopback target of its own: the embedded one keeps one
    process, as does the quick profile)."""
    (tmp_path / "test_promises.py").write_text(promises, encoding="utf-8")
    (tmp_path / "later").mkdir(exist_ok=True)
    (tmp_path / "later" / "test_later.py").write_text(LATER, encoding="utf-8")
    notes = tmp_path / "notes.txt"
    notes.unlink(missing_ok=True)
    env = canary_environment(tmp_path, NOTES=str(notes))
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "test_promises.py", "later"]
    command += ["--base-url", server.base_url] if server is not None else []  # None: the embedded server
    command += ["--contract-profile", "ci", f"--junitxml={tmp_path / 'junit.xml'}", *options]
    result = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False
    )  # fmt: skip
    return result.returncode, result.stdout + result.stderr


def notes(tmp_path: Path) -> list[tuple[str, int]]:
    lines = (tmp_path / "notes.txt").read_text(encoding="utf-8").split()
    return [(lines[i], int(lines[i + 1])) for i in range(0, len(lines), 2)]


def run_line(output: str) -> str:
    """The verdict's `requests sent: ...; users created: ...` line."""
    return next(line for line in output.splitlines() if line.startswith("requests sent:"))


def test_beside_promises_are_judged_in_a_second_process_and_counted_as_one_run(tmp_path: Path, server: Server) -> None:
    """The side judges the `contract_beside` promise while this process judges the concurrent one, and the one that
    needs the account alone waits for the side's end; console, JUnit report, summary and counts are one run's."""
    code, output = judge(tmp_path, server, PROMISES)
    order = notes(tmp_path)
    junit = (tmp_path / "junit.xml").read_text(encoding="utf-8")
    summary = (tmp_path / "contract-summary.md").read_text(encoding="utf-8")
    serial_code, serial_output = judge(tmp_path, server, PROMISES, "--contract-serial")

    assert 0 == code, output[-3000:]
    assert "3 passed" in output.splitlines()[-1], output[-2000:]
    assert {"beside", "concurrent", "alone"} == {what for what, _ in order}, order
    pids = dict(order)
    assert pids["beside"] != pids["concurrent"] == pids["alone"], order
    assert "alone" == order[-1][0], order  # after the side's promise, whatever the order of the other two
    assert 3 == len(re.findall(r"<testcase ", junit)), junit
    assert "A promise that may be judged beside the fuzzing" in summary
    assert "3 promises kept, 0 broken" in output
    # The side's requests and users are the run's: the same counts as one process judging everything.
    assert (0, run_line(serial_output)) == (serial_code, run_line(output))
    assert len({pid for _, pid in notes(tmp_path)}) == 1, "--contract-serial judges everything in one process"


def test_a_promise_broken_beside_fails_the_run_and_never_shows_the_key(tmp_path: Path, server: Server) -> None:
    """A failure judged in the side is this run's failure (exit 1, named in the verdict and the JUnit report), and
    the key it put into its message is cut out of every output, as for a failure judged here."""
    broken = PROMISES.replace(
        '    note("beside")', '    note("beside")\n    assert api.target.admin.api_key == "", api.target.admin.api_key'
    )
    code, output = judge(tmp_path, server, broken, "-l", "--tb=long", "-vv")
    junit = (tmp_path / "junit.xml").read_text(encoding="utf-8")
    summary = (tmp_path / "contract-summary.md").read_text(encoding="utf-8")

    assert 1 == code, output[-3000:]
    assert "test: test_promises.py::test_beside" in output, output[-3000:]
    assert "could not read" not in output, output[-3000:]  # replayed, not judged again here
    assert 1 == [what for what, _ in notes(tmp_path)].count("beside"), notes(tmp_path)
    assert "<failure" in junit
    assert "test_beside" in junit
    assert [] == [name for name, text in (("output", output), ("junit", junit), ("summary", summary))
                  if CANARY_KEY in text or CANARY_KEY[8:24] in text]  # fmt: skip


def test_a_side_that_ends_without_results_costs_time_not_judgement(tmp_path: Path, server: Server) -> None:
    """A side that dies (here: at once, as a crash would) leaves its promises to this process, which says so."""
    dying = "import os\nif os.environ.get('DEPLOYHQ_CONTRACT_SIDE_RESULT'):\n    os._exit(3)\n" + PROMISES
    code, output = judge(tmp_path, server, dying)

    assert 0 == code, output[-3000:]
    assert "the second process judged nothing (it ended with exit code 3" in output, output[-3000:]
    assert "3 passed" in output.splitlines()[-1]
    assert len({pid for _, pid in notes(tmp_path)}) == 1


@pytest.mark.parametrize("option", ["-x", "--maxfail=2", "--contract-serial", "--contract-profile=quick", "embedded"])
def test_runs_a_second_process_would_not_help_keep_one(tmp_path: Path, server: Server, option: str) -> None:
    """Stopping at the first failure needs every promise in one process, in rank order; a short fuzzing ends before
    a second process has started; the embedded server answers on the first process' own core."""
    if option == "embedded":
        code, output = judge(tmp_path, None, PROMISES)
    else:
        code, output = judge(tmp_path, server, PROMISES, option)

    assert 0 == code, output[-3000:]
    assert ["beside", "concurrent", "alone"] == [what for what, _ in notes(tmp_path)]
    assert len({pid for _, pid in notes(tmp_path)}) == 1


def test_users_the_side_creates_on_a_target_are_removed(tmp_path: Path, server: Server) -> None:
    """Against a server of its own, the side's users are the run's: counted, and removed by the end."""
    code, output = judge(tmp_path, server, PROMISES)

    assert 0 == code, output[-3000:]
    assert len({pid for _, pid in notes(tmp_path)}) == 2
    assert re.search(r"users created: 1, deleted: 1, left behind: 0", output), output[-3000:]
    assert 0 == server.suite_users()


def _replace_answers_without_time_zone(exchange: Exchange) -> None:
    if exchange.operation == "replaceUser" and exchange.status == 200:
        user = exchange.json()
        user.pop("time_zone", None)
        exchange.set_json(user)


def judge_replace_fault(tmp_path: Path, selection: str) -> tuple[int, list[str]]:
    """The built-in suite, `-k` *selection*, against a reference server whose replaceUser answers lack time_zone."""
    accounts = Accounts.from_env({"DEPLOYHQ_EMAIL": ADMIN, "DEPLOYHQ_API_KEY": CANARY_KEY}, with_role_users=False)
    faithful = create_app(tmp_path / "users.sqlite3", accounts=accounts)
    # Any: Rewrite's __call__ is typed more loosely than starlette's ASGIApp (as mutants.build's apps are).
    app: Any = Rewrite(faithful, answer=_replace_answers_without_time_zone)
    with serve(app) as base_url:
        finished = run_suite(
            "--base-url", base_url, "-v", "--contract-profile", "ci", "-k", selection,
            f"--junitxml={tmp_path / 'junit.xml'}", env=canary_environment(tmp_path),
        )  # fmt: skip
    return finished.code, finished.output.splitlines()


# The verdict's line naming replaceUser's fuzzing as a broken promise's test.
REPLACE_FUZZING = "    test: contract_tests/test_conformance.py::test_operation_honours_the_contract[{}]".format(
    OPERATIONS["replaceUser"].label
)


def test_the_side_fuzzes_replace_user_after_its_promises_and_its_findings_are_the_runs(tmp_path: Path) -> None:
    """The side also fuzzes replaceUser (beside.SIDE_FUZZ), once its explicit promises have created users to aim at:
    a fault in replaceUser's answers fails that fuzzing, named in the verdict, shown after the fuzzing judged here."""
    assert ("replaceUser",) == SIDE_FUZZ
    code, lines = judge_replace_fault(tmp_path, "honours_the_contract or test_update.py")
    judged = [line.split(" ")[0].split("::")[0] for line in lines if line.startswith("contract_tests/")]
    fuzzed_here = judged.index("contract_tests/test_update.py")

    assert 1 == code, "\n".join(lines[-60:])
    assert REPLACE_FUZZING in lines
    assert [] == [line for line in lines if "could not read" in line]  # the side's failures are replayed as judged
    # One process would judge the updates (rank 50) before any fuzzing (120); here the other six operations' fuzzing
    # comes first, and the side's replaceUser fuzzing is shown after its updates.
    assert ["contract_tests/test_conformance.py"] * 6 == judged[:fuzzed_here], judged
    assert "contract_tests/test_conformance.py" == judged[-1], judged


def test_the_fuzzing_alone_fuzzes_replace_user_where_users_were_made(tmp_path: Path) -> None:
    """Without an explicit promise in the run, the side would have no user of its own to aim replaceUser's fuzzing
    at (every valid PUT a 404): it stays in the first process, after createUser's fuzzing, and finds the fault."""
    code, lines = judge_replace_fault(tmp_path, "honours_the_contract")

    assert (1, True) == (code, REPLACE_FUZZING in lines), "\n".join(lines[-60:])


# In the first process only: the side's reports of test_beside cannot be read back.
UNREADABLE = """
import os

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_report_from_serializable(config, data):
    if "test_beside" in data.get("nodeid", "") and not os.environ.get("DEPLOYHQ_CONTRACT_SIDE_RESULT"):
        raise ValueError("unreadable on purpose")
"""


def test_a_report_that_cannot_be_read_back_is_judged_here_and_counted_once(tmp_path: Path, server: Server) -> None:
    """A side's report this process cannot read is judged again here, saying so; the verdict is this judgement's
    (here: the side's was a failure), and its promise is counted once."""
    (tmp_path / "conftest.py").write_text(UNREADABLE, encoding="utf-8")
    fails_in_the_side = PROMISES.replace(
        '    note("beside")', '    note("beside")\n    assert not os.environ.get("DEPLOYHQ_CONTRACT_SIDE_RESULT")'
    )
    code, output = judge(tmp_path, server, fails_in_the_side)
    summary = (tmp_path / "contract-summary.md").read_text(encoding="utf-8")

    assert 0 == code, output[-3000:]
    assert 2 == len({pid for what, pid in notes(tmp_path) if what == "beside"})  # judged there, then here
    assert "could not read the second process' report of test_promises.py::test_beside" in output, output[-3000:]
    assert "3 promises kept, 0 broken" in output, output[-3000:]
    assert 1 == summary.count("A promise that may be judged beside the fuzzing"), summary
