"""Reading users (GET /users/{identifier}, GET /users): a user reads back exactly as it was written."""

from __future__ import annotations

import uuid

import pytest

from deployhq_contract.api import Api, exchange
from deployhq_contract.promises import error_body_promises, list_promises, order_promises, read_promises
from deployhq_contract.strategies import SPECIAL_NAMES

pytestmark = pytest.mark.contract_rank(40)


@pytest.mark.contract_beside
@pytest.mark.operation("getUser")
def test_invited_user_reads_back_as_created(api: Api) -> None:
    """GET /users/{identifier} of a new user answers the very user the invitation's 201 showed."""
    created = api.fresh_user(last_name="Lovelace", time_zone="Asia/Kolkata", can_create_projects=True)
    response = api.get(created["identifier"])

    assert 200 == response.status_code, exchange(response)
    assert [] == read_promises(created["identifier"], response.json(), created), exchange(response)


@pytest.mark.contract_beside
@pytest.mark.operation("getUser")
def test_unknown_identifier_is_a_404(api: Api) -> None:
    """A well-formed identifier the account does not know is 404 {"status": 404, "error": ...}."""
    response = api.get(str(uuid.uuid4()))

    assert 404 == response.status_code, exchange(response)
    assert [] == error_body_promises(404, response.json()), exchange(response)


@pytest.mark.contract_beside
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


@pytest.mark.contract_beside
@pytest.mark.operation("getUser")
@pytest.mark.operation("listUsers")
def test_names_with_special_characters_read_back_byte_for_byte(api: Api) -> None:
    """Markup, quotes, backslashes, percent signs, control and format characters in names read and list as sent."""
    first_name = "".join(first for first, _ in SPECIAL_NAMES.values())
    last_name = "".join(last for _, last in SPECIAL_NAMES.values())
    created = api.fresh_user(first_name=first_name, last_name=last_name)
    response = api.get(created["identifier"])

    assert 200 == response.status_code, exchange(response)
    assert [] == read_promises(created["identifier"], response.json(), created), exchange(response)
    listed = api.list()
    assert 200 == listed.status_code, exchange(listed)
    assert [] == list_promises(listed.json(), {created["identifier"]: created}, ()), exchange(listed)


# Not beside the fuzzing (beside.py): a user the fuzzing invites in between would be the newest.
@pytest.mark.operation("listUsers")
def test_list_is_oldest_first(api: Api) -> None:
    """GET /users is oldest first: ids increase along the list, and a user just invited is listed last."""
    # With --live a user is lent from the run's pool (no email), so the newest is whichever the run invited last.
    lent = api.fresh_user()
    response = api.list()

    assert 200 == response.status_code, exchange(response)
    users = response.json()
    assert [] == order_promises(users), exchange(response)
    last = users[-1] if users and isinstance(users[-1], dict) else {}
    newest = (
        lent
        if api.pool is None
        else max(
            (u for u in users if isinstance(u, dict) and isinstance(u.get("id"), int)),
            key=lambda u: u["id"],
            default=lent,
        )
    )
    assert newest["identifier"] == last.get("identifier"), f"the newest user is not listed last{exchange(response)}"
