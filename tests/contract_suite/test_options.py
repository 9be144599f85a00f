"""The suite's options used the wrong way on purpose: each refusal is a clear usage error (exit 4), sending nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from deployhq_sandbox import Accounts, create_app, serve
from mutants.harness import CountRequests, environment, run_suite

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("options", "named"),
    [
        pytest.param(["--create-budget", "-1"], "--create-budget", id="negative budget"),
        pytest.param(["--create-budget", "many"], "--create-budget", id="budget not a number"),
        pytest.param(["--email-budget", "-1"], "--email-budget", id="negative email budget"),
        pytest.param(["--rate-limit", "0"], "--rate-limit", id="rate limit 0"),
        pytest.param(["--rate-limit", "-1"], "--rate-limit", id="negative rate limit"),
        pytest.param(["--rate-limit", "inf"], "--rate-limit", id="infinite rate limit"),
        pytest.param(["--max-examples", "0"], "--max-examples", id="no examples"),
        pytest.param(["--contract-profile", "fast"], "--contract-profile", id="unknown profile"),
        pytest.param(["--base-url", "127.0.0.1:20100"], "127.0.0.1:20100", id="base URL without scheme"),
        pytest.param(["--base-url", "http://127.0.0.1:1", "--email-domain", "localhost"], "localhost", id="localhost"),
        pytest.param(["--base-url", "http://127.0.0.1:1", "--email-domain", "mail.invalid"], "invalid", id="invalid"),
        pytest.param(["--base-url", "http://127.0.0.1:1", "--email-domain", "test"], "without a dot", id="dotless"),
        pytest.param(["--base-url", "http://127.0.0.1:1", "--email-domain", ""], "without a dot", id="empty domain"),
        pytest.param(["--rate-limit", "1e-300"], "--rate-limit", id="rate limit too small"),
    ],
)
def test_nonsense_is_a_usage_error_naming_it(options: list[str], named: str) -> None:
    """A value no run can honour stops the suite at once with exit 4, naming the option or value, no traceback."""
    finished = run_suite(*options, env=environment(Accounts.defaults()), timeout=120)

    assert 4 == finished.code, finished.output[-2000:]
    assert named in finished.stderr, finished.output[-2000:]
    assert "Traceback" not in finished.output
    assert "INTERNALERROR" not in finished.output


def test_a_budget_of_zero_is_honoured(tmp_path: Path) -> None:
    """--email-budget 0 sends no invitation at all: nothing is created, and what needs one is not judged."""
    accounts = Accounts.defaults()
    app = CountRequests(create_app(tmp_path / "users.sqlite3", accounts=accounts))
    with serve(app) as base_url:
        finished = run_suite(
            "--base-url", base_url, "--email-budget", "0", "--contract-profile", "quick", "-q",
            "-k", "test_invite or test_read", f"--junitxml={tmp_path / 'junit.xml'}",
            env=environment(accounts),
        )  # fmt: skip
        created = app.app.state.store.path

    assert 0 == finished.code, finished.output[-3000:]
    assert "users created: 0" in finished.stdout
    assert "  the run's budget" in finished.stdout  # the reason of a group of promises not judged
    assert "keeps every promise judged" in finished.stdout  # not "keeps the contract": much went unjudged
    assert 3 == _users_in(Path(created))  # the three accounts, no invited user


def test_the_profile_comes_from_one_documented_place() -> None:
    """DEPLOYHQ_CONTRACT_PROFILE picks the profile (HYPOTHESIS_PROFILE is not read); the run says which."""
    env = environment(Accounts.defaults(), DEPLOYHQ_CONTRACT_PROFILE="dev", HYPOTHESIS_PROFILE="ci")
    finished = run_suite("--collect-only", env=env, timeout=120)

    assert 0 == finished.code, finished.output[-2000:]
    assert "hypothesis profile: dev" in finished.stdout
    assert "summary:" not in finished.stdout  # listing the tests writes no report


def _users_in(database: Path) -> int:
    import sqlite3

    with sqlite3.connect(database) as connection:
        return int(connection.execute("SELECT count(*) FROM users").fetchone()[0])
