"""Reading users (GET /users/{identifier}, GET /users): a user reads back exactly as it was written."""

from __future__ import annotations

import uuid

import pytest

from deployhq_contract.api import Api, exchange
from deployhq_contract.promises import error_body_promises, list_promises, read_promises

pytestmark = pytest.mark.contract_rank(40)


@pytest.mark.operation("getUser")
def test_invited_user_reads_back_as_created(api: Api) -> None:
    """GET /users/{identifier} of a new user answers the very user the invitation's 201 showed."""
    created = api.fresh_user(last_name="Lovelace", time_zone="Asia/Kolkata", can_create_projects=True)
    response = api.get(created["identifier"])

    assert 200 == response.status_code, exchange(response)
    assert [] == read_promises(created["identifier"], response.json(), created), exchange(response)


@pytest.mark.operation("getUser")
def test_unknown_identifier_is_a_404(api: Api) -> None:
    """A well-formed identifier the account does not know is 404 {"status": 404, "error": ...}."""
    response = api.get(str(uuid.uuid4()))

    assert 404 == response.status_code, exchange(response)
    assert [] == error_body_promises(404, response.json()), exchange(response)


@pytest.mark.operation("listUsers")
def test_list_shows_each_user_once_as_written(api: Api) -> None:
    """GET /users lists every user once; two new users are in it exactly as their invitations' 201s showed."""
    first, second = api.fresh_user(), api.fresh_user(last_name="Byron")
    response = api.list()

    assert 200 == response.status_code, exchange(response)
    alive = {user["identifier"]: user for user in (first, second)}
    if api.pool is not None:  # with --live the two are lent, not new: every user the run holds is in it, the newest too
        alive = api.pool.held()
    assert [] == list_promises(response.json(), alive, ()), exchange(response)
