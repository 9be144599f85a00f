"""The reports a run writes: readable as any file is, and a report that cannot be written is said, not a crash."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from mutants.harness import environment, run_suite

pytestmark = pytest.mark.slow

SELECTED = "test_names_come_back_exactly_as_sent"


def _run(reports: Path, ledger: Path) -> tuple[int, str]:
    finished = run_suite(
        "-q", "--contract-profile", "quick", "--create-budget", "5", "-k", SELECTED,
        "--junitxml", str(reports / "junit.xml"), env=environment(DEPLOYHQ_CONTRACT_LEDGER=str(ledger)),
    )  # fmt: skip
    return finished.code, finished.stdout + finished.stderr


def test_reports_are_readable_by_others_as_new_files_are(tmp_path: Path) -> None:
    """Written through a temporary file, the summary and calibration still get a new file's mode (0644 here)."""
    umask = os.umask(0o022)
    os.umask(umask)
    new_file = 0o666 & ~umask
    code, output = _run(tmp_path, tmp_path / "ledger.txt")
    names = ("contract-summary.md", "contract-calibration.json")
    modes = {name: stat.S_IMODE((tmp_path / name).stat().st_mode) for name in names}
    assert (0, dict.fromkeys(names, new_file)) == (code, modes), output[-2000:]


@pytest.mark.parametrize("blocked", ["contract-summary.md", "contract-calibration.json"])
def test_a_report_that_cannot_be_written_is_said_and_the_verdict_stands(tmp_path: Path, blocked: str) -> None:
    """A report path that is a folder: one line names it, the other report and the verdict are still there, exit 0."""
    (tmp_path / blocked).mkdir()
    code, output = _run(tmp_path, tmp_path / "ledger.txt")
    other = ({"contract-summary.md", "contract-calibration.json"} - {blocked}).pop()
    assert (0, True, True, False) == (
        code,
        f"not written: {tmp_path / blocked} (Is a directory)" in output,
        (tmp_path / other).is_file(),
        "Traceback" in output,
    ), output[-3000:]
    assert "keeps the contract" in output
