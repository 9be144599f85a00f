"""Tests for `deployhq_contract.pool`: with --live, promises get a user the run already invited, not a new email."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from deployhq_contract.api import Api
from deployhq_contract.guard import Guard, guarded_session
from deployhq_contract.pool import FRESH, Pool, ReadBack
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
    """Under --live a refusal is noted, not read; one list judges every pending note, and another batch read back
    before any other request shares that list."""
    assert api.pool is not None
    user = api.fresh_user(last_name="Lovelace")
    first = api.update(user["identifier"], {"first_name": ""}, refusal=True)
    second = api.update(user["identifier"], {"time_zone": "Mars/Olympus"}, refusal=True)
    sent = api.pool.guard.requests_sent

    api.note_refusal(user, first, "PATCH")
    api.note_refusal(user, second, "PUT")
    assert sent == api.pool.guard.requests_sent
    assert ReadBack() == api.read_back("PATCH")
    assert sent + 1 == api.pool.guard.requests_sent
    assert ReadBack() == api.read_back("PUT")
    assert sent + 1 == api.pool.guard.requests_sent
    assert None is api.read_back("PATCH")  # each note is judged once


def test_a_refused_change_that_changed_the_user_is_caught_by_the_read_back(api: Api) -> None:
    """A user who differs from its state before a refusal, or a user with a refused invitation's address, is named,
    and a user found changed is lent no more."""
    assert api.pool is not None
    user = api.fresh_user(last_name="Lovelace")
    refused = api.update(user["identifier"], {"first_name": ""}, refusal=True)
    api.note_refusal(user, refused, "refusals")
    # What a server that saves part of a refused change would leave: first_name changed behind the 422.
    api.update(user["identifier"], {"first_name": "Changed"}, refusal=True)
    taken = api.fresh_user()
    api.note_refusal(None, refused, "refusals", absent=taken["email_address"].upper())

    found = api.read_back("refusals")

    assert found is not None
    assert 2 == len(found.broken), found
    assert "first_name is 'Changed' where it was 'Ada'" in found.broken[0]
    assert """-d '{"user": {"first_name": ""}}'""" in found.broken[0]  # the refused request, to reproduce
    assert f"a user has {taken['email_address'].upper()}" in found.broken[1]
    assert user["identifier"] not in api.pool.held()


def test_without_a_pool_a_refusal_is_read_at_once(api: Api) -> None:
    """On loopback (no pool) `read_now` reads the user with a GET at once, and there is nothing to read back."""
    loopback = Api(api.http, api.target)
    user = loopback.fresh_user()
    loopback.update(user["identifier"], {"first_name": ""})
    assert api.pool is not None
    sent = api.pool.guard.requests_sent

    assert [] == loopback.read_now(user)
    assert sent + 1 == api.pool.guard.requests_sent
    assert None is loopback.read_back("PATCH")


def test_an_unreadable_list_falls_back_to_a_get_per_user(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """A list that answers 429 does not make a refusal kept: each noted user is read with a GET instead, and a
    refused change is still caught; a refused invitation's address, which only the list shows, is not judged."""
    assert api.pool is not None
    user = api.fresh_user(last_name="Lovelace")
    refused = api.update(user["identifier"], {"first_name": ""}, refusal=True)
    api.update(user["identifier"], {"first_name": "Changed"}, refusal=True)
    api.note_refusal(user, refused, "refusals")
    api.note_refusal(None, refused, "refusals", absent=api.address())
    _answer(monkeypatch, api, "listUsers", 429, b'{"status": 429, "error": "Too many requests"}')

    found = api.read_back("refusals")

    assert found is not None
    assert ["read back, first_name is 'Changed' where it was 'Ada'"] == [
        b.partition(", after")[0] for b in found.broken
    ]
    assert 1 == len(found.not_judged)
    assert "could not list the users" in found.not_judged[0]


