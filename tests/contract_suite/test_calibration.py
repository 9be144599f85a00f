"""A live run calibrates this contract's decisions; loopback runs stay strict."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mutants.harness import run_suite

from .conftest import CANARY_KEY, Server, canary_environment, live_options, role_credentials

pytestmark = pytest.mark.slow


def calibration(tmp_path: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads((tmp_path / "contract-calibration.json").read_text(encoding="utf-8"))
    return report


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {decision["decision"]: decision["status"] for decision in report["decisions"]}


@pytest.mark.parametrize("server", ["as-deployhq-may"], indirect=True)
def test_decisions_answered_otherwise_pass_live_and_are_listed_as_contradicted(server: Server, tmp_path: Path) -> None:
    """422 as {"errors": [...]} and last_name "": a --live run passes and lists both decisions as contradicted."""
    finished = run_suite(*live_options(server, tmp_path), env=canary_environment(tmp_path, **role_credentials()))
    report = calibration(tmp_path)
    found = statuses(report)
    contradicted = {d["decision"]: d["contradicted"] for d in report["decisions"] if d["status"] == "contradicted"}

    assert 0 == finished.code, finished.output[-4000:]
    assert ("contradicted", "contradicted") == (found["last_name_null"], found["validation_map"])
    assert "differs from what this contract decided" in finished.stdout
    assert all(e["request"].startswith("curl -X ") and e["answer"] for e in contradicted["last_name_null"])
    assert '{"errors": [' in contradicted["validation_map"][0]["answer"]
    assert CANARY_KEY not in json.dumps(report) + finished.output
    summary = (tmp_path / "contract-summary.md").read_text(encoding="utf-8")
    assert "## Differs from what this contract decided" in summary
    assert "An invitation without last_name answers last_name null." in summary.split("## Differs")[1]


@pytest.mark.parametrize("server", ["as-deployhq-may"], indirect=True)
def test_the_same_answers_fail_on_loopback(server: Server, tmp_path: Path) -> None:
    """Without --live the same variant breaks the contract: loopback targets are judged strictly."""
    options = ["--base-url", server.base_url, "-q", f"--junitxml={tmp_path / 'junit.xml'}", "-x"]
    finished = run_suite(*options, env=canary_environment(tmp_path, **role_credentials()))

    assert 1 == finished.code, finished.output[-4000:]
    assert "contradicted" in statuses(calibration(tmp_path)).values()


@pytest.mark.parametrize("server", ["as-deployhq-may"], indirect=True)
def test_contract_strict_fails_a_live_run_on_a_decision(server: Server, tmp_path: Path) -> None:
    """With --contract-strict a --live run fails on a contradicted decision, as on loopback."""
    options = live_options(server, tmp_path, "--contract-strict", "-x")
    finished = run_suite(*options, env=canary_environment(tmp_path, **role_credentials()))

    assert 1 == finished.code, finished.output[-4000:]


def test_the_reference_server_confirms_every_decision_it_exercises(server: Server, tmp_path: Path) -> None:
    """Against the reference server no decision is contradicted, and both rules are confirmed."""
    finished = run_suite(*live_options(server, tmp_path), env=canary_environment(tmp_path, **role_credentials()))
    found = statuses(calibration(tmp_path))

    assert 0 == finished.code, finished.output[-4000:]
    assert "contradicted" not in found.values()
    assert ("confirmed", "confirmed") == (found["last_name_null"], found["validation_map"])
