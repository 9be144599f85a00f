"""Fixtures of the tests that judge the judge: a reference server (or a broken variant) in its own process."""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from deployhq_sandbox import Accounts
from mutants.harness import ROOT, environment

# A canary: no output, report, summary or ledger of a run may ever contain it, raw or inside a Basic auth header.
CANARY_KEY = "canary-4f1c9a7e2b6d8035-do-not-print-0000"
ADMIN = "ops@example.com"


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def role_credentials() -> dict[str, str]:
    """The reference server's manager and member, for the suite's role promises."""
    defaults = Accounts.defaults()
    assert defaults.manager is not None
    assert defaults.member is not None
    return {
        "DEPLOYHQ_MANAGER_EMAIL": defaults.manager.email, "DEPLOYHQ_MANAGER_API_KEY": defaults.manager.api_key,
        "DEPLOYHQ_MEMBER_EMAIL": defaults.member.email, "DEPLOYHQ_MEMBER_API_KEY": defaults.member.api_key,
    }  # fmt: skip


def canary_environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The suite's environment: the canary administrator, the ledger and step summary inside *tmp_path*."""
    return environment(
        DEPLOYHQ_EMAIL=ADMIN,
        DEPLOYHQ_API_KEY=CANARY_KEY,
        DEPLOYHQ_CONTRACT_LEDGER=str(tmp_path / "ledger.txt"),
        **extra,
    )


@dataclass(frozen=True)
class Server:
    base_url: str
    database: Path

    def users(self, where: str = "1") -> list[tuple[object, ...]]:
        """Rows of the server's SQLite file, read directly (not through the API)."""
        with sqlite3.connect(self.database) as connection:
            return list(connection.execute(f"SELECT * FROM users WHERE {where} ORDER BY id"))

    def suite_users(self) -> int:
        return len(self.users("email_address LIKE 'contract-%'"))


@pytest.fixture(name="server")
def _server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Server]:
    """A server process on a free port with a real SQLite file; an indirect parameter names a broken variant."""
    variant, extra = getattr(request, "param", None), []
    if isinstance(variant, tuple):
        variant, *extra = variant
    module = ["deployhq_sandbox"] if variant is None else ["mutants", variant]
    with serving(module, tmp_path, *extra) as server:
        yield server


@contextlib.contextmanager
def serving(module: list[str], tmp_path: Path, *extra: str) -> Iterator[Server]:
    """`python -m MODULE... --port P --database FILE EXTRA...` on a free port, until it answers; stopped after."""
    port, database = free_port(), tmp_path / "users.sqlite3"
    command = [sys.executable, "-m", *module, "--port", str(port), "--database", str(database), *extra]
    with (tmp_path / "server.log").open("w") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=canary_environment(tmp_path), stdout=log, stderr=subprocess.STDOUT
        )
        base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{base_url}/openapi.yaml", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        try:
            yield Server(base_url, database)
        finally:
            process.terminate()
            process.wait(timeout=10)


def live_options(server: Server, tmp_path: Path, *options: str) -> list[str]:
    """A `--live` run against *server*, paced fast enough for a test."""
    return ["--base-url", server.base_url, "--live", "-q", "--rate-limit", "200",
            f"--junitxml={tmp_path / 'junit.xml'}", *options]  # fmt: skip