def test_a_read_back_that_cannot_read_the_user_is_not_judged(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither the list nor the user's GET readable: the note is not judged, never kept."""
    assert api.pool is not None
    user = api.fresh_user()
    refused = api.update(user["identifier"], {"first_name": ""}, refusal=True)
    api.note_refusal(user, refused, "refusals")
    _answer(monkeypatch, api, "listUsers", 429, b"{}")
    _answer(monkeypatch, api, "getUser", 429, b"{}")

    found = api.read_back("refusals")

    assert found is not None
    assert [] == found.broken
    assert 1 == len(found.not_judged)
    assert "GET answered 429" in found.not_judged[0]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'{"users": []}', "not a JSON array"),
        (b"<html>", "not JSON"),
        (b'[{"first_name": "Ada"}]', "not a user with a string identifier"),
    ],
)
def test_a_list_that_is_not_users_is_one_failure_about_the_list(
    api: Api, monkeypatch: pytest.MonkeyPatch, body: bytes, problem: str
) -> None:
    """A 200 list the read-back cannot read is one failure naming the list; the refusals are read with a GET each
    and, unchanged, are not blamed."""
    assert api.pool is not None
    user = api.fresh_user()
    for batch in ("one", "two"):
        api.note_refusal(user, api.update(user["identifier"], {"first_name": ""}, refusal=True), batch)
    _answer(monkeypatch, api, "listUsers", 200, body)

    found = [api.read_back("one"), api.read_back("two")]

    assert [1, 0] == [len(f.broken) if f else -1 for f in found]
    assert found[0] is not None
    assert problem in found[0].broken[0]
    assert "GET /users" in found[0].broken[0]
    assert all(f is not None and not f.not_judged for f in found)


def test_a_duplicate_in_the_list_is_named_and_every_copy_compared(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two copies of a user, the changed one first: the duplicate is named and the change still caught."""
    assert api.pool is not None
    user = api.fresh_user()
    api.note_refusal(user, api.update(user["identifier"], {"first_name": ""}, refusal=True), "refusals")
    changed = json.dumps([{**user, "first_name": "Changed"}, user]).encode()
    _answer(monkeypatch, api, "listUsers", 200, changed)

    found = api.read_back("refusals")

    assert found is not None
    assert any("more than once" in b for b in found.broken)
    assert any("first_name is 'Changed'" in b for b in found.broken)


def test_a_user_missing_from_the_list_is_read_with_a_get(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """A list that leaves the user out (pagination, a stale list) does not make it gone: one GET finds it."""
    assert api.pool is not None
    user = api.fresh_user()
    api.note_refusal(user, api.update(user["identifier"], {"first_name": ""}, refusal=True), "refusals")
    _answer(monkeypatch, api, "listUsers", 200, b"[]")
    sent = api.pool.guard.requests_sent

    assert ReadBack() == api.read_back("refusals")
    assert sent + 2 == api.pool.guard.requests_sent


def test_a_change_that_may_be_accepted_reads_the_notes_on_its_user_first(api: Api) -> None:
    """An accepted change (a lenient target's forgiven one, a lend's PATCH) after a refusal on the same user is not
    blamed on the refusal: the refusal is read back before it."""
    assert api.pool is not None
    user = api.fresh_user(last_name="Lovelace")
    refused = api.update(user["identifier"], {"first_name": ""}, refusal=True)
    api.note_refusal(user, refused, "refusals")

    accepted = api.update(user["identifier"], {"last_name": "Changed"})

    assert 200 == accepted.status_code
    assert ReadBack() == api.read_back("refusals")


def _answer(monkeypatch: pytest.MonkeyPatch, api: Api, operation_id: str, status: int, body: bytes) -> None:
    """From now on *operation_id* answers *status* and *body*, as a hostile or rate-limited target would."""
    call = api.call

    def answered(called: str, *args: Any, **kwargs: Any) -> requests.Response:
        response = call(called, *args, **kwargs)
        if called == operation_id:
            response.status_code, response._content = status, body
        return response

    monkeypatch.setattr(api, "call", answered)


def test_a_user_a_refused_invitation_made_is_named_and_put_on_the_ledger(api: Api) -> None:
    """A user with a refused invitation's address (a server that creates behind its 401) is broken, and the run's
    to remove: cleanup finds it on the ledger."""
    assert api.pool is not None
    address = api.address()
    refused = api.invite({"first_name": "Ada", "email_address": address}, auth=None)
    # What such a server leaves: the user made anyway, by a request the guard never saw answered 201.
    made = requests.post(
        f"{api.target.base_url}/users",
        json={"user": {"first_name": "Ada", "email_address": address}},
        auth=(api.target.admin.email, api.target.admin.api_key),
        timeout=10,
    ).json()
    api.note_refusal(None, refused, "refusals", absent=address)

    found = api.read_back("refusals")

    assert found is not None
    assert [f"listed, a user has {address}, after a refused invitation"] == [b.partition("\n")[0] for b in found.broken]
    assert api.pool.guard.ledger.owns(made["identifier"])
