"""The live path, offline: `--live` against a reference server on loopback, cleanup checked in its database."""

from __future__ import annotations

import base64
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CANARY_KEY = "canary-4f1c9a7e2b6d8035-do-not-print-0000"
ADMIN = "ops@example.com"
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEPLOYHQ_", "PYTEST_", "HYPOTHESIS_"))}
    env.update(DEPLOYHQ_EMAIL=ADMIN, DEPLOYHQ_API_KEY=CANARY_KEY, DEPLOYHQ_CONTRACT_LEDGER=str(tmp_path / "ledger.txt"))
    env.update(extra)
    return env


@pytest.fixture(name="server")
def _server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[str, Path]]:
    """A server process on a free port with a real SQLite file; `mutant` param picks a broken variant."""
    variant = getattr(request, "param", None)
    port, database = free_port(), tmp_path / "users.sqlite3"
    if variant is None:
        command = [sys.executable, "-m", "deployhq_sandbox", "--port", str(port), "--database", str(database)]
    else:
        command = [sys.executable, "-m", "mutants", variant, "--port", str(port), "--database", str(database)]
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(command, cwd=ROOT, env=environment(tmp_path), stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base_url}/openapi.yaml", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    yield base_url, database
    process.terminate()
    process.wait(timeout=10)
    log.close()


def suite(base_url: str, tmp_path: Path, *options: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pytest",
        "contract_tests",
        "--base-url",
        base_url,
        "--live",
        "-q",
        "-p",
        "no:cacheprovider",
        "--rate-limit",
        "200",
        f"--junitxml={tmp_path / 'junit.xml'}",
        *options,
    ]


def leftover_users(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return int(connection.execute("SELECT count(*) FROM users WHERE email_address LIKE 'contract-%'").fetchone()[0])


def test_live_run_on_loopback_leaves_nothing_behind(server: tuple[str, Path], tmp_path: Path) -> None:
    """A --live run passes against the reference server and deletes every user it created."""
    base_url, database = server
    result = subprocess.run(
        suite(base_url, tmp_path),
        cwd=ROOT,
        env=environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert 0 == result.returncode, result.stdout[-3000:] + result.stderr[-2000:]
    assert "left behind: 0" in result.stdout
    assert 0 == leftover_users(database)


def test_killed_run_is_cleaned_up_by_the_cleanup_command(server: tuple[str, Path], tmp_path: Path) -> None:
    """A run killed midway leaves users; `python -m contract_tests.cleanup --sweep` removes every one."""
    base_url, database = server
    env = environment(tmp_path)
    run = subprocess.Popen(
        suite(base_url, tmp_path, "--contract-profile", "dev", "--create-budget", "500"),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and leftover_users(database) < 5:
        time.sleep(0.05)
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=10)
    left = leftover_users(database)

    cleanup = subprocess.run(
        [sys.executable, "-m", "contract_tests.cleanup", "--base-url", base_url, "--live", "--sweep"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert left >= 5
    assert 0 == cleanup.returncode, cleanup.stdout + cleanup.stderr
    assert 0 == leftover_users(database)


@pytest.mark.parametrize("server", ["first-name-changed"], indirect=True)
def test_no_secret_in_anything_a_failing_run_writes(server: tuple[str, Path], tmp_path: Path) -> None:
    """Against a broken server, the key, email:key and its base64 appear in no output, report or ledger."""
    base_url, _ = server
    result = subprocess.run(
        suite(base_url, tmp_path, "-vv", "-rA", "--contract-profile", "live"),
        cwd=ROOT,
        env=environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    pair = f"{ADMIN}:{CANARY_KEY}"
    secrets = [CANARY_KEY, pair, base64.b64encode(pair.encode()).decode()]
    written = [result.stdout, result.stderr]
    written += [p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".sqlite3"]

    assert 1 == result.returncode, result.stdout[-3000:]
    assert [] == [secret for secret in secrets for text in written if secret in text]


def test_real_account_without_live_is_refused_before_any_request(tmp_path: Path) -> None:
    """A non-loopback target without --live stops the run at once, saying what to add."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        "contract_tests",
        "-p",
        "no:cacheprovider",
        "--base-url",
        "https://acme.deployhq.com",
    ]
    result = subprocess.run(
        command, cwd=ROOT, env=environment(tmp_path), capture_output=True, text=True, timeout=120, check=False
    )

    assert result.returncode != 0
    assert "--live" in result.stderr + result.stdout
    assert not (tmp_path / "ledger.txt").exists()


def test_dry_run_prints_requests_and_sends_none(tmp_path: Path) -> None:
    """--dry-run lists cURL commands with the key filtered, against a port where nothing listens."""
    base_url = f"http://127.0.0.1:{free_port()}"
    result = subprocess.run(
        suite(base_url, tmp_path, "--dry-run", "--contract-profile", "live"),
        cwd=ROOT,
        env=environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "curl -X POST" in result.stdout
    assert "none was sent" in result.stdout
    assert CANARY_KEY not in result.stdout + result.stderr
