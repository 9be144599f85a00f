"""A run's records are its own: a second run in the same process starts from nothing the first one left."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from mutants.harness import ROOT, environment

pytestmark = pytest.mark.slow

# The first run judges two decided invitation promises, the second one decided update promise; each writes its
# calibration, which the script reads back before the next run starts.
SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    import pytest

    found = []
    for tmp, selected in ((sys.argv[1], sys.argv[2]), (sys.argv[3], sys.argv[4])):
        code = pytest.main([
            "contract_tests", "-q", "-p", "no:cacheprovider", "--contract-profile", "quick", "--create-budget", "20",
            "-k", selected, "--junitxml", os.path.join(tmp, "junit.xml"),
        ])
        with open(os.path.join(tmp, "contract-calibration.json"), encoding="utf-8") as file:
            report = json.load(file)
        with open(os.path.join(tmp, "contract-summary.md"), encoding="utf-8") as file:
            head = next(line for line in file if "promises" in line)
        found.append({"code": int(code), "report": report, "head": head.strip()})
    print("RUNS " + json.dumps(found))
    """
)
FIRST = "test_names_come_back_exactly_as_sent or test_address_comes_back_exactly_as_sent"
SECOND = "test_last_name_can_be_emptied"


def judged(run: dict[str, Any]) -> dict[str, object]:
    """Each decision the run exercised: a rule's count of confirmations, a promise's status."""
    decisions: list[dict[str, Any]] = run["report"]["decisions"]
    return {d["decision"]: d.get("confirmed", d["status"]) for d in decisions if d["status"] != "not exercised"}


def test_a_second_run_counts_only_its_own_promises(tmp_path: Path) -> None:
    """Two runs in one process: the second's calibration and summary count only the promises it judged."""
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    env = environment(DEPLOYHQ_CONTRACT_LEDGER=str(tmp_path / "ledger.txt"))
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(first), FIRST, str(second), SECOND],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    line = next((x for x in result.stdout.splitlines() if x.startswith("RUNS ")), "")
    assert line, result.stdout[-3000:] + result.stderr[-2000:]
    runs: list[dict[str, Any]] = json.loads(line.removeprefix("RUNS "))

    assert [0, 0] == [run["code"] for run in runs], result.stdout[-3000:]
    assert {
        "last_name_null": 1,
        "test_invite.py::test_address_comes_back_exactly_as_sent": "confirmed",
        "test_invite.py::test_names_come_back_exactly_as_sent": "confirmed",
    } == judged(runs[0])
    assert {"test_update.py::test_last_name_can_be_emptied": "confirmed"} == judged(runs[1])
    assert "0 broken" in runs[1]["head"]
