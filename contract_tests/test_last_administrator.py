"""The account always keeps an administrator who can sign in: its last activated one cannot be demoted, and an
administrator invited but not yet activated does not count. (No administrator can be removed: test_remove.py.)

These requests aim at the signed-in administrator's own user, so they run last, and never against a
live target (a server that broke the promise would leave the account without an administrator).
"""

from __future__ import annotations

from typing import Any

import pytest

from deployhq_contract.api import Api, exchange
from deployhq_contract.guard import Guard
from deployhq_contract.promises import coded_error_promises, same_user

pytestmark = pytest.mark.contract_rank(140)


@pytest.fixture(name="last_administrator")
def _last_administrator(api: Api) -> dict[str, Any]:
    """The signed-in administrator's user, when it is the account's only activated administrator."""
    if api.target.live:
        pytest.skip("not judged against a live target: it would aim at the account's own administrator")
    users = api.list().json()
    administrators = [u for u in users if u.get("account_administrator") is True and u.get("activated") is True]
    if len(administrators) != 1:
        pytest.skip(f"not judged: the account has {len(administrators)} activated administrators, not exactly one")
    if administrators[0].get("email_address") != api.target.email:
        pytest.skip("not judged: the account's only activated administrator is not the user the suite signs in as")
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


@pytest.mark.operation("updateUser")
def test_a_pending_administrator_does_not_count(api: Api, guard: Guard, last_administrator: dict[str, Any]) -> None:
    """With an administrator invited but not activated, the only activated one still cannot be demoted."""
    pending = api.fresh_user(account_administrator=True)
    identifier = last_administrator["identifier"]
    with guard.permit(identifier):
        response = api.update(identifier, {"account_administrator": False}, method="PATCH")

    assert 403 == response.status_code, exchange(response)
    assert [] == coded_error_promises(response.json(), "last_administrator"), exchange(response)
    demoted = api.update(pending["identifier"], {"account_administrator": False}, method="PATCH")
    assert 200 == demoted.status_code, exchange(demoted)  # a pending administrator can lose the flag
