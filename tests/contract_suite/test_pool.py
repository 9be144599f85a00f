"""Tests for `deployhq_contract.pool`: with --live, promises get a user the run already invited, not a new email."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from deployhq_contract.api import Api
from deployhq_contract.guard import Guard, guarded_session
from deployhq_contract.pool import FRESH, Pool
from deployhq_contract.target import Credentials, Target
from deployhq_sandbox import Accounts, create_app, serve


@pytest.fixture(name="api")
def _api(tmp_path: Path) -> Iterator[Api]:
    """The Api of a --live run (with a pool) against a reference server on loopback, through a real guard."""
    accounts = Accounts.defaults()
    admin = Credentials(accounts.administrator.email, accounts.administrator.api_key)
    with serve(create_app(tmp_path / "users.sqlite3", accounts=accounts)) as base_url:
        guard = Guard(live=True)
        session = guarded_session(guard)
        target = Target(base_url=base_url, admin=admin, live=True, embedded=False)
        yield Api(session, target, Pool(guard))
        session.close()


def invitations(api: Api) -> int:
    assert api.pool is not None
    return sum(n for (operation, status), n in api.pool.guard.statuses.items() if operation == "createUser")


def test_with_nothing_to_lend_a_user_is_invited(api: Api) -> None:
    """An empty pool lends nothing: `fresh_user` invites, and the run then holds that user."""
    assert api.pool is not None
    assert None is api.pool.lend(api, {})

    user = api.fresh_user()

    assert 1 == invitations(api)
    assert [user["identifier"]] == list(api.pool.held())


def next_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """What pytest does when the next test starts: it names that test in PYTEST_CURRENT_TEST."""
    monkeypatch.setenv("PYTEST_CURRENT_TEST", "tests/test_next.py::test_next (call)")


def test_a_user_of_the_run_is_lent_instead_of_a_new_invitation(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second test's user is the first test's, brought back to the state asked for by one change: no invitation."""
    first = api.fresh_user(last_name="Lovelace", can_manage_users=True)
    api.update(first["identifier"], {"time_zone": "Asia/Kolkata"})
    next_test(monkeypatch)

    lent = api.fresh_user(last_name="Byron")

    assert first["identifier"] == lent["identifier"]
    assert {**FRESH, "last_name": "Byron"} == {name: lent[name] for name in [*FRESH, "last_name"]}
    assert 1 == invitations(api)
    assert lent == api.get(lent["identifier"]).json()


def test_one_test_never_gets_the_same_user_twice(api: Api) -> None:
    """Two users asked for in one test are two users: the second is invited when the run holds only one."""
    first, second = api.fresh_user(), api.fresh_user()

    assert first["identifier"] != second["identifier"]
    assert 2 == invitations(api)


def test_the_user_needing_fewest_changes_is_lent_unchanged(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """Of the run's users, one already in the state asked for is lent as it is: not even a change is sent."""
    api.fresh_user()
    wanted = api.fresh_user(time_zone="Asia/Kolkata")
    assert api.pool is not None
    next_test(monkeypatch)
    sent = api.pool.guard.requests_sent

    lent = api.fresh_user(time_zone="Asia/Kolkata")

    assert wanted["identifier"] == lent["identifier"]
    assert sent == api.pool.guard.requests_sent


def test_held_lists_the_users_the_run_created_and_did_not_remove(api: Api) -> None:
    """`held()` is every user the run invited and still has, as its last write answered it."""
    kept, removed = api.fresh_user(), api.fresh_user()
    api.delete(removed["identifier"])
    assert api.pool is not None

    assert [kept["identifier"]] == list(api.pool.held())


def test_refused_changes_are_read_back_together_in_one_list(api: Api) -> None:
    """Under --live a refusal's "nothing changed" is noted, not read; one list judges every note of a batch, and
    another batch read back before any other request shares that list."""
    assert api.pool is not None
    user = api.fresh_user(last_name="Lovelace")
    first = api.update(user["identifier"], {"first_name": ""})
    second = api.update(user["identifier"], {"time_zone": "Mars/Olympus"})
    sent = api.pool.guard.requests_sent

    assert [] == api.as_it_was(user, first, "PATCH")
    assert [] == api.as_it_was(user, second, "PUT")
    assert sent == api.pool.guard.requests_sent
    assert [] == api.read_back("PATCH")
    assert sent + 1 == api.pool.guard.requests_sent
    assert [] == api.read_back("PUT")
    assert sent + 1 == api.pool.guard.requests_sent
    assert None is api.read_back("PATCH")  # each note is judged once


def test_a_refused_change_that_changed_the_user_is_caught_by_the_read_back(api: Api) -> None:
    """A user who differs from its state before a refusal, or a user with a refused invitation's address, is named."""
    user = api.fresh_user(last_name="Lovelace")
    refused = api.update(user["identifier"], {"first_name": ""})
    # What a server that saves part of a refused change would leave: first_name changed behind the 422.
    api.update(user["identifier"], {"first_name": "Changed"})
    taken = api.fresh_user()
    api.as_it_was(user, refused, "refusals")
    api.as_it_was(None, refused, "refusals", absent=taken["email_address"].upper())

    broken = api.read_back("refusals")

    assert broken is not None
    assert 2 == len(broken), broken
    assert "first_name is 'Changed' where it was 'Ada'" in broken[0]
    assert """-d '{"user": {"first_name": ""}}'""" in broken[0]  # the refused request, to reproduce
    assert f"a user has {taken['email_address'].upper()}" in broken[1]


def test_without_a_pool_a_refusal_is_read_back_at_once(api: Api) -> None:
    """On loopback (no pool) `as_it_was` reads the user with a GET at once, and there is nothing to read back."""
    loopback = Api(api.http, api.target)
    user = loopback.fresh_user()
    refused = loopback.update(user["identifier"], {"first_name": ""})
    assert api.pool is not None
    sent = api.pool.guard.requests_sent

    assert [] == loopback.as_it_was(user, refused, "PATCH")
    assert sent + 1 == api.pool.guard.requests_sent
    assert None is loopback.read_back("PATCH")
