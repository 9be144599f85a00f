"""Credentials, on every operation: without them, or with a wrong API key, the answer is a 401 and nothing happens.

With --live (each request paced) each operation is asked once, without credentials or with a wrong key in turn:
authentication is one mechanism per server, in front of every operation, so each is judged on several operations.
"""

from __future__ import annotations

from typing import Any

import pytest

from deployhq_contract.api import Api, exchange, judge_read_back
from deployhq_contract.operations import OPERATIONS
from deployhq_contract.promises import error_body_promises

pytestmark = [pytest.mark.contract_beside, pytest.mark.contract_rank(30)]

WRONG = ["no credentials", "wrong API key"]
# After every refusal, for each operation that could change a user, the read-back with --live (each request paced):
# one list serves them all, as no request goes between them, instead of a GET after each refusal.
READ_BACK = "read back"
CASES = [
    pytest.param(operation_id, wrong, marks=pytest.mark.operation(operation_id), id=f"{operation_id}-{wrong}")
    for kinds in (WRONG, [READ_BACK])
    for operation_id, operation in OPERATIONS.items()
    for wrong in kinds
    if wrong != READ_BACK or operation.effects.changes_user or operation.effects.creates_user
]


@pytest.fixture(scope="module", name="victim")
def _victim(api: Api) -> dict[str, Any]:
    """A user the run created: what a request without valid credentials would read, change or remove."""
    return api.fresh_user()


@pytest.mark.parametrize(("operation_id", "wrong"), CASES)
def test_bad_credentials_are_a_401_with_the_documented_body(
    api: Api, victim: dict[str, Any], operation_id: str, wrong: str
) -> None:
    """No credentials, or a wrong API key: 401 {"status": 401, "error": ...}, and the user is as it was."""
    batch = f"bad credentials on {operation_id}"
    if wrong == READ_BACK:
        judge_read_back(api, batch)
        return
    if api.target.live and wrong != WRONG[list(OPERATIONS).index(operation_id) % len(WRONG)]:
        # One mechanism in front of every operation: each operation gets one of the two, each of them some.
        pytest.skip("not judged against a live target: one bad credential per operation, each on some operations")
    auth = None if wrong == "no credentials" else api.target.admin.with_wrong_key()
    request = api.acceptable_request(operation_id, victim["identifier"])
    response = api.call(operation_id, **request, auth=auth, refusal=True)

    assert 401 == response.status_code, exchange(response)
    assert [] == error_body_promises(401, _json(response)), exchange(response)
    api.refusal_changed_nothing(operation_id, victim, request, response, batch)


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
