"""A base URL with a path (`http://host/deployhq`): every request is mapped below it, and nothing else is sent live."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from deployhq_contract.guard import BudgetExhaustedError, Guard, Ledger, OffTargetError
from deployhq_sandbox import Accounts, create_app, serve

from .judge import ADMIN, CANARY_KEY, canary_env, judge, suite

BASE = "http://127.0.0.1:8000/deployhq"


def test_requests_under_the_base_path_are_mapped_to_their_operations() -> None:
    """An invitation under the prefix spends the email budget and is ledgered, like one at the root."""
    guard = Guard(create_budget=1, base_url=BASE, ledger=Ledger(None, BASE), live=True)
    ticket = guard.before_send("POST", f"{BASE}/users")
    guard.after_answer(ticket, 201, b'{"identifier": "u-1"}')

    assert ticket.operation is not None
    assert "createUser" == ticket.operation.operation_id
    assert ["u-1"] == guard.ledger.created
    assert "deleteUser" == guard.before_send("DELETE", f"{BASE}/users/u-1/").operation.operation_id  # type: ignore[union-attr]
    with pytest.raises(BudgetExhaustedError):
        guard.before_send("POST", f"{BASE}/users")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/users",  # outside the base path
        "http://127.0.0.1:8000/deployhq/admin",  # no operation of the spec
        "http://127.0.0.1:8000/deployhqx/users",  # a sibling of the base path, not under it
    ],
)
def test_live_guard_refuses_what_maps_to_no_operation(url: str) -> None:
    """Live, a request no operation matches is not sent: no budget, ownership or ledger could apply to it."""
    guard = Guard(base_url=BASE, live=True)
    with pytest.raises(OffTargetError, match="none of the spec's operations"):
        guard.before_send("POST", url)
    assert 0 == guard.emails_sent


def test_guard_refuses_another_origin_live_or_not() -> None:
    """A request for another host or port (a redirect's Location, say) is never sent."""
    for live in (True, False):
        with pytest.raises(OffTargetError, match="not the target"):
            Guard(base_url=BASE, live=live).before_send("GET", "http://127.0.0.1:9000/deployhq/users")


@pytest.mark.slow
def test_live_run_under_a_path_prefix_leaves_nothing_behind(tmp_path: Path) -> None:
    """A --live run at `<server>/deployhq` ledgers and removes every user it creates, as at the root."""
    accounts = Accounts.from_env({"DEPLOYHQ_EMAIL": ADMIN, "DEPLOYHQ_API_KEY": CANARY_KEY}, with_role_users=False)
    database = tmp_path / "users.sqlite3"
    app = Starlette(routes=[Mount("/deployhq", app=create_app(database, accounts=accounts))])
    with serve(app) as base_url:
        judged = judge(
            *suite("--base-url", f"{base_url}/deployhq", "--live", "--rate-limit", "200", "-q",
                   "--contract-profile", "quick", "-k", "test_invite or test_remove",
                   f"--junitxml={tmp_path / 'junit.xml'}"),
            env=canary_env(tmp_path), tmp_path=tmp_path,
        )  # fmt: skip
    with sqlite3.connect(database) as connection:
        (left,) = connection.execute("SELECT count(*) FROM users WHERE email_address LIKE 'contract-%'").fetchone()

    assert 0 == judged.code, judged.output[-3000:]
    assert "users created: 0" not in judged.stdout
    assert "left behind: 0" in judged.stdout
    assert 0 == left
