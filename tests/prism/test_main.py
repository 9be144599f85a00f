"""`python -m second_judge`, as a person or `nox -s second_judge` runs it: its verdicts and its refusals."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mutants.harness import ROOT, environment
from second_judge.__main__ import DEFAULT_PRISM_DIR, main, run

# Tests of operations every version of the reference server implements: a short run with real verdicts.
SHORT = ["-k", "test_invite or test_read"]


def second_judge(*args: str, reports: Path) -> subprocess.CompletedProcess[str]:
    """`python -m second_judge` from the repository root, writing its reports to *reports*."""
    command = [sys.executable, "-m", "second_judge", "--prism-dir", str(DEFAULT_PRISM_DIR), "--reports", str(reports)]
    return subprocess.run(
        [*command, *args],
        cwd=ROOT,
        env=environment(PYTHONPATH=str(ROOT / "tools")),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.parametrize("name", ["no-such-variant", "faithful", "accepts-duplicates", "adds-a-field", "lenient"])
def test_variant_must_have_a_schema_fault(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A name that is not a variant whose answers break the schema is refused with exit 2, naming it.

    accepts-duplicates breaks a promise no schema states; adds-a-field and lenient break nothing Prism can see.
    """
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # were the name accepted, the run would stop at once
    with pytest.raises(SystemExit) as exited:
        main(["--variant", name, "--prism-dir", str(tmp_path / "prism"), "--reports", str(tmp_path / "reports")])

    assert 2 == exited.value.code
    assert f"invalid choice: '{name}'" in capsys.readouterr().err


def test_without_nodejs_nothing_is_judged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without Node.js the run exits 4 and says what to install, before starting any server."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))

    assert 4 == main(["--prism-dir", str(tmp_path / "prism"), "--reports", str(tmp_path / "reports")])
    assert "could not judge: node not found on PATH" in capsys.readouterr().err
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize(
    ("option", "value", "problem"),
    [
        ("--prism-dir", "/dev/null", "--prism-dir /dev/null is not a folder"),
        ("--reports", "/dev/null/x", "--reports /dev/null/x cannot be a folder: /dev/null is not a folder"),
    ],
    ids=["prism-dir is a file", "reports under a file"],
)
def test_folder_that_cannot_be_one_is_not_judged(tmp_path: Path, option: str, value: str, problem: str) -> None:
    """A folder option naming a file, or a path under one, exits 4 with one line naming it, before any server."""
    folders = {"--prism-dir": str(tmp_path / "prism"), "--reports": str(tmp_path / "reports"), option: value}
    command = [sys.executable, "-m", "second_judge", *(part for pair in folders.items() for part in pair)]
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=environment(PYTHONPATH=str(ROOT / "tools")),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert (4, "", f"second judge: could not judge: {problem}\n") == (result.returncode, result.stdout, result.stderr)
    assert [] == list(tmp_path.iterdir())


@pytest.mark.slow
def test_prism_passes_the_reference_server_and_catches_a_schema_fault(prism: Path, tmp_path: Path) -> None:
    """Prism finds nothing wrong in front of the reference server, a violation in front of id-mistyped: exit 0."""
    result = second_judge("--variant", "id-mistyped", "--", *SHORT, reports=tmp_path)

    assert 0 == result.returncode, result.stdout + result.stderr
    faithful, broken = (line for line in result.stdout.splitlines() if "answers judged" in line)
    assert "Prism: 0 response violation(s)" in faithful
    assert "suite through Prism: exit 0" in faithful
    assert "suite through Prism: exit 1" in broken
    assert "1 x error: response.body.id: Response body property id must be integer" in result.stdout
    assert {"prism.log", "junit.xml", "contract-summary.md"} <= {p.name for p in (tmp_path / "faithful").iterdir()}


@pytest.mark.slow
def test_variant_without_schema_fault_fails_the_run(
    prism: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Behind a variant Prism cannot catch (the option refuses it; run() does not), the run fails, saying so."""
    code = run("accepts-duplicates", DEFAULT_PRISM_DIR, tmp_path, SHORT)
    out = capsys.readouterr().out

    assert 1 == code, out
    assert "Prism found no response violation in front of accepts-duplicates" in out
    assert "failed accepts-duplicates (Prism did NOT)" in out


@pytest.mark.slow
def test_run_that_selects_no_test_is_not_a_pass(prism: Path, tmp_path: Path) -> None:
    """Options that leave the suite nothing to run give no verdict (exit 4), not a vacuous pass."""
    result = second_judge("--", "-k", "no_test_has_this_name", reports=tmp_path)

    assert 4 == result.returncode, result.stdout + result.stderr
    assert "could not judge faithful: the suite exited 5" in result.stdout


@pytest.mark.slow
def test_terminated_run_stops_prism(prism: Path, tmp_path: Path) -> None:
    """A run cancelled with SIGTERM (as CI cancels) exits 143 and leaves no Prism listening."""
    command = [sys.executable, "-m", "second_judge", "--prism-dir", str(DEFAULT_PRISM_DIR), "--reports", str(tmp_path)]
    log = tmp_path / "faithful" / "prism.log"
    with subprocess.Popen(
        command, cwd=ROOT, env=environment(PYTHONPATH=str(ROOT / "tools")), stdout=subprocess.DEVNULL
    ) as run:
        listening = None
        for _ in range(600):
            listening = re.search(r"Prism is listening on http://127\.0\.0\.1:(\d+)", _text(log))
            if listening or run.poll() is not None:
                break
            time.sleep(0.1)
        assert listening is not None, _text(log)
        run.send_signal(signal.SIGTERM)

        assert 143 == run.wait(60)
    with socket.socket() as probe:
        assert 0 != probe.connect_ex(("127.0.0.1", int(listening[1])))


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""
