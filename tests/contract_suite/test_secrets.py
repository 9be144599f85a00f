"""No key in anything a run writes, whatever pytest is asked to show: locals, long tracebacks, JUnit, the summary."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from deployhq_sandbox import Accounts
from mutants.harness import run_suite

from .conftest import ADMIN, CANARY_KEY, Server, canary_environment, live_options

pytestmark = pytest.mark.slow
DEFAULTS = Accounts.defaults()


def secrets() -> list[str]:
    """Every key the run knows, raw, as `email:key`, and as the base64 of a Basic auth header."""
    pairs = [(ADMIN, CANARY_KEY)]
    pairs += [(a.email, a.api_key) for a in (DEFAULTS.manager, DEFAULTS.member) if a is not None]
    found = []
    for email, key in pairs:
        pair = f"{email}:{key}"
        found += [key, pair, base64.b64encode(pair.encode()).decode()]
    return found


# Variants that fail in every place a failure is reported: explicit promises, the fuzzing checks, the stateful
# scenarios, the client round trip (first-name-changed); the credential tests (accepts-any-key, 401-plain-text).
@pytest.mark.parametrize("server", ["first-name-changed", "accepts-any-key", "401-plain-text"], indirect=True)
def test_no_secret_in_anything_a_failing_run_writes(server: Server, tmp_path: Path) -> None:
    """With -l, --tb=long, -vv and -rA, no key appears in the output, JUnit, summary, step summary or ledger."""
    step_summary = tmp_path / "step-summary.md"
    roles = {
        "DEPLOYHQ_MANAGER_EMAIL": DEFAULTS.manager.email, "DEPLOYHQ_MANAGER_API_KEY": DEFAULTS.manager.api_key,
        "DEPLOYHQ_MEMBER_EMAIL": DEFAULTS.member.email, "DEPLOYHQ_MEMBER_API_KEY": DEFAULTS.member.api_key,
    }  # type: ignore[union-attr]  # fmt: skip
    finished = run_suite(
        *live_options(server, tmp_path, "-l", "--tb=long", "-vv", "-rA", "--contract-profile", "quick"),
        env=canary_environment(tmp_path, GITHUB_STEP_SUMMARY=str(step_summary), **roles),
    )
    written = {"stdout": finished.stdout, "stderr": finished.stderr}
    written |= {p.name: p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()
                and p.suffix not in (".sqlite3", ".sqlite3-wal", ".sqlite3-shm")}  # fmt: skip

    assert 1 == finished.code, finished.output[-3000:]
    assert "summary.md" in " ".join(written) or step_summary.exists()
    assert [] == [(name, secret) for secret in secrets() for name, text in written.items() if secret in text]
