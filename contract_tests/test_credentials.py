"""Near-miss credentials, on every operation: each near miss of the right address and key is a 401, and nothing happens.

The neighbourhood of the administrator's credentials, where real key comparisons go wrong: the key in another letter
case (a case-insensitive column), all but its last character (a prefix compare), with characters after it (a
truncating column), an empty key for a known address, and the right key with another user's address. Each costs one
request and sends no email. The address, unlike the key, is compared case-insensitively (openapi.yaml, basicAuth).

With --live (each request paced) not every near miss goes to every operation: authentication is one mechanism per
server, the same comparison of address and key in front of every operation, so each operation gets one near miss and
each near miss at least one operation (7 requests instead of 35), and the refused changes are read back together,
in one `GET /users` (the `read back` cases), instead of one `GET` each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from deployhq_contract.api import Api, exchange, judge_read_back
from deployhq_contract.operations import OPERATIONS
from deployhq_contract.promises import error_body_promises
from deployhq_contract.target import Credentials, Target

pytestmark = [pytest.mark.contract_beside, pytest.mark.contract_rank(31)]


def _other_letter_case(target: Target) -> Credentials | str:
    key = target.admin.api_key
    if key.swapcase() == key:
        return "the administrator's API key has no letters"
    return Credentials(target.admin.email, key.swapcase())


def _prefix(target: Target) -> Credentials | str:
    return Credentials(target.admin.email, target.admin.api_key[:-1])


def _trailing(target: Target) -> Credentials | str:
    return Credentials(target.admin.email, target.admin.api_key + "0 ")


def _empty(target: Target) -> Credentials | str:
    return Credentials(target.admin.email, "")


def _another_address(target: Target) -> Credentials | str:
    other = target.manager or target.member
    if other is None:
        return "no second user's credentials (set DEPLOYHQ_MANAGER_EMAIL and DEPLOYHQ_MANAGER_API_KEY)"
    return Credentials(other.email, target.admin.api_key)


NEAR_MISSES: dict[str, Callable[[Target], Credentials | str]] = {
    "key in other letter case": _other_letter_case,
    "key without its last character": _prefix,
    "key with characters after it": _trailing,
    "empty key": _empty,
    "key with another user's address": _another_address,
}
# After every near miss, for each operation that could change a user or make one (createUser: the address it sent),
# the read-back with --live: one list serves them all, as no request goes between them.
READ_BACK = "read back"
CASES = [
    pytest.param(operation_id, near_miss, marks=pytest.mark.operation(operation_id), id=f"{operation_id}-{near_miss}")
    for near_misses in (list(NEAR_MISSES), [READ_BACK])
    for operation_id, operation in OPERATIONS.items()
    for near_miss in near_misses
    if near_miss != READ_BACK or operation.effects.changes_user or operation.effects.creates_user
]


def _live_near_miss(target: Target, operation_id: str) -> str:
    """With --live, the one near miss *operation_id* gets: the target's near misses dealt round the operations."""
    judged = [name for name, make in NEAR_MISSES.items() if not isinstance(make(target), str)]
    return judged[list(OPERATIONS).index(operation_id) % len(judged)]


@pytest.fixture(scope="module", name="victim")
def _victim(api: Api) -> dict[str, Any]:
    """A user the run created: what a request with near-miss credentials would read, change or remove."""
    return api.fresh_user()


@pytest.mark.parametrize(("operation_id", "near_miss"), CASES)
def test_near_miss_credentials_are_a_401(api: Api, victim: dict[str, Any], operation_id: str, near_miss: str) -> None:
    """A near miss of the right address and key: 401 {"status": 401, "error": ...}, and the user is as it was."""
    batch = f"near misses on {operation_id}"
    if near_miss == READ_BACK:
        judge_read_back(api, batch)
        return
    if api.target.live and near_miss != _live_near_miss(api.target, operation_id):
        pytest.skip("not judged against a live target: one near miss per operation, each on at least one operation")
    credentials = NEAR_MISSES[near_miss](api.target)
    if isinstance(credentials, str):
        pytest.skip(f"not judged: {credentials}")
    request = api.acceptable_request(operation_id, victim["identifier"])
    response = api.call(operation_id, **request, auth=credentials, refusal=True)

    assert 401 == response.status_code, f"{near_miss} was accepted{exchange(response)}"
    assert [] == error_body_promises(401, _json(response)), exchange(response)
    api.refusal_changed_nothing(operation_id, victim, request, response, batch)


@pytest.mark.operation("listUsers")
def test_address_in_other_letter_case_signs_in(api: Api) -> None:
    """The right key with the address in other letter case signs in: addresses are compared case-insensitively."""
    admin = api.target.admin
    if admin.email.swapcase() == admin.email:
        pytest.skip("not judged: the administrator's address has no letters")
    response = api.list(auth=Credentials(admin.email.swapcase(), admin.api_key))

    assert 200 == response.status_code, exchange(response)


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
