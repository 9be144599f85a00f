"""Removing a user (DELETE /users/{identifier}): a removed user is gone, and leaves nothing behind."""

from __future__ import annotations

import uuid

import pytest

from deployhq_contract.api import Api, exchange
from deployhq_contract.promises import coded_error_promises, error_body_promises, list_promises

# DeployHQ's remove-user page (April 2026), word for word.
CANNOT_REMOVE = "Cannot remove the account administrator"

pytestmark = [pytest.mark.contract_beside, pytest.mark.contract_rank(70), pytest.mark.operation("deleteUser")]


def test_removed_user_is_gone(api: Api) -> None:
    """200 {"status": "ok"}; then reading it is 404, the list lacks it, and removing it again is 404."""
    user = api.fresh_user()
    response = api.delete(user["identifier"])

    assert 200 == response.status_code, exchange(response)
    assert "ok" == response.json().get("status"), exchange(response)
    assert 404 == api.get(user["identifier"]).status_code
    assert [] == list_promises(api.list().json(), {}, [user["identifier"]])
    assert 404 == api.delete(user["identifier"]).status_code


def test_removed_users_address_can_be_invited_again(api: Api) -> None:
    """After removal the address is free: inviting it again makes a new user with a new id and identifier."""
    user = api.fresh_user()
    assert 200 == api.delete(user["identifier"]).status_code
    response = api.invite({"first_name": "Ada", "email_address": user["email_address"]})

    assert 201 == response.status_code, exchange(response)
    again = response.json()
    assert user["identifier"] != again["identifier"], exchange(response)
    assert again["id"] > user["id"], f"ids increase in order of creation and are never reused{exchange(response)}"


def test_unknown_identifier_is_a_404(api: Api) -> None:
    """Removing a user the account does not know is 404 {"status": 404, "error": ...}."""
    response = api.delete(str(uuid.uuid4()))

    assert 404 == response.status_code, exchange(response)
    assert [] == error_body_promises(404, response.json()), exchange(response)


def test_an_account_administrator_cannot_be_removed(api: Api) -> None:
    """Removing an account administrator is 403 "Cannot remove the account administrator", `forbidden`; it stays."""
    identifier = api.fresh_user(account_administrator=True)["identifier"]
    response = api.delete(identifier)

    assert 403 == response.status_code, exchange(response)
    assert [] == coded_error_promises(response.json(), "forbidden"), exchange(response)
    assert CANNOT_REMOVE == response.json().get("error"), exchange(response)
    assert 200 == api.get(identifier).status_code


def test_an_administrator_can_be_removed_once_it_loses_the_flag(api: Api) -> None:
    """An update that takes account_administrator away from an invited administrator makes it removable: 200."""
    identifier = api.fresh_user(account_administrator=True)["identifier"]
    demoted = api.update(identifier, {"account_administrator": False})

    assert 200 == demoted.status_code, exchange(demoted)
    response = api.delete(identifier)
    assert 200 == response.status_code, exchange(response)
