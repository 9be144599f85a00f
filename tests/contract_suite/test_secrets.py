"""No key in anything a run writes, whatever pytest is asked to show: locals, long tracebacks, JUnit, the summary."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from deployhq_sandbox import Accounts
from mutants.harness import run_suite

from .conftest import ADMIN, CANARY_KEY, Server, canary_environment, live_options, role_credentials

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
# With every option that makes pytest or Hypothesis show more: locals, long and full tracebacks, verbose examples.
SHOWN = ["-l", "--tb=long", "-vv", "-rA"]
RUNS = [
    pytest.param("first-name-changed", SHOWN, id="first-name-changed -l --tb=long -vv -rA"),
    pytest.param("first-name-changed", ["-l", "-vv", "--full-trace"], id="first-name-changed -l --full-trace"),
    pytest.param(
        "first-name-changed",
        ["-l", "--tb=long", "--hypothesis-verbosity=debug", "-k", "client_roundtrip or stateful or consistency"],
        id="first-name-changed hypothesis debug",
    ),
    pytest.param(
        "first-name-changed",
        ["-s", "--hypothesis-verbosity=verbose", "-k", "client_roundtrip or stateful"],
        id="first-name-changed -s hypothesis verbose",
    ),
    pytest.param("accepts-any-key", SHOWN, id="accepts-any-key"),
    pytest.param("401-plain-text", [*SHOWN, "--full-trace"], id="401-plain-text"),
]


@pytest.mark.parametrize(("server", "options"), RUNS, indirect=["server"])
def test_no_secret_in_anything_a_failing_run_writes(server: Server, options: list[str], tmp_path: Path) -> None:
    """Whatever pytest shows, no key appears in the output, JUnit, summary, step summary or ledger."""
    step_summary = tmp_path / "step-summary.md"
    roles = role_credentials()
    finished = run_suite(
        *live_options(server, tmp_path, *options, "--contract-profile", "quick"),
        env=canary_environment(tmp_path, GITHUB_STEP_SUMMARY=str(step_summary), **roles),
    )
    written = {"stdout": finished.stdout, "stderr": finished.stderr}
    written |= {p.name: p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()
                and p.suffix not in (".sqlite3", ".sqlite3-wal", ".sqlite3-shm")}  # fmt: skip

    assert 1 == finished.code, finished.output[-3000:]
    assert "summary.md" in " ".join(written) or step_summary.exists()
    assert [] == [(name, secret) for secret in secrets() for name, text in written.items() if secret in text]


def test_credentials_never_show_their_key_even_to_hypothesis() -> None:
    """repr, str and Hypothesis' pretty printer (which walks dataclass fields itself) all hide the key."""
    from hypothesis.vendor.pretty import pretty

    from deployhq_contract.target import Credentials, Target

    credentials = Credentials("ops@example.com", CANARY_KEY)
    target = Target(base_url="http://127.0.0.1:1", admin=credentials, manager=credentials)
    shown = [repr(credentials), str(credentials), pretty(credentials), repr(target), pretty(target)]

    assert [] == [text for text in shown for secret in credentials.secrets if secret in text]
