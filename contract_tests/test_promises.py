"""The promises of openapi.yaml, one request each: read this file as the list of what the API guarantees."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from .hooks import unique_address
from .promises import FLAGS, created_user_promises

pytestmark = pytest.mark.usefixtures("guard")


def exchange(response: requests.Response) -> str:
    """The request and its answer, to reproduce a failure: never the Authorization header."""
    request = response.request
    body = request.body.decode("utf-8", "replace") if isinstance(request.body, bytes) else request.body
    command = (
        f"curl -X {request.method} -H 'Content-Type: application/json' -u <email>:<api key> -d '{body}' {request.url}"
    )
    return f"\n  request: {command}\n  answer: {response.status_code} {response.text[:500]}"


def invite(http: requests.Session, target: Any, user: Any, **kwargs: Any) -> requests.Response:
    return http.post(
        f"{target.base_url}/users",
        json={"user": user},
        auth=kwargs.pop("auth", target.credentials),
        timeout=30,
        **kwargs,
    )


def test_omitted_permission_flags_come_back_false(http: requests.Session, target: Any) -> None:
    """An invitation with only the required fields gets every permission flag false, Etc/UTC and no last name."""
    sent = {"first_name": "Ada", "email_address": unique_address(target.email_domain)}
    response = invite(http, target, sent)

    assert response.status_code == 201, exchange(response)
    assert response.headers.get("Content-Type", "").partition(";")[0] == "application/json", exchange(response)
    assert created_user_promises(sent, response.json()) == [], exchange(response)
    assert dict.fromkeys(FLAGS, False) == {flag: response.json()[flag] for flag in FLAGS}


def test_every_sent_value_comes_back(http: requests.Session, target: Any) -> None:
    """The seed's request, every flag set true: each value comes back as sent."""
    sent = {
        "first_name": "Jane",
        "last_name": "Smith",
        "email_address": unique_address(target.email_domain),
        "time_zone": "Europe/London",
        **dict.fromkeys(FLAGS, True),
    }
    response = invite(http, target, sent)

    assert response.status_code == 201, exchange(response)
    assert created_user_promises(sent, response.json()) == [], exchange(response)


def test_duplicate_address_is_refused_case_insensitively(http: requests.Session, target: Any) -> None:
    """Inviting an address again, in other letter case, is a 422 on email_address."""
    address = unique_address(target.email_domain)
    first = invite(http, target, {"first_name": "Ada", "email_address": address})
    again = invite(http, target, {"first_name": "Ada", "email_address": address.upper()})

    assert first.status_code == 201, exchange(first)
    assert again.status_code == 422, exchange(again)
    assert "email_address" in again.json(), exchange(again)


@pytest.mark.parametrize(
    ("user", "field"),
    [
        pytest.param({"email_address": "x"}, "first_name", id="first_name missing"),
        pytest.param({"first_name": "   "}, "first_name", id="first_name blank"),
        pytest.param({"first_name": "Ada"}, "email_address", id="email_address missing"),
        pytest.param({"first_name": "Ada", "email_address": ""}, "email_address", id="email_address blank"),
        pytest.param({"first_name": "Ada", "email_address": "not an address"}, "email_address", id="malformed"),
        pytest.param({"first_name": "Ada", "time_zone": "Mars/Olympus"}, "time_zone", id="unknown time zone"),
    ],
)
def test_invalid_invitation_is_refused_naming_the_field(
    http: requests.Session, target: Any, user: dict[str, Any], field: str
) -> None:
    """A missing, blank or malformed value is a 422 whose body names that field."""
    user = {"email_address": unique_address(target.email_domain), **user} if field != "email_address" else user
    response = invite(http, target, user)

    assert response.status_code == 422, exchange(response)
    assert field in response.json(), exchange(response)


def test_body_without_user_object_is_refused(http: requests.Session, target: Any) -> None:
    """A body with no `user` object is a 422 naming `user`."""
    response = http.post(f"{target.base_url}/users", json={"first_name": "Ada"}, auth=target.credentials, timeout=30)

    assert response.status_code == 422, exchange(response)
    assert "user" in response.json(), exchange(response)


def test_body_that_is_not_json_is_a_400(http: requests.Session, target: Any) -> None:
    """A body that does not parse as JSON is a 400, never a 5xx."""
    response = http.post(
        f"{target.base_url}/users",
        data=b'{"user": ',
        auth=target.credentials,
        timeout=30,
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 400, exchange(response)


@pytest.mark.parametrize("auth", [None, "wrong key"], ids=["no credentials", "wrong API key"])
def test_bad_credentials_are_a_401_with_the_documented_body(
    http: requests.Session, target: Any, auth: str | None
) -> None:
    """Without credentials, or with a wrong API key, POST /users is a 401 {"status": 401, "error": ...}."""
    credentials = None if auth is None else (target.email, target.api_key + "-wrong")
    response = invite(
        http, target, {"first_name": "Ada", "email_address": unique_address(target.email_domain)}, auth=credentials
    )

    assert response.status_code == 401, exchange(response)
    body = response.json()
    assert body.get("status") == 401, exchange(response)
    assert isinstance(body.get("error"), str), exchange(response)
