"""Effects across operations, over generated sequences of invitations, changes, resends, reads and removals.

A model of the whole account as the run wrote it is kept next to the server and judged after every step: each
user of the run exactly as last written (so a resend, a refused invitation or update, and a read change nobody,
and an update changes only what it sent), no removed user and no row the run did not create; addresses are
unique across the account in any letter case, for invitations and updates alike, and an address given up by a
change or a removal is free again. `id` and `identifier` are unique and never change. Hypothesis generates the
sequences (and shrinks a failing one to the shortest), through the same guard as every request; on a live
target the rules touch only users the run created.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from hypothesis import Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)

from deployhq_contract.api import Api, exchange
from deployhq_contract.promises import (
    invitation_promises,
    list_promises,
    read_promises,
    update_promises,
    validation_body_promises,
)
from deployhq_contract.strategies import addresses, changes, invitation_dicts, names

pytestmark = [
    pytest.mark.contract_rank(110),
    *(pytest.mark.operation(o) for o in ("createUser", "updateUser", "getUser", "listUsers", "deleteUser")),
]


def _loopback(machine: Any) -> bool:
    """Rules that email a person (an invitation, a resend) or remove a user the pool lends run only off --live."""
    return machine.api.pool is None


class Account(RuleBasedStateMachine):
    """The server against a model of the users this sequence wrote, judged as a whole after every step."""

    api: Api  # set on the subclass the test builds

    users = Bundle("users")

    def __init__(self) -> None:
        super().__init__()
        self.model: dict[str, dict[str, Any]] = {}
        self.removed: set[str] = set()
        self.ids: dict[str, int] = {}  # identifier -> id, over the whole sequence
        self.freed: list[str] = []  # addresses the run's users held once and gave up (changed or removed)
        self.listed: set[str] | None = None  # the identifiers of the last list, to see rows nobody asked for

    @initialize(target=users, sent=st.data())
    def first_users(self, sent: st.DataObject) -> Any:
        """Users to begin with, so that the rules between users have some early (one on a live target: an email)."""
        if self.api.pool is not None:
            # --live: a user the run already invited, lent by the pool (each invitation is an email).
            lent = self.api.fresh_user()
            self._identity(lent)
            self.model[lent["identifier"]] = lent
            return multiple(str(lent["identifier"]))
        drawn = [sent.draw(invitation_dicts(self.api.target.email_domain)) for _ in range(2)]
        return multiple(*(self._created(self.api.invite(user), user) for user in drawn))

    def _identity(self, user: dict[str, Any]) -> None:
        identifier, user_id = user["identifier"], user["id"]
        assert self.ids.get(identifier, user_id) == user_id, f"user {identifier} changed its id to {user_id}"
        reused = [other for other, seen in self.ids.items() if seen == user_id and other != identifier]
        assert not reused, f"id {user_id} of user {identifier} was already user {reused[0]}'s"
        self.ids[identifier] = user_id

    def _alive(self) -> dict[str, dict[str, Any]]:
        return {i: user for i, user in self.model.items() if i not in self.removed}

    def _taken(self) -> set[str]:
        return {user["email_address"].lower() for user in self._alive().values()}

    def _free(self) -> list[str]:
        taken = self._taken()
        return sorted({address for address in self.freed if address.lower() not in taken})

    def _created(self, response: requests.Response, sent: dict[str, Any]) -> str:
        assert 201 == response.status_code, exchange(response)
        created = response.json()
        assert [] == invitation_promises(sent, created), exchange(response)
        assert created["identifier"] not in self.ids, f"identifier {created['identifier']} was reused"
        self._identity(created)
        self.model[created["identifier"]] = created
        if self.listed is not None:
            self.listed.add(created["identifier"])
        return str(created["identifier"])

    def _changed(self, identifier: str, changed: dict[str, Any], response: requests.Response) -> None:
        assert 200 == response.status_code, exchange(response)
        before = self.model[identifier]
        after = response.json()
        assert [] == update_promises(before, changed, after), exchange(response)
        self._identity(after)
        if after["email_address"].lower() != before["email_address"].lower():
            self.freed.append(before["email_address"])
        self.model[identifier] = after

    @precondition(_loopback)
    @rule(target=users, sent=st.data())
    def invite(self, sent: st.DataObject) -> str:
        user = sent.draw(invitation_dicts(self.api.target.email_domain))
        return self._created(self.api.invite(user), user)

    @precondition(lambda self: _loopback(self) and self._free())
    @rule(target=users, sent=st.data())
    def invite_a_freed_address(self, sent: st.DataObject) -> str:
        """An address a user of the run gave up (changed or removed), in other letter case, is free again."""
        user = sent.draw(invitation_dicts(self.api.target.email_domain))
        user["email_address"] = sent.draw(st.sampled_from(self._free())).swapcase()
        return self._created(self.api.invite(user), user)

    @precondition(lambda self: self._alive())
    @rule(sent=st.data())
    def invite_a_taken_address(self, sent: st.DataObject) -> None:
        """An address a current user holds, in any letter case, is refused, and no row appears."""
        holder = sent.draw(st.sampled_from(sorted(self._alive())))
        user = sent.draw(invitation_dicts(self.api.target.email_domain))
        user["email_address"] = sent.draw(_letter_cases(self.model[holder]["email_address"]))
        response = self.api.invite(user)
        assert 422 == response.status_code, (
            f"user {holder} holds {self.model[holder]['email_address']}{exchange(response)}"
        )
        assert [] == validation_body_promises(response.json(), "email_address"), exchange(response)

    @rule(identifier=users, sent=st.data(), method=st.sampled_from(["PATCH", "PUT"]))
    def change(self, identifier: str, sent: st.DataObject, method: str) -> None:
        if identifier in self.removed:
            return
        changed = sent.draw(changes(self.api.target.email_domain))
        self._changed(identifier, changed, self.api.update(identifier, changed, method=method))

    @precondition(lambda self: self._free())
    @rule(identifier=users, sent=st.data())
    def change_to_a_freed_address(self, identifier: str, sent: st.DataObject) -> None:
        """A user may take an address another user of the run gave up, in any letter case."""
        if identifier in self.removed:
            return
        changed = {"email_address": sent.draw(st.sampled_from(self._free())).swapcase()}
        self._changed(identifier, changed, self.api.update(identifier, changed))

    @precondition(lambda self: len(self._alive()) >= 2)
    @rule(sent=st.data(), method=st.sampled_from(["PATCH", "PUT"]))
    def change_to_a_taken_address(self, sent: st.DataObject, method: str) -> None:
        """Another current user's address, in any letter case, is refused, and nothing else sent is applied."""
        identifier, holder = sent.draw(st.permutations(sorted(self._alive())))[:2]
        held = self.model[holder]["email_address"]
        changed = {**sent.draw(changes(self.api.target.email_domain)), "first_name": sent.draw(names)}
        changed["email_address"] = sent.draw(_letter_cases(held))
        response = self.api.update(identifier, changed, method=method)
        assert 422 == response.status_code, f"user {holder} holds {held}{exchange(response)}"
        assert [] == validation_body_promises(response.json(), "email_address"), exchange(response)

    @rule(identifier=users, sent=st.data())
    def change_address(self, identifier: str, sent: st.DataObject) -> None:
        """A new address, in whatever letter case, is the user's: it comes back as sent and is taken from now on."""
        if identifier in self.removed:
            return
        changed = {"email_address": sent.draw(addresses(self.api.target.email_domain))}
        self._changed(identifier, changed, self.api.update(identifier, changed))

    @precondition(_loopback)
    @rule(identifier=users)
    def resend(self, identifier: str) -> None:
        """A resend to a pending invitation is a 200; it changes no user (the list after the step shows it)."""
        response = self.api.resend(identifier)
        if identifier in self.removed:
            assert 404 == response.status_code, f"user {identifier} was removed{exchange(response)}"
            return
        assert 200 == response.status_code, exchange(response)

    @rule(identifier=users)
    def read(self, identifier: str) -> None:
        response = self.api.get(identifier)
        if identifier in self.removed:
            assert 404 == response.status_code, f"user {identifier} was removed{exchange(response)}"
            return
        assert 200 == response.status_code, exchange(response)
        assert [] == read_promises(identifier, response.json(), self.model[identifier]), exchange(response)

    @precondition(_loopback)
    @rule(identifier=consumes(users))
    def remove(self, identifier: str) -> None:
        response = self.api.delete(identifier)
        if self.model[identifier].get("account_administrator") is True:
            # DeployHQ's remove-user page: the account administrator cannot be removed, and stays as it was.
            assert 403 == response.status_code, exchange(response)
            return
        assert 200 == response.status_code, exchange(response)
        self.removed.add(identifier)
        self.freed.append(self.model[identifier]["email_address"])
        if self.listed is not None:
            self.listed.discard(identifier)

    @invariant()
    def the_account_is_as_written(self) -> None:
        """After every step: each user of the run exactly as last written, none removed, no row nobody created."""
        response = self.api.list()
        assert 200 == response.status_code, exchange(response)
        users = response.json()
        assert [] == list_promises(users, self._alive(), self.removed), exchange(response)
        listed = {user.get("identifier") for user in users if isinstance(user, dict)}
        if self.listed is not None:
            # Another caller inviting into a live account during the run would show here too: say it plainly.
            appeared = sorted(str(i) for i in listed - self.listed)
            assert not appeared, f"users {appeared} appeared in the list, but this run created none of them"
        self.listed = {str(i) for i in listed}


def _letter_cases(address: str) -> st.SearchStrategy[str]:
    return st.sampled_from([address, address.swapcase(), address.upper(), address.lower()])


def test_reads_and_lists_agree_with_every_write(api: Api) -> None:
    """Whatever the sequence of writes, refusals, resends and reads, the account holds exactly what was written."""

    class Sequence(Account):
        pass

    Sequence.api = api
    current = settings()
    live = api.target.live
    Sequence.TestCase.settings = settings(
        current,
        max_examples=max(2, current.max_examples // 10) if live else max(10, current.max_examples // 2),
        stateful_step_count=4 if live else 10,
        # Every shrinking step replays a sequence of real requests against an account that keeps growing: it would
        # run to Hypothesis' five-minute cap. The failing sequence is at most 10 steps, and is printed as it is.
        phases=[phase for phase in current.phases if phase not in (Phase.shrink, Phase.explain)],
    )
    Sequence.TestCase().runTest()
