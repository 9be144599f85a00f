"""Under --live, the users the run already invited, lent to every promise that needs "a user" to work on.

Every accepted invitation is a real email from the account under judgement. A promise about reading, changing,
refusing or removing a user does not need a new invitation, only a user of the run in a known state: the pool
lends one the run created and still holds, changed (PATCH, which emails nobody) only in the fields that differ from
the state asked for. A user is lent once per test, so a test that asks for two gets two different users. When the
run holds none to lend, the caller invites one, which then joins the pool.

A refusal's promise that the user is as it was is read back in batches: each refused change is noted, and one
`GET /users` reads every user it concerns (`Api.as_it_was`, `Api.read_back`) instead of one `GET` per refusal.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .promises import update_promises
from .spec import FLAGS

if TYPE_CHECKING:
    from .api import Api
    from .guard import Guard

__all__ = ["FRESH", "Expected", "Pool"]

# What a fresh invitation without these fields answers (the spec's defaults): a lent user is brought back to it.
FRESH: Mapping[str, Any] = {"time_zone": "Etc/UTC", **dict.fromkeys(FLAGS, False)}


@dataclass(frozen=True)
class Expected:
    """After a refused request: *user* as it was (None for no user), *absent* an address no user may have."""

    refused: str  # the refused request and its answer (`exchange`), to reproduce
    user: Mapping[str, Any] | None = None
    absent: str | None = None


class Pool:
    """The run's own users, as their last write answered them (the guard's history), lent one test at a time."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard
        self.lent = 0  # users lent instead of invited
        self._test = ""
        self._lent_to_test: set[str] = set()
        self._pending: dict[str, list[Expected]] = {}
        self._listed: tuple[int, dict[str, dict[str, Any]]] | None = None  # (requests sent then, users by identifier)

    def lend(self, api: Api, fields: Mapping[str, Any]) -> dict[str, Any] | None:
        """A user of the run in the state *fields* plus FRESH asks for, not yet lent to this test; None if none is left.

        The user needing the fewest changes is taken (often none: many promises leave their user as it was).
        """
        self._this_test()
        wanted = {**FRESH, **fields}
        candidates = [
            (len(_changes(user, wanted)), order, identifier, user)
            for order, (identifier, user) in enumerate(self.held().items())
            if identifier not in self._lent_to_test
        ]
        if not candidates:
            return None
        _, _, identifier, user = min(candidates, key=lambda candidate: candidate[:2])
        changes = _changes(user, wanted)
        if changes:
            from .api import exchange

            response = api.update(identifier, changes)
            assert response.status_code == 200, "could not bring a user of the run back to test with" + exchange(
                response
            )
            changed: dict[str, Any] = response.json()
            assert [] == update_promises(user, changes, changed), exchange(response)
            user = changed
        self._lent_to_test.add(identifier)
        self.lent += 1
        return dict(user)

    def held(self) -> dict[str, dict[str, Any]]:
        """Every user the run created and has not removed, as its last write answered it."""
        return {i: user for i, user in self.guard.history.alive().items() if self.guard.ledger.owns(i)}

    def hold(self, identifier: str) -> None:
        """A user this test invited itself: not lent to it a second time."""
        self._this_test()
        self._lent_to_test.add(identifier)

    def defer(self, batch: str, expected: Expected) -> None:
        """A refused request whose promise "nothing changed" is judged later, by `read_back(batch)`."""
        self._pending.setdefault(batch, []).append(expected)

    def take(self, batch: str) -> list[Expected]:
        return self._pending.pop(batch, [])

    def listed(self, api: Api) -> dict[str, dict[str, Any]]:
        """Every user of the account by identifier, as `GET /users` shows them: one list serves every read-back
        until the run sends another request."""
        if self._listed is not None and self._listed[0] == self.guard.requests_sent:
            return self._listed[1]
        from .api import exchange

        response = api.list()
        assert response.status_code == 200, "could not list the users to read refused changes back" + exchange(response)
        users = {str(user["identifier"]): user for user in response.json() if isinstance(user, dict)}
        self._listed = (self.guard.requests_sent, users)
        return users

    def _this_test(self) -> None:
        # pytest names the test it runs here (its documented PYTEST_CURRENT_TEST); a new test gets every user back.
        test = os.environ.get("PYTEST_CURRENT_TEST", "").rpartition(" ")[0]
        if test != self._test:
            self._test, self._lent_to_test = test, set()


def _changes(user: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in wanted.items() if name not in user or user[name] != value}
