"""Cleanup: concurrent runs share one ledger safely, the sweep knows every address shape, a 429 forever ends nothing."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from deployhq_contract import hooks
from deployhq_contract.cleanup import delete_all, is_suite_address
from deployhq_contract.guard import Guard, Ledger, read_ledger
from deployhq_contract.strategies import addresses
from deployhq_contract.target import Credentials, Target
from deployhq_sandbox import Accounts, create_app, serve
from mutants.harness import ROOT

from .judge import canary_env, judge
from .server import Hostility, hostile

DOMAIN = "example.com"

# One run's ledger work, as a run does it: record each user as created, forget half as deleted, rewrite at the end.
RUN = """
import sys, time
from pathlib import Path
from deployhq_contract.guard import Ledger
path, name, start = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
while time.time() < start:
    time.sleep(0.001)
ledger = Ledger(path, "http://target")
for i in range(300):
    ledger.record(f"{name}-{i}")
    if i % 2:
        ledger.forget(f"{name}-{i}")
    if i % 25 == 0:
        ledger.rewrite()
ledger.rewrite()
"""


@pytest.mark.slow
def test_two_runs_at_once_keep_every_entry_of_the_shared_ledger(tmp_path: Path) -> None:
    """Two processes recording and rewriting one ledger at the same moment lose no entry and keep no deleted one."""
    path, start = tmp_path / "ledger.txt", time.time() + 1.0
    runs = [subprocess.Popen([sys.executable, "-c", RUN, str(path), name, str(start)], cwd=ROOT) for name in ("a", "b")]
    assert [0, 0] == [run.wait(timeout=120) for run in runs]

    expected = sorted(f"{name}-{i}" for name in ("a", "b") for i in range(0, 300, 2))
    assert expected == sorted(read_ledger(path, "http://target"))


def test_a_run_still_going_keeps_its_users_from_another_run(tmp_path: Path) -> None:
    """Another run (or cleanup) adopts only entries of runs that have ended, never of one still running."""
    path = tmp_path / "ledger.txt"
    running = Ledger(path, "http://target")
    running.record("in-use")
    with path.open("a", encoding="utf-8") as file:
        file.write("http://target\tleft-by-a-killed-run\n")  # the old format: no run, so an ended one

    other = Ledger(path, "http://target")
    other.load()
    assert ["left-by-a-killed-run"] == other.created

    running.rewrite()  # the run ends
    later = Ledger(path, "http://target")
    later.load()
    assert ["in-use", "left-by-a-killed-run"] == sorted(later.created)


@given(st.data())
def test_sweep_matches_every_address_the_suite_invites(data: st.DataObject) -> None:
    """Every shape hooks.py and strategies.py make (the 254-character boundary ones included) is swept."""
    length = data.draw(st.integers(41, 300))
    local = data.draw(st.one_of(st.none(), st.integers(30, 80)))
    made = [
        data.draw(addresses(DOMAIN)),
        hooks.unique_address(DOMAIN),
        hooks.sized_address(length, local_length=local, domain=DOMAIN),
        hooks.malformed_address(DOMAIN),
    ]
    user = {"email_address": data.draw(addresses(DOMAIN))}
    hooks.contain_address(user, positive=True)
    made.append(user["email_address"])

    assert [] == [address for address in made if not is_suite_address(address, DOMAIN)]


@pytest.mark.parametrize(
    "address",
    [
        "ops@example.com",
        "contract-0123456789abcdef0123@example.org",  # another domain
        "contract-0123@example.com",  # too few hex digits
        "contract-0123456789abcdef0123@evil.example.com.attacker.net",
        "someone.contract-0123456789abcdef0123@example.com",
    ],
)
def test_sweep_leaves_other_addresses(address: str) -> None:
    """An address the suite does not make is never swept, however close it looks."""
    assert not is_suite_address(address, DOMAIN)


@pytest.mark.slow
def test_cleanup_against_a_delete_throttled_forever_ends_and_reports_what_is_left(tmp_path: Path) -> None:
    """DELETE answered 429 on every try: cleanup stops within seconds, exit 1, each user listed as left behind."""
    with hostile(Hostility("throttle-delete", after=10**9)) as base_url:
        (tmp_path / "ledger.txt").write_text("".join(f"{base_url}\tuser-{i}\n" for i in range(6)), encoding="utf-8")
        judged = judge(
            "deployhq_contract.cleanup", "--base-url", base_url, "--rate-limit", "200",
            env=canary_env(tmp_path), tmp_path=tmp_path, kill_seconds=60,
        )  # fmt: skip

    assert 1 == judged.code, judged.output[-3000:]
    assert "Traceback" not in judged.output
    assert "removed 0 user(s), 6 left behind" in judged.stdout
    assert "stopped deleting: the target answered 429" in judged.stdout
    assert judged.seconds < 30
    assert 6 == len(read_ledger(tmp_path / "ledger.txt", base_url))


@pytest.mark.slow
def test_cleanup_against_a_rate_limited_target_without_pacing_removes_everyone(tmp_path: Path) -> None:
    """A target allowing 2 requests a second, a cleanup told of no rate limit: after the first 429 the deletes go one
    at a time, each waiting out its Retry-After, and every user is removed (about 9 s). Eight threads retrying
    together left 4 or 5 of the 20 behind: a delete lost six tries in a row and stopped the cleanup."""
    accounts = Accounts.defaults()
    admin = Credentials(accounts.administrator.email, accounts.administrator.api_key)
    database = str(tmp_path / "users.sqlite3")
    with serve(create_app(database, accounts=accounts)) as unlimited, requests.Session() as session:
        created = [
            session.post(
                f"{unlimited}/users",
                auth=admin,
                json={"user": {"first_name": "Ada", "email_address": f"a{i}@{DOMAIN}"}},
            ).json()["identifier"]
            for i in range(20)
        ]
    with serve(create_app(database, accounts=accounts, rate_limit=2)) as base_url:
        ledger = Ledger(None, base_url)
        for identifier in created:
            ledger.adopt(identifier)
        target = Target(
            base_url=base_url, admin=admin, embedded=False, email_domain=DOMAIN, create_budget=0, rate_limit=None
        )
        guard = Guard(ledger=ledger, base_url=base_url)

        stopped = delete_all(target, ledger, guard=guard, workers=8)

    assert (None, []) == (stopped, ledger.outstanding), f"{guard.rate_limit_answers} answers were 429"
    assert guard.rate_limit_answers > 0  # the target did limit the cleanup
