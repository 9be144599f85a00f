"""Under --live, the users the run already invited, lent to every promise that needs "a user" to work on.

Every accepted invitation is a real email from the account under judgement. A promise about reading, changing,
refusing or removing a user does not need a new invitation, only a user of the run in a known state: the pool
lends one the run created and still holds, changed (PATCH, which emails nobody) only in the fields that differ from
the state asked for. A user is lent once per test, so a test that asks for two gets two different users. When the
run holds none to lend, the caller invites one, which then joins the pool.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .promises import update_promises
from .spec import FLAGS

if TYPE_CHECKING:
    from .api import Api
    from .guard import Guard

__all__ = ["FRESH", "Pool"]

# What a fresh invitation without these fields answers (the spec's defaults): a lent user is brought back to it.
FRESH: Mapping[str, Any] = {"time_zone": "Etc/UTC", **dict.fromkeys(FLAGS, False)}


class Pool:
    """The run's own users, as their last write answered them (the guard's history), lent one test at a time."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard
        self.lent = 0  # users lent instead of invited
        self._test = ""
        self._lent_to_test: set[str] = set()

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

    def _this_test(self) -> None:
        # pytest names the test it runs here (its documented PYTEST_CURRENT_TEST); a new test gets every user back.
        test = os.environ.get("PYTEST_CURRENT_TEST", "").rpartition(" ")[0]
        if test != self._test:
            self._test, self._lent_to_test = test, set()


def _changes(user: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in wanted.items() if name not in user or user[name] != value}
