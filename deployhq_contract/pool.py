"""Under --live, the users the run already invited, lent to every promise that needs "a user" to work on.

Every accepted invitation is a real email from the account under judgement. A promise about reading, changing,
refusing or removing a user does not need a new invitation, only a user of the run in a known state: the pool
lends one the run created and still holds, changed (PATCH, which emails nobody) only in the fields that differ from
the state asked for. A user is lent once per test, so a test that asks for two gets two different users. When the
run holds none to lend, the caller invites one, which then joins the pool.

A refusal's promise that the user is as it was is read back in batches: each refused change is noted
(`Api.note_refusal`), and one `GET /users` judges every pending note (`Api.read_back`) instead of one `GET` per
refusal. A note is judged before any request that may be accepted reaches its user (a lend's PATCH, a change that
may be forgiven: `Api.call`), so no accepted change is blamed on an earlier refusal. A note that could not be read
back (the list and the user's `GET` both unreadable) is reported not judged, never kept.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import requests

from .guard import KeptRateLimitingError, RefusedBySuiteError
from .promises import same_user, update_promises
from .spec import FLAGS

if TYPE_CHECKING:
    from .api import Api
    from .guard import Guard

__all__ = ["FRESH", "Pool", "ReadBack", "RefusalNote"]

# What a fresh invitation without these fields answers (the spec's defaults): a lent user is brought back to it.
FRESH: Mapping[str, Any] = {"time_zone": "Etc/UTC", **dict.fromkeys(FLAGS, False)}


@dataclass(frozen=True)
class RefusalNote:
    """After a refused request: *user* as it was (None for no user), *absent* an address no user may have."""

    batch: str  # the read-back that reports it
    refused: str  # the refused request and its answer (`exchange`), to reproduce
    label: str = ""  # the refused request in a few words ("PUT /users/... answered 401"), to tell it from others
    user: Mapping[str, Any] | None = None
    absent: str | None = None


@dataclass
class ReadBack:
    """What the read-back of one batch found: promises broken, and notes it could not judge (why)."""

    broken: list[str] = field(default_factory=list)
    not_judged: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Listed:
    sent: int  # the run's request count when it was read: reused until the run sends another request
    users: dict[str, list[dict[str, Any]]] | None  # every copy of each identifier; None when the list was unreadable
    exchange: str
    problem: str = ""  # why a 200 list could not be read, if it could not


class Pool:
    """The run's own users, as their last write answered them (the guard's history), lent one test at a time."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard
        self.lent = 0  # users lent instead of invited
        self._test = ""
        self._lent_to_test: set[str] = set()
        self._pending: list[RefusalNote] = []
        self._judged: dict[str, ReadBack] = {}  # batch -> what its notes read back as, until its read-back reports it
        self._listed: _Listed | None = None
        self._list_reported = False  # an unreadable list is one failure, not one per batch
        self._changed: set[str] = set()  # users a read-back found changed: never lent again

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
        """Every user the run created and has not removed, as its last write answered it (but those a read-back found
        changed behind a refusal: what they hold is not what the run wrote)."""
        alive = self.guard.history.alive().items()
        return {i: user for i, user in alive if self.guard.ledger.owns(i) and i not in self._changed}

    def hold(self, identifier: str) -> None:
        """A user this test invited itself: not lent to it a second time."""
        self._this_test()
        self._lent_to_test.add(identifier)

    def note(self, note: RefusalNote) -> None:
        """A refused request whose promise "nothing changed" is judged later, by `take(note.batch)`."""
        self._pending.append(note)

    def pending_on(self, identifier: str) -> bool:
        """Whether a refusal noted on the user *identifier* is still to be read back."""
        return any(note.user is not None and str(note.user["identifier"]) == identifier for note in self._pending)

    def take(self, api: Api, batch: str) -> ReadBack | None:
        """What the notes of *batch* read back as (judging every pending note now, on one list, if any of *batch*'s
        is pending), each note reported once; None if *batch* has none."""
        if any(note.batch == batch for note in self._pending):
            self.settle(api)
        return self._judged.pop(batch, None)

    def settle(self, api: Api) -> None:
        """Judge every pending note now: on one `GET /users`, or with a `GET` per user if the list cannot be read."""
        pending, self._pending = self._pending, []
        if not pending:
            return
        listed = self.listed(api)
        first = next(iter(pending)).batch
        if listed.problem and not self._list_reported:
            # Said once, about the list: the refusals are judged with a GET each instead.
            self._list_reported = True
            self._result(first).broken.append(listed.problem + listed.exchange)
        by_user: dict[str, list[RefusalNote]] = {}
        for note in pending:
            if note.user is not None:
                by_user.setdefault(str(note.user["identifier"]), []).append(note)
        for identifier, notes in by_user.items():
            self._judge_user(api, identifier, notes, listed)
        for note in pending:
            if note.absent is not None:
                self._judge_absent(note, listed)

    def listed(self, api: Api) -> _Listed:
        """Every user of the account, as `GET /users` shows them (every copy of a listed identifier): one list
        serves every read-back until the run sends another request."""
        if self._listed is not None and self._listed.sent == self.guard.requests_sent:
            return self._listed
        from .api import exchange

        users: dict[str, list[dict[str, Any]]] | None = None
        problem = ""
        try:
            response = api.list()
        except _UNANSWERED as error:  # a 429 to every try, the budget spent, no answer: read with a GET each
            shown = f": {error}"
        else:
            shown = exchange(response)
            if response.status_code == 200:
                users, problem = _users(response)
        self._listed = _Listed(self.guard.requests_sent, users, shown, problem)
        return self._listed

    def _result(self, batch: str) -> ReadBack:
        return self._judged.setdefault(batch, ReadBack())

    def _judge_user(self, api: Api, identifier: str, notes: list[RefusalNote], listed: _Listed) -> None:
        from .api import exchange

        copies = None if listed.users is None else listed.users.get(identifier)
        if copies is None:
            # Not listed (or no list): one GET says whether the user is gone or the list merely left it out.
            status, shown = 0, "could not read the user back after a refused request: "
            try:
                response = api.get(identifier)
            except _UNANSWERED as error:
                shown += str(error)
            else:
                status, shown = response.status_code, f"{shown}GET answered {response.status_code}{exchange(response)}"
            if status == 404:
                copies = []
            elif status == 200:
                copies = [_json(response)]
            else:
                for note in notes:
                    self._result(note.batch).not_judged.append(shown)
                return
        labels = list(dict.fromkeys(note.label for note in notes))
        for note in notes:
            suspects = (
                f", after a refused request{note.refused}"
                if len(labels) == 1
                else f", after {len(labels)} refused requests to it, any of which could have changed it: "
                f"{'; '.join(labels)}. This one{note.refused}"
            )
            assert note.user is not None
            found = (
                ["the user is gone"]
                if not copies
                else list(dict.fromkeys(p for copy in copies for p in same_user(note.user, copy, what="read back")))
            )
            if found:
                self._changed.add(identifier)
                self._result(note.batch).broken.append("; ".join(found) + suspects)
            else:
                self._result(note.batch)

    def _judge_absent(self, note: RefusalNote, listed: _Listed) -> None:
        assert note.absent is not None
        if listed.users is None:
            why = f"could not list the users to see that none has {note.absent} after a refused invitation"
            self._result(note.batch).not_judged.append(why + listed.exchange)
            return
        made = [
            identifier
            for identifier, copies in listed.users.items()
            if any(str(copy.get("email_address", "")).lower() == note.absent.lower() for copy in copies)
        ]
        for identifier in made:
            self.guard.ledger.record(identifier)  # made by a refused invitation: the run's to remove
        result = self._result(note.batch)
        if made:
            result.broken.append(f"listed, a user has {note.absent}, after a refused invitation{note.refused}")

    def _this_test(self) -> None:
        # pytest names the test it runs here (its documented PYTEST_CURRENT_TEST); a new test gets every user back.
        test = os.environ.get("PYTEST_CURRENT_TEST", "").rpartition(" ")[0]
        if test != self._test:
            self._test, self._lent_to_test = test, set()


