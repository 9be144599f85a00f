"""The account always keeps an administrator: its last one can be neither removed nor demoted.

These requests aim at the signed-in administrator's own user, so they run last, and never against a
live target (a server that broke the promise would leave the account without an administrator).
"""

from __future__ import annotations

from typing import Any

import pytest

from .api import Api, exchange
from .guard import Guard
from .promises import coded_error_promises, same_user


@pytest.fixture(name="last_administrator")
def _last_administrator(api: Api, guard: Guard) -> dict[str, Any]:
    """The signed-in administrator's user, made the account's only administrator by removing the run's own ones."""
    if api.target.live:
        pytest.skip("not judged against a live target: it would aim at the account's own administrator")
    for user in api.list().json():
        if user.get("account_administrator") is True and guard.ledger.owns(str(user.get("identifier"))):
            api.delete(user["identifier"])
    users = api.list().json()
    administrators = [user for user in users if user.get("account_administrator") is True]
    if len(administrators) != 1 or administrators[0].get("email_address") != api.target.email:
        pytest.skip(f"not judged: the account has {len(administrators)} administrators, so none is the last")
    last: dict[str, Any] = administrators[0]
    return last


@pytest.mark.parametrize(
    "method",
    [
        pytest.param("PATCH", marks=pytest.mark.operation("updateUser"), id="PATCH"),
        pytest.param("PUT", marks=pytest.mark.operation("replaceUser"), id="PUT"),
    ],
)
def test_last_administrator_cannot_be_demoted(
    api: Api, guard: Guard, last_administrator: dict[str, Any], method: str
) -> None:
    """Taking account_administrator away from the last administrator is 403 last_administrator; nothing changes."""
    identifier = last_administrator["identifier"]
    with guard.permit(identifier):
        response = api.update(identifier, {"account_administrator": False, "last_name": "Demoted"}, method=method)

    assert 403 == response.status_code, exchange(response)
    assert [] == coded_error_promises(response.json(), "last_administrator"), exchange(response)
    assert [] == same_user(last_administrator, api.get(identifier).json())


@pytest.mark.operation("deleteUser")
def test_last_administrator_cannot_be_removed(api: Api, guard: Guard, last_administrator: dict[str, Any]) -> None:
    """Removing the last administrator is 403 last_administrator, and the administrator stays."""
    identifier = last_administrator["identifier"]
    with guard.permit(identifier):
        response = api.delete(identifier)

    assert 403 == response.status_code, exchange(response)
    assert [] == coded_error_promises(response.json(), "last_administrator"), exchange(response)
    assert 200 == api.get(identifier).status_code
