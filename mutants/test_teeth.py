"""The contract suite has teeth: it fails against every broken variant and passes against the faithful server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deployhq_sandbox import Accounts, serve

from .catalogue import ADDITIVE_DRIFT, CATALOGUE, build
from .conftest import RESULTS

ROOT = Path(__file__).resolve().parent.parent


def run_suite(base_url: str, accounts: Accounts, tmp_path: Path) -> tuple[int, str, float]:
    """The contract suite, as a user runs it, against *base_url*: exit code, output, seconds."""
    admin = accounts.administrator
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEPLOYHQ_", "PYTEST_", "HYPOTHESIS_"))}
    env.update(DEPLOYHQ_EMAIL=admin.email, DEPLOYHQ_API_KEY=admin.api_key, PYTHONDONTWRITEBYTECODE="")
    command = [
        sys.executable,
        "-m",
        "pytest",
        "contract_tests",
        "--base-url",
        base_url,
        "-x",
        "-q",
        "-p",
        "no:cacheprovider",
        "--contract-profile",
        "ci",
        f"--junitxml={tmp_path / 'junit.xml'}",
    ]
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    return result.returncode, result.stdout + result.stderr, time.monotonic() - started


def test_faithful_server_passes(tmp_path: Path) -> None:
    """Against the reference server itself the suite exits 0."""
    accounts = Accounts.from_env()
    with serve(build("faithful", tmp_path / "users.sqlite3", accounts)) as base_url:
        code, output, seconds = run_suite(base_url, accounts, tmp_path)

    RESULTS.append(("faithful", "(none)", "passes" if code == 0 else "FAILED", seconds))
    assert 0 == code, output[-3000:]


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_broken_variant_is_caught(name: str, tmp_path: Path) -> None:
    """Against a variant that breaks one promise the suite exits 1, naming a failed test."""
    accounts = Accounts.from_env()
    with serve(build(name, tmp_path / "users.sqlite3", accounts)) as base_url:
        code, output, seconds = run_suite(base_url, accounts, tmp_path)

    failed = re.findall(r"^FAILED (contract_tests/.+?)(?: - |$)", output, re.MULTILINE)
    caught = failed[0].split("/", 1)[1] if failed else "NOT CAUGHT"
    RESULTS.append((name, CATALOGUE[name].breaks, caught, seconds))
    assert 1 == code, output[-3000:]
    assert failed, output[-3000:]


def test_additive_drift_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    """A server that adds a field the spec does not know passes, and the summary names the field."""
    accounts = Accounts.from_env()
    with serve(build(ADDITIVE_DRIFT.name, tmp_path / "users.sqlite3", accounts)) as base_url:
        code, output, seconds = run_suite(base_url, accounts, tmp_path)

    RESULTS.append((ADDITIVE_DRIFT.name, ADDITIVE_DRIFT.breaks, "passes, with a drift warning", seconds))
    assert code == 0, output[-3000:]
    assert "additive drift" in output
    assert "nickname" in output
