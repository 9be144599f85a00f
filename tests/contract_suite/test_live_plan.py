"""A default --live run costs a handful of emails and requests (live_plan.py), and still catches broken servers."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from deployhq_contract.live_plan import LIVE_PLAN
from deployhq_contract.target import LIVE_CREATE_BUDGET
from mutants.harness import run_suite

from .conftest import ADMIN, CANARY_KEY, Server, canary_environment, free_port, live_options

pytestmark = pytest.mark.slow

# What a default --live run judged against the reference server before its requests were cut to 200 (86 promises of
# an operation, the canary environment: no manager or member credentials); it must judge no fewer.
JUDGED_BEFORE = 86


def figure(name: str, text: str) -> int:
    found = re.search(rf"{name}: (\d+)", text)
    assert found is not None, f"no {name!r} in the output"
    return int(found.group(1))


@pytest.mark.parametrize("server", [(None, "--controls")], indirect=True)
def test_default_live_run_sends_no_more_than_its_plan(server: Server, tmp_path: Path) -> None:
    """Default options but the pace: at most the plan's emails (counted by the server's outbox) and requests."""
    finished = run_suite(*live_options(server, tmp_path), env=canary_environment(tmp_path))
    outbox = httpx.get(f"{server.base_url}/_sandbox/outbox", auth=(ADMIN, CANARY_KEY), timeout=10).json()

    assert 0 == finished.code, finished.output[-4000:]
    kept = re.search(r"(\d+) promises kept", finished.stdout)
    assert figure("emails sent", finished.stdout) == len(outbox) <= LIVE_PLAN.emails == LIVE_CREATE_BUDGET
    assert len([e for e in outbox if e["kind"] != "invitation"]) <= LIVE_PLAN.resends
    assert figure("requests sent", finished.stdout) <= LIVE_PLAN.requests
    assert kept is not None
    assert int(kept.group(1)) >= JUDGED_BEFORE, finished.stdout[-2000:]


def test_dry_run_prints_the_live_plan(tmp_path: Path) -> None:
    """`--live --dry-run` says how many invitations, resends and requests the run sends at most, and sends nothing."""
    finished = run_suite(
        "--base-url", f"http://127.0.0.1:{free_port()}", "--live", "--dry-run", "--max-examples", "1",
        env=canary_environment(tmp_path), timeout=300,
    )  # fmt: skip

    assert 0 == finished.code, finished.output[-4000:]
    assert (
        f"at most {LIVE_PLAN.invitations} invitations and {LIVE_PLAN.resends} resends ({LIVE_PLAN.emails} emails"
        in finished.stdout
    )
    assert f"about {LIVE_PLAN.requests} requests" in finished.stdout


# Broken variants (mutants/catalogue.py) a --live run must catch as a loopback run does: those the issue names (a flag
# dropped, a wrong default, a lower-cased address, an update that ignores a field, a list that misses users) and those
# whose loopback promise --live now judges with a lent user or a composed request.
CAUGHT_LIVE = [
    "sent-flag-dropped",
    "wrong-time-zone-default",
    "address-lower-cased",
    "put-ignores-a-flag",
    "list-misses-newest",
    "read-from-stale-cache",
    "false-flags-ignored",
    "crash-at-max-length",
    # One near miss, or one bad credential, per operation (their refused changes read back in one list).
    "key-case-insensitive",
    "key-prefix-accepted",
    "key-trailing-accepted",
    "empty-key-accepted",
    "accepts-any-key",
    "ignores-credentials",
]


# Variants that break a promise of source `decided` (names byte for byte, an empty last name kept): a lenient --live
# run lists them as differing from this contract's decisions (calibration); --contract-strict fails on them.
DIFFER_LIVE = ["names-stripped", "names-composed", "blank-last-name-is-null"]


@pytest.mark.parametrize("server", CAUGHT_LIVE, indirect=True)
def test_live_run_catches_a_broken_server(server: Server, tmp_path: Path) -> None:
    """Against a broken variant a --live run exits 1, naming a broken promise."""
    finished = run_suite(*live_options(server, tmp_path, "-x"), env=canary_environment(tmp_path))

    assert 1 == finished.code, finished.output[-4000:]
    assert "BREAKS the contract" in finished.stdout


@pytest.mark.parametrize("server", DIFFER_LIVE, indirect=True)
def test_live_run_lists_a_broken_decision_and_strict_fails_it(server: Server, tmp_path: Path) -> None:
    """A variant that breaks only a decision: --live passes and says it differs; --live --contract-strict exits 1."""
    lenient = run_suite(*live_options(server, tmp_path), env=canary_environment(tmp_path))
    strict = run_suite(*live_options(server, tmp_path, "-x", "--contract-strict"), env=canary_environment(tmp_path))

    assert 0 == lenient.code, lenient.output[-4000:]
    assert "differs from what this contract decided" in lenient.stdout
    assert 1 == strict.code, strict.output[-4000:]
