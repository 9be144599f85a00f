"""Two runs of the suite in one process: the second judges its own target, not the first one's."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mutants.harness import ROOT, environment

pytestmark = pytest.mark.slow

SCRIPT = textwrap.dedent(
    """
    import os, sys
    import pytest
    from deployhq_sandbox import Accounts, serve
    from mutants.catalogue import build

    accounts = Accounts.defaults()
    os.environ.update(DEPLOYHQ_EMAIL=accounts.administrator.email, DEPLOYHQ_API_KEY=accounts.administrator.api_key)
    codes = []
    for name, tmp in (("sent-flag-dropped", sys.argv[1]), ("faithful", sys.argv[2])):
        with serve(build(name, os.path.join(tmp, "users.sqlite3"), accounts)) as base_url:
            codes.append(int(pytest.main([
                # The servers' modules are imported before pytest starts: it cannot rewrite their asserts.
                "contract_tests", "-q", "-p", "no:cacheprovider", "-W", "ignore::pytest.PytestAssertRewriteWarning",
                "--base-url", base_url, "--contract-profile", "quick", "-x",
                "--junitxml", os.path.join(tmp, "junit.xml"),
                *(["--live", "--rate-limit", "500"] if not codes else []),
            ])))
    print("exit codes:", codes, "live after:", os.environ.get("DEPLOYHQ_CONTRACT_LIVE"))
    """
)


def test_a_second_run_in_the_same_process_judges_its_own_target(tmp_path: Path) -> None:
    """A broken server, then a faithful one, in one process: 1 then 0, and the first run's settings are gone.

    Were the second run to reuse the first one's imported test modules, its fuzzing would aim at the first,
    stopped server and fail.
    """
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    env = environment(DEPLOYHQ_CONTRACT_LEDGER=str(tmp_path / "ledger.txt"))
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(first), str(second)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip

    assert "exit codes: [1, 0] live after: None" in result.stdout, result.stdout[-3000:] + result.stderr[-2000:]
    assert "test_operation_honours_the_contract" in (second / "junit.xml").read_text(encoding="utf-8")
