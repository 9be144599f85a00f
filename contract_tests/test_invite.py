"""Inviting a user (POST /users): read this file as the list of what an invitation promises."""

from __future__ import annotations

from typing import Any

import pytest

from .api import Api, exchange
from .promises import invitation_promises, validation_body_promises
from .spec import FLAGS

pytestmark = pytest.mark.operation("createUser")


def test_omitted_fields_get_their_defaults(api: Api) -> None:
    """Only the required fields: every permission flag false, time_zone Etc/UTC, last_name null, not activated."""
    sent = {"first_name": "Ada", "email_address": api.address()}
    response = api.invite(sent)

    assert 201 == response.status_code, exchange(response)
    assert "application/json" == response.headers.get("Content-Type", "").partition(";")[0], exchange(response)
    assert [] == invitation_promises(sent, response.json()), exchange(response)


def test_every_sent_value_comes_back(api: Api) -> None:
    """The seed's request with every flag set true: each value comes back exactly as sent."""
    sent = {
        "first_name": "Jane",
        "last_name": "Smith",
        "email_address": api.address(),
        "time_zone": "Europe/London",
        **dict.fromkeys(FLAGS, True),
    }
    response = api.invite(sent)

    assert 201 == response.status_code, exchange(response)
    assert [] == invitation_promises(sent, response.json()), exchange(response)


def test_duplicate_address_is_refused_case_insensitively(api: Api) -> None:
    """Inviting an address again, in other letter case, is a 422 on email_address."""
    address = api.address()
    first = api.invite({"first_name": "Ada", "email_address": address})
    again = api.invite({"first_name": "Ada", "email_address": address.upper()})

    assert 201 == first.status_code, exchange(first)
    assert 422 == again.status_code, exchange(again)
    assert [] == validation_body_promises(again.json(), "email_address"), exchange(again)


# One fault per example: every other value of the invitation is valid.
INVALID = [
    pytest.param({"first_name": None}, "first_name", id="first_name missing"),
    pytest.param({"first_name": "   "}, "first_name", id="first_name blank"),
    pytest.param({"first_name": "\u3000\t\u00a0"}, "first_name", id="first_name blank in unicode"),
    pytest.param({"first_name": 42}, "first_name", id="first_name not text"),
    pytest.param({"email_address": None}, "email_address", id="email_address missing"),
    pytest.param({"email_address": ""}, "email_address", id="email_address blank"),
    pytest.param({"email_address": "not an address"}, "email_address", id="email_address malformed"),
    pytest.param({"email_address": "ada@example.invalid"}, "email_address", id="email_address special-use domain"),
    pytest.param({"time_zone": "Mars/Olympus"}, "time_zone", id="unknown time zone"),
    pytest.param({"can_manage_users": "yes"}, "can_manage_users", id="flag not a boolean"),
    pytest.param({"last_name": 7}, "last_name", id="last_name not text"),
]


@pytest.mark.parametrize(("fault", "field"), INVALID)
def test_invalid_invitation_is_refused_naming_the_field(api: Api, fault: dict[str, Any], field: str) -> None:
    """A missing, blank or malformed value is a 422 whose body names that field."""
    user = {"first_name": "Ada", "email_address": api.address(), **fault}
    user = {name: value for name, value in user.items() if value is not None}
    response = api.invite(user)

    assert 422 == response.status_code, exchange(response)
    assert [] == validation_body_promises(response.json(), field), exchange(response)
