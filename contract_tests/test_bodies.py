"""Request bodies, for every operation that takes one: what a body that is not what the spec asks gets."""

from __future__ import annotations

from typing import Any

import pytest

from deployhq_contract.api import Api, exchange
from deployhq_contract.promises import error_body_promises, same_user, validation_body_promises

pytestmark = [pytest.mark.contract_beside, pytest.mark.contract_rank(20)]

BODY_OPERATIONS = [
    pytest.param(o, marks=pytest.mark.operation(o), id=o) for o in ("createUser", "updateUser", "replaceUser")
]


@pytest.fixture(name="identifier")
def _identifier(api: Api, operation_id: str) -> str | None:
    """A user the run created, for the operations on one user."""
    return None if operation_id == "createUser" else str(api.fresh_user()["identifier"])


@pytest.mark.parametrize("operation_id", BODY_OPERATIONS)
def test_body_that_is_not_json_is_a_400(api: Api, operation_id: str, identifier: str | None) -> None:
    """A body that does not parse as JSON is a 400 {"status": 400, "error": ...}, never a 5xx."""
    response = api.call(operation_id, identifier, data=b'{"user": ', headers={"Content-Type": "application/json"})

    assert 400 == response.status_code, exchange(response)
    assert [] == error_body_promises(400, _json(response)), exchange(response)


@pytest.mark.parametrize("operation_id", BODY_OPERATIONS)
def test_body_not_sent_as_json_is_a_415(api: Api, operation_id: str, identifier: str | None) -> None:
    """A body declared as anything but JSON is a 415 {"status": 415, "error": ...}."""
    response = api.call(operation_id, identifier, data=b"first_name=Ada", headers={"Content-Type": "text/plain"})

    assert 415 == response.status_code, exchange(response)
    assert [] == error_body_promises(415, _json(response)), exchange(response)


@pytest.mark.parametrize("operation_id", BODY_OPERATIONS)
def test_body_without_user_object_is_refused(api: Api, operation_id: str, identifier: str | None) -> None:
    """A body with no `user` object is a 422 naming `user`, and changes nothing."""
    # With --live the pool holds the lent user as its last write answered it: no read before (each request paced).
    held = {} if api.pool is None else api.pool.held()
    before = None if identifier is None else held.get(identifier) or api.get(identifier).json()
    response = api.call(operation_id, identifier, body={"first_name": "Ada"})

    assert 422 == response.status_code, exchange(response)
    assert [] == validation_body_promises(response.json(), "user"), exchange(response)
    if identifier is not None and before is not None:
        assert [] == same_user(before, api.get(identifier).json())


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
