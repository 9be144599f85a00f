"""Consistency across operations, over generated sequences of invitations, changes, reads, lists and removals.

A model of what the run wrote is kept next to the server: every read by identifier and every list must agree
with it, a removed user is gone from both, and `id` and `identifier` are unique and never change. Hypothesis
generates the sequences (and shrinks a failing one to the shortest), through the same guard as every request.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, initialize, rule

from deployhq_contract.api import Api, exchange
from deployhq_contract.promises import invitation_promises, list_promises, read_promises, update_promises
from deployhq_contract.strategies import changes, invitation_dicts

pytestmark = [
    pytest.mark.contract_rank(110),
    *(pytest.mark.operation(o) for o in ("createUser", "updateUser", "getUser", "listUsers", "deleteUser")),
]


class Account(RuleBasedStateMachine):
    """The server against a model of the users this sequence wrote."""

    api: Api  # set on the subclass the test builds

    users = Bundle("users")

    @initialize()
    def start(self) -> None:
        self.model: dict[str, dict[str, Any]] = {}
        self.removed: set[str] = set()
        self.ids: dict[str, int] = {}  # identifier -> id, over the whole sequence

    def _identity(self, user: dict[str, Any]) -> None:
        identifier, user_id = user["identifier"], user["id"]
        assert self.ids.get(identifier, user_id) == user_id, f"user {identifier} changed its id to {user_id}"
        reused = [other for other, seen in self.ids.items() if seen == user_id and other != identifier]
        assert not reused, f"id {user_id} of user {identifier} was already user {reused[0]}'s"
        self.ids[identifier] = user_id

    @rule(target=users, sent=st.data())
    def invite(self, sent: st.DataObject) -> str:
        user = sent.draw(invitation_dicts(self.api.target.email_domain))
        response = self.api.invite(user)
        assert 201 == response.status_code, exchange(response)
        created = response.json()
        assert [] == invitation_promises(user, created), exchange(response)
        assert created["identifier"] not in self.ids, f"identifier {created['identifier']} was reused"
        self._identity(created)
        self.model[created["identifier"]] = created
        return str(created["identifier"])

    @rule(identifier=users, sent=st.data(), method=st.sampled_from(["PATCH", "PUT"]))
    def change(self, identifier: str, sent: st.DataObject, method: str) -> None:
        if identifier in self.removed:
            return
        before = self.model[identifier]
        changed = sent.draw(changes(self.api.target.email_domain))
        response = self.api.update(identifier, changed, method=method)
        assert 200 == response.status_code, exchange(response)
        after = response.json()
        assert [] == update_promises(before, changed, after), exchange(response)
        self._identity(after)
        self.model[identifier] = after

    @rule(identifier=users)
    def read(self, identifier: str) -> None:
        response = self.api.get(identifier)
        if identifier in self.removed:
            assert 404 == response.status_code, f"user {identifier} was removed{exchange(response)}"
            return
        assert 200 == response.status_code, exchange(response)
        assert [] == read_promises(identifier, response.json(), self.model[identifier]), exchange(response)

    @rule()
    def list_all(self) -> None:
        response = self.api.list()
        assert 200 == response.status_code, exchange(response)
        alive = {i: user for i, user in self.model.items() if i not in self.removed}
        assert [] == list_promises(response.json(), alive, self.removed), exchange(response)

    @rule(identifier=consumes(users))
    def remove(self, identifier: str) -> None:
        response = self.api.delete(identifier)
        if self.model[identifier].get("account_administrator") is True:
            # DeployHQ's remove-user page: the account administrator cannot be removed, and stays as it was.
            assert 403 == response.status_code, exchange(response)
            return
        assert 200 == response.status_code, exchange(response)
        self.removed.add(identifier)


def test_reads_and_lists_agree_with_every_write(api: Api) -> None:
    """Whatever the sequence of invitations, changes and removals, reads and lists show exactly what was written."""

    class Sequence(Account):
        pass

    Sequence.api = api
    current = settings()
    live = api.target.live
    Sequence.TestCase.settings = settings(
        current, max_examples=max(2, current.max_examples // (10 if live else 5)), stateful_step_count=4 if live else 8
    )
    Sequence.TestCase().runTest()
