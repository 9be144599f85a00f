"""The Markdown summary: the verdict, each promise per operation, what the run saw, and never a key."""

from __future__ import annotations

from pathlib import Path

import pytest

from mutants.harness import run_suite

from .conftest import CANARY_KEY, Server, canary_environment, role_credentials

pytestmark = pytest.mark.slow


def summarise(server: Server, tmp_path: Path, *options: str) -> tuple[int, str, str]:
    """Run the suite at *server*: exit code, the summary file, and the console."""
    step_summary = tmp_path / "step-summary.md"
    finished = run_suite(
        "--base-url", server.base_url, "-q", "--contract-profile", "quick", f"--junitxml={tmp_path / 'junit.xml'}",
        *options, env=canary_environment(tmp_path, GITHUB_STEP_SUMMARY=str(step_summary), **role_credentials()),
    )  # fmt: skip
    summary = (tmp_path / "contract-summary.md").read_text(encoding="utf-8")
    assert summary in step_summary.read_text(encoding="utf-8")
    return finished.code, summary, finished.stdout


def test_passing_run_says_the_contract_is_kept(server: Server, tmp_path: Path) -> None:
    """Against the reference server: the verdict, every operation's promises kept, the answers never seen."""
    code, summary, console = summarise(server, tmp_path)

    assert 0 == code, console[-3000:]
    # No 429 arose, so the rate-limit promise is not judged: never "keeps the contract" (issue 21).
    assert f"**{server.base_url} keeps every promise judged: " in summary
    for operation in ("listUsers", "createUser", "getUser", "updateUser", "replaceUser", "deleteUser"):
        assert f"### {operation}" in summary
    assert "**broken**" not in summary
    assert "## Documented answers seen" in summary
    assert "429 (" not in summary  # nobody was rate limited: 429 is never listed as seen ("429 (count)")
    assert "| 413, 429, 500 |" in summary  # ... but under "never seen", for createUser at least
    assert f"{server.base_url} keeps every promise judged: " in console
    assert "keeps the contract" not in console + summary


@pytest.mark.parametrize("server", ["sent-flag-dropped"], indirect=True)
def test_failing_run_names_the_broken_promise_and_how_to_reproduce_it(server: Server, tmp_path: Path) -> None:
    """Against a variant: the broken promise in plain words, the failing test, a cURL command, no key."""
    code, summary, console = summarise(server, tmp_path)

    assert 1 == code, console[-3000:]
    assert f"**{server.base_url} BREAKS the contract: " in summary
    assert (
        "| The seed's request with every flag set true: each value comes back exactly as sent. | seed | **broken** |"
        in summary
    )
    assert "permission flag can_create_projects was sent as true but came back false" in summary
    assert "curl -X POST" in summary
    assert "  createUser: The seed's request" in console.split("broken (", 1)[1]
    assert CANARY_KEY not in summary + console
