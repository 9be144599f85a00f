"""Near-miss credentials, on every operation: each near miss of the right address and key is a 401, and nothing happens.

The neighbourhood of the administrator's credentials, where real key comparisons go wrong: the key in another letter
case (a case-insensitive column), all but its last character (a prefix compare), with characters after it (a
truncating column), an empty key for a known address, and the right key with another user's address. Each costs one
request and sends no email. The address, unlike the key, is compared case-insensitively (openapi.yaml, basicAuth).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from deployhq_contract.api import Api, exchange
from deployhq_contract.operations import OPERATIONS
from deployhq_contract.promises import error_body_promises, same_user
from deployhq_contract.target import Credentials, Target

pytestmark = pytest.mark.contract_rank(31)


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
ALL_OPERATIONS = [pytest.param(o, marks=pytest.mark.operation(o), id=o) for o in OPERATIONS]


@pytest.fixture(scope="module", name="victim")
def _victim(api: Api) -> dict[str, Any]:
    """A user the run created: what a request with near-miss credentials would read, change or remove."""
    return api.fresh_user()


@pytest.mark.parametrize("near_miss", list(NEAR_MISSES))
@pytest.mark.parametrize("operation_id", ALL_OPERATIONS)
def test_near_miss_credentials_are_a_401(api: Api, victim: dict[str, Any], operation_id: str, near_miss: str) -> None:
    """A near miss of the right address and key: 401 {"status": 401, "error": ...}, and the user is as it was."""
    credentials = NEAR_MISSES[near_miss](api.target)
    if isinstance(credentials, str):
        pytest.skip(f"not judged: {credentials}")
    response = api.call(operation_id, **api.acceptable_request(operation_id, victim["identifier"]), auth=credentials)

    assert 401 == response.status_code, f"{near_miss} was accepted{exchange(response)}"
    assert [] == error_body_promises(401, _json(response)), exchange(response)
    if api.pool is None or OPERATIONS[operation_id].effects.changes_user:
        # With --live (each request paced) only a refused change is read back: a refused read or list changes nothing.
        assert [] == same_user(victim, api.get(victim["identifier"]).json())


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
