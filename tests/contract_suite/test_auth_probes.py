"""schemathesis' `ignored_auth` in the suite: each operation's credentials are probed once per run, as in `st run`."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from deployhq_contract.operations import OPERATIONS
from deployhq_sandbox import Accounts, create_app, serve
from mutants.harness import run_suite

from .conftest import ADMIN, CANARY_KEY, canary_environment

pytestmark = pytest.mark.slow


class CountProbes:
    """ASGI middleware counting the requests that came without the administrator's credentials (the probes)."""

    def __init__(self, app: Any, authorization: bytes) -> None:
        self.app = app
        self.authorization = authorization
        self.probes = 0
        self.requests = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.requests += 1
            self.probes += dict(scope["headers"]).get(b"authorization") != self.authorization
        await self.app(scope, receive, send)


def test_credentials_are_probed_once_per_operation(tmp_path: Path) -> None:
    """A fuzzed run re-sends an accepted request without and with a wrong key once per operation, not every time."""
    accounts = Accounts.from_env({"DEPLOYHQ_EMAIL": ADMIN, "DEPLOYHQ_API_KEY": CANARY_KEY}, with_role_users=False)
    authorization = b"Basic " + base64.b64encode(f"{ADMIN}:{CANARY_KEY}".encode())
    app = CountProbes(create_app(tmp_path / "users.sqlite3", accounts=accounts), authorization)
    with serve(app) as base_url:
        finished = run_suite(
            "--base-url", base_url, "-q", "--contract-profile", "quick", "--max-examples", "5",
            "-k", "honours_the_contract", f"--junitxml={tmp_path / 'junit.xml'}", env=canary_environment(tmp_path),
        )  # fmt: skip

    assert 0 == finished.code, finished.output[-4000:]
    # One probe without credentials and one with a wrong key for each operation that accepted a request (before:
    # two after every accepted request, 44 of 83 requests here); still probing, not switched off.
    assert len(OPERATIONS) <= app.probes <= 2 * len(OPERATIONS)
