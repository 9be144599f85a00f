"""A team's own promises run with the built-in ones: same fixtures, rails and summary, ordered by their rank."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from deployhq_contract.options import OPTIONS
from deployhq_sandbox import Accounts
from mutants.harness import ROOT, environment, run_suite

pytestmark = pytest.mark.slow

EXAMPLE = ROOT / "docs" / "examples" / "own_promises"
KEPT = "| The account has at most three activated administrators. | own | kept |"
BROKEN = (
    "| An invitation whose first name starts in lower case is refused (422) and creates nobody. | own | **broken** |"
)


@pytest.mark.parametrize("command", ["pytest", "deployhq-contract"])
def test_example_promises_are_judged_and_summarised(command: str, tmp_path: Path) -> None:
    """The README's example, run with the suite, is in the summary: one promise kept, one broken (exit 1)."""
    options = ["--contract-profile", "quick", "-q", f"--junitxml={tmp_path / 'junit.xml'}"]
    if command == "pytest":
        finished = run_suite(str(EXAMPLE), *options, env=environment(Accounts.defaults()))
        code, output = finished.code, finished.output
    else:
        result = subprocess.run(
            [sys.executable, "-m", "deployhq_contract", str(EXAMPLE), *options],
            cwd=tmp_path, env=environment(Accounts.defaults()), capture_output=True, text=True, timeout=600,
            check=False,
        )  # fmt: skip
        code, output = result.returncode, result.stdout + result.stderr
    summary = (tmp_path / "contract-summary.md").read_text(encoding="utf-8")

    assert (1, True, True) == (code, KEPT in summary, BROKEN in summary), output[-3000:]
    # The verdict names the test of each broken promise (pytest's own FAILED list is left out of the console).
    failed = [line.strip() for line in output.splitlines() if line.strip().startswith("test: ")]
    assert [True] == [
        line.endswith("own_promises/test_account_rules.py::test_first_names_start_with_a_capital") for line in failed
    ]


def test_a_file_without_rank_runs_between_explicit_and_generated_promises(tmp_path: Path) -> None:
    """An unmarked promise file is collected (no list refuses it) and ordered at the default rank."""
    (tmp_path / "test_unranked.py").write_text('def test_it(target):\n    """A promise."""\n', encoding="utf-8")
    finished = run_suite(str(tmp_path), "--collect-only", "-q", env=environment(Accounts.defaults()))
    files = list(dict.fromkeys(line.split("::")[0].rsplit("/", 1)[-1] for line in finished.stdout.splitlines()))

    assert 0 == finished.code, finished.output[-3000:]
    assert ["test_client_roundtrip.py", "test_unranked.py", "test_consistency.py"] == files[
        files.index("test_client_roundtrip.py") : files.index("test_consistency.py") + 1
    ]


def test_plain_pytest_elsewhere_is_unaffected(tmp_path: Path) -> None:
    """pytest on another project's tests in this environment: no judge, no target, no reports, no fixture of ours."""
    (tmp_path / "test_plain.py").write_text(
        "def test_plain(request):\n    assert 'api' not in request.fixturenames\n", encoding="utf-8"
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--fixtures", "test_plain.py"],
        cwd=tmp_path, env=environment(), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "test_plain.py"],
        cwd=tmp_path, env=environment(), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert (0, False) == (run.returncode, "contract target" in run.stdout), run.stdout[-2000:]
    assert "The generated client, built the way users build it" not in result.stdout
    assert not (tmp_path / "reports").exists()


def test_naming_an_option_activates_the_judge(tmp_path: Path) -> None:
    """Every option the plugin adds is one whose use activates the judge, and `--help` lists them all."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--help"],
        cwd=tmp_path, env=environment(), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    section = result.stdout.partition("DeployHQ Users API contract suite:")[2].partition("\n\n")[0]
    listed = {word.partition("=")[0].rstrip(",)") for word in section.split() if word.startswith("--")}

    assert set(OPTIONS) == listed