# What leaves a read-back's request unanswered: the guard's rails (a 429 to every try, the budget) or the network.
_UNANSWERED = (KeptRateLimitingError, RefusedBySuiteError, requests.RequestException)
_BY_GET = ", so the refused changes were read back with a GET each"


def _users(response: Any) -> tuple[dict[str, list[dict[str, Any]]] | None, str]:
    """A 200 list's users by identifier (every copy), or None and why the read-back cannot read it."""
    try:
        body = response.json()
    except ValueError:
        return None, "GET /users answered 200 with a body that is not JSON" + _BY_GET
    if not isinstance(body, list):
        return None, "GET /users answered 200 with a body that is not a JSON array" + _BY_GET
    users: dict[str, list[dict[str, Any]]] = {}
    for entry in body:
        if not isinstance(entry, dict) or not isinstance(entry.get("identifier"), str):
            return None, (f"GET /users listed {entry!r:.120}, not a user with a string identifier" + _BY_GET)
        users.setdefault(entry["identifier"], []).append(entry)
    twice = sorted(identifier for identifier, copies in users.items() if len(copies) > 1)
    problem = f"GET /users listed the same identifier more than once: {', '.join(twice)}" if twice else ""
    return users, problem


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def _changes(user: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in wanted.items() if name not in user or user[name] != value}
