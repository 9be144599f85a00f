"""Running the contract suite as a user runs it, from tests: a scrubbed environment, a subprocess, its verdict.

Shared by `nox -s teeth` and by the suite's own tests (tests/contract_suite), which judge the judge.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deployhq_sandbox import Accounts

__all__ = ["ROOT", "CountRequests", "Finished", "environment", "run_suite"]

ROOT = Path(__file__).resolve().parent.parent
_SCRUBBED = ("DEPLOYHQ_", "PYTEST_", "HYPOTHESIS_", "GITHUB_STEP_SUMMARY")


def environment(accounts: Accounts | None = None, **extra: str) -> dict[str, str]:
    """This process's environment without anything that steers the suite, plus *accounts*' credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUBBED)}
    env["PYTHONDONTWRITEBYTECODE"] = ""  # let pytest cache its assertion rewriting (see noxfile.py)
    if accounts is not None:
        for prefix, account in (
            ("DEPLOYHQ", accounts.administrator),
            ("DEPLOYHQ_MANAGER", accounts.manager),
            ("DEPLOYHQ_MEMBER", accounts.member),
        ):
            if account is not None:
                env.update({f"{prefix}_EMAIL": account.email, f"{prefix}_API_KEY": account.api_key})
    env.update(extra)
    return env


@dataclass(frozen=True)
class Finished:
    """A finished suite run: exit code, everything it printed, how long it took."""

    code: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_suite(*options: str, env: Mapping[str, str], timeout: float = 600) -> Finished:
    """`python -m pytest contract_tests <options>` from the repository root, without the pytest cache."""
    command = [sys.executable, "-m", "pytest", "contract_tests", "-p", "no:cacheprovider", *options]
    started = time.monotonic()
    result = subprocess.run(
        command, cwd=ROOT, env=dict(env), capture_output=True, text=True, timeout=timeout, check=False
    )
    return Finished(result.returncode, result.stdout, result.stderr, time.monotonic() - started)


class CountRequests:
    """ASGI middleware counting the HTTP requests an app answered (to check what a run really sent)."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app
        self.count = 0

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] == "http":
            self.count += 1
        await self.app(scope, receive, send)
