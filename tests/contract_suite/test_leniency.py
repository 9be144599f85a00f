"""Leniency against a live target: reported, not failed; `--contract-strict` and loopback runs stay strict."""

from __future__ import annotations

from pathlib import Path

import pytest

from mutants.harness import run_suite

from .conftest import Server, canary_environment, live_options

pytestmark = pytest.mark.slow
coercing = pytest.mark.parametrize("server", ["lenient"], indirect=True)


@coercing
def test_lenient_target_passes_live_with_a_warning(server: Server, tmp_path: Path) -> None:
    """--live against a server that coerces mistyped values: exit 0, leniency listed, its users cleaned up."""
    finished = run_suite(
        *live_options(server, tmp_path, "--contract-profile", "quick"), env=canary_environment(tmp_path)
    )
    summary = (tmp_path / "contract-summary.md").read_text(encoding="utf-8")

    assert 0 == finished.code, finished.output[-4000:]
    assert "leniency (warning, not a failure" in finished.stdout
    assert "flag not" in summary or "can_manage_users" in summary
    assert 0 == server.suite_users()


@coercing
def test_lenient_target_fails_with_contract_strict(server: Server, tmp_path: Path) -> None:
    """The same run with --contract-strict fails, on a mistyped value that was accepted."""
    finished = run_suite(
        *live_options(server, tmp_path, "--contract-profile", "quick", "--contract-strict"),
        env=canary_environment(tmp_path),
    )

    assert 1 == finished.code, finished.output[-4000:]
    assert "not a boolean" in finished.stdout or "not text" in finished.stdout


@coercing
def test_lenient_target_fails_on_loopback_without_live(server: Server, tmp_path: Path) -> None:
    """Without --live (the reference server, teeth, CI) the same server fails: loopback runs are strict."""
    finished = run_suite(
        "--base-url", server.base_url, "-q", "--contract-profile", "quick", f"--junitxml={tmp_path / 'j.xml'}",
        env=canary_environment(tmp_path),
    )  # fmt: skip

    assert 1 == finished.code, finished.output[-4000:]


@pytest.mark.parametrize("server", ["null-as-omitted"], indirect=True)
def test_null_taken_as_omitted_is_leniency_on_a_live_target(server: Server, tmp_path: Path) -> None:
    """--live against a server that takes null as an omitted field: exit 0, and the summary names the nulls."""
    # Each null invitation it accepts is one more email: a budget above the default keeps this about leniency.
    finished = run_suite(
        *live_options(server, tmp_path, "--contract-profile", "quick", "--create-budget", "200"),
        env=canary_environment(tmp_path),
    )
    summary = (tmp_path / "contract-summary.md").read_text(encoding="utf-8")

    assert 0 == finished.code, finished.output[-4000:]
    assert "leniency (warning, not a failure" in finished.stdout
    assert "last_name null" in summary, summary[-4000:]
    assert "time_zone null" in summary, summary[-4000:]
    assert 0 == server.suite_users()


@pytest.mark.parametrize("server", ["null-as-omitted"], indirect=True)
def test_null_taken_as_omitted_fails_with_contract_strict(server: Server, tmp_path: Path) -> None:
    """The same run with --contract-strict fails on the first null that was accepted."""
    finished = run_suite(
        *live_options(server, tmp_path, "--contract-profile", "quick", "--contract-strict", "-x"),
        env=canary_environment(tmp_path),
    )

    assert 1 == finished.code, finished.output[-4000:]
    assert "test_null_for_an_optional_field_is_refused" in finished.stdout, finished.output[-4000:]
