"""The live path, offline: `--live` against a reference server on loopback, cleanup checked in its database."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deployhq_sandbox import Accounts, create_app, serve
from mutants.harness import ROOT, CountRequests, run_suite

from .conftest import ADMIN, CANARY_KEY, Server, canary_environment, live_options

pytestmark = pytest.mark.slow


def test_live_run_on_loopback_leaves_nothing_behind(server: Server, tmp_path: Path) -> None:
    """A --live run passes against the reference server, deletes every user it created and changes no other."""
    others_before = server.users("email_address NOT LIKE 'contract-%'")
    finished = run_suite(*live_options(server, tmp_path), env=canary_environment(tmp_path))

    assert 0 == finished.code, finished.output[-4000:]
    assert "left behind: 0" in finished.stdout
    assert 0 == server.suite_users()
    assert others_before == server.users("email_address NOT LIKE 'contract-%'")


def test_killed_run_is_cleaned_up_by_the_cleanup_command(server: Server, tmp_path: Path) -> None:
    """A run killed midway leaves users; `python -m deployhq_contract.cleanup --sweep` removes every one."""
    env = canary_environment(tmp_path)
    command = [sys.executable, "-m", "pytest", "contract_tests", "-p", "no:cacheprovider",
               *live_options(server, tmp_path, "--contract-profile", "dev", "--create-budget", "500")]  # fmt: skip
    run = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and server.suite_users() < 5:
        time.sleep(0.05)
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=10)
    left = server.suite_users()

    cleanup = subprocess.run(
        [sys.executable, "-m", "deployhq_contract.cleanup", "--base-url", server.base_url, "--live", "--sweep",
         "--rate-limit", "200"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert left >= 5
    assert 0 == cleanup.returncode, cleanup.stdout + cleanup.stderr
    assert 0 == server.suite_users()


def test_real_account_without_live_is_refused_before_any_request(tmp_path: Path) -> None:
    """A non-loopback target without --live stops the run at once (exit 4), saying what to add."""
    finished = run_suite("--base-url", "https://acme.deployhq.com", env=canary_environment(tmp_path), timeout=120)

    assert 4 == finished.code
    assert "--live" in finished.stderr
    assert not (tmp_path / "ledger.txt").exists()


def test_live_run_waits_out_a_rate_limited_server(tmp_path: Path) -> None:
    """Against a server that answers 429 past 20 requests a second, a --live run waits each out and completes.

    Every request the server saw is counted once by the run (a 429 and its re-send are two requests), and the users
    it created are all removed.
    """
    accounts = Accounts.from_env({"DEPLOYHQ_EMAIL": ADMIN, "DEPLOYHQ_API_KEY": CANARY_KEY}, with_role_users=False)
    database = tmp_path / "users.sqlite3"
    app = CountRequests(create_app(database, accounts=accounts, rate_limit=20))
    with serve(app) as base_url:
        finished = run_suite(
            "--base-url", base_url, "--live", "-q", "--rate-limit", "200", "--contract-profile", "quick",
            f"--junitxml={tmp_path / 'junit.xml'}", env=canary_environment(tmp_path),
        )  # fmt: skip
        seen = app.count

    assert 0 == finished.code, finished.output[-4000:]
    waits = int(re.search(r"429s waited out and sent again: (\d+)", finished.stdout).group(1))  # type: ignore[union-attr]
    sent = int(re.search(r"requests sent: (\d+)", finished.stdout).group(1))  # type: ignore[union-attr]
    assert waits > 0, "the server never answered 429: the test proves nothing"
    assert seen == sent  # each attempt counted once, the preflight's GET and every 429 included
    assert 0 == Server("", database).suite_users()


def test_cleanup_with_a_wrong_key_says_so_and_removes_nothing(server: Server, tmp_path: Path) -> None:
    """`cleanup` signed in with a wrong key: exit 4 and the 401 named, not "left behind" nor a traceback."""
    env = {**canary_environment(tmp_path), "DEPLOYHQ_API_KEY": "wrong-key-for-the-cleanup-test-000000000"}
    result = subprocess.run(
        [sys.executable, "-m", "deployhq_contract.cleanup", "--base-url", server.base_url, "--sweep"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert 4 == result.returncode, result.stdout + result.stderr
    assert "refused the credentials" in result.stderr
    assert "Traceback" not in result.stderr
