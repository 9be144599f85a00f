"""`--dry-run`: the generated requests, credentials filtered, what it cannot foresee, and nothing sent or replaced."""

from __future__ import annotations

from pathlib import Path

import pytest

from deployhq_contract.target import LIVE_CREATE_BUDGET
from mutants.harness import run_suite

from .conftest import CANARY_KEY, canary_environment, free_port

pytestmark = pytest.mark.slow


def test_dry_run_prints_requests_sends_none_and_keeps_the_last_report(tmp_path: Path) -> None:
    """Against a port where nothing listens: cURL commands, the key filtered, and the last JUnit report untouched."""
    junit = Path("reports") / "contract-junit.xml"
    report = tmp_path / "last-real-report.xml"
    report.write_text("<testsuites>the last real run</testsuites>", encoding="utf-8")
    finished = run_suite(
        "--base-url", f"http://127.0.0.1:{free_port()}", "--live", "--dry-run", "--contract-profile", "live",
        f"--junitxml={report}", env=canary_environment(tmp_path), timeout=120,
    )  # fmt: skip

    assert 0 == finished.code, finished.output[-2000:]
    assert "curl -X POST" in finished.stdout
    assert "curl -X PATCH" in finished.stdout
    assert "none was sent" in finished.stdout
    assert "cannot show" in finished.stdout
    assert f"capped by --email-budget: {LIVE_CREATE_BUDGET}" in finished.stdout
    assert CANARY_KEY not in finished.output
    assert "<testsuites>the last real run</testsuites>" == report.read_text(encoding="utf-8")
    assert str(junit) not in finished.stdout
