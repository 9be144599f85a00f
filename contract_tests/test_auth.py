"""Credentials, on every operation: without them, or with a wrong API key, the answer is a 401 and nothing happens."""

from __future__ import annotations

from typing import Any

import pytest

from deployhq_contract.api import Api, exchange
from deployhq_contract.operations import OPERATIONS
from deployhq_contract.promises import error_body_promises, same_user

pytestmark = pytest.mark.contract_rank(30)

ALL_OPERATIONS = [pytest.param(o, marks=pytest.mark.operation(o), id=o) for o in OPERATIONS]


@pytest.fixture(scope="module", name="victim")
def _victim(api: Api) -> dict[str, Any]:
    """A user the run created: what a request without valid credentials would read, change or remove."""
    return api.fresh_user()


@pytest.mark.parametrize("wrong", ["no credentials", "wrong API key"])
@pytest.mark.parametrize("operation_id", ALL_OPERATIONS)
def test_bad_credentials_are_a_401_with_the_documented_body(
    api: Api, victim: dict[str, Any], operation_id: str, wrong: str
) -> None:
    """No credentials, or a wrong API key: 401 {"status": 401, "error": ...}, and the user is as it was."""
    auth = None if wrong == "no credentials" else api.target.admin.with_wrong_key()
    response = api.call(operation_id, **api.acceptable_request(operation_id, victim["identifier"]), auth=auth)

    assert 401 == response.status_code, exchange(response)
    assert [] == error_body_promises(401, _json(response)), exchange(response)
    # With --live only an operation that changes a user is followed by a read: a refused read changes nothing.
    if not api.target.live or OPERATIONS[operation_id].effects.changes_user:
        assert [] == same_user(victim, api.get(victim["identifier"]).json())


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
