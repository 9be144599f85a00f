"""The app factory: JSON for every error, one route per path, and the seams broken variants are built from."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning
from starlette.requests import Request
from starlette.responses import Response

from deployhq_sandbox import Account, Accounts, Authenticator, Invitation, UsersAPI, Validator, create_app
from deployhq_sandbox._routes import Endpoint

from .conftest import credentials

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient


@pytest.mark.parametrize("path", ["/nowhere", "/users/", "/users/a/b", "/openapi.json"])
def test_unknown_paths_are_json_404(client: TestClient, path: str) -> None:
    """Paths the spec does not have are 404 `{"status": 404, "error": ...}`, never a redirect."""
    response = client.get(path, follow_redirects=False)
    assert (response.status_code, response.json()["status"]) == (404, 404)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("OPTIONS", "/users", {"GET", "HEAD", "POST"}),
        ("PATCH", "/users", {"GET", "HEAD", "POST"}),
        ("OPTIONS", "/users/00000000-0000-4000-8000-000000000000", {"GET", "HEAD", "PATCH", "PUT", "DELETE"}),
        ("POST", "/users/00000000-0000-4000-8000-000000000000", {"GET", "HEAD", "PATCH", "PUT", "DELETE"}),
        ("GET", "/users/00000000-0000-4000-8000-000000000000/resend_invitation", {"POST"}),
        ("DELETE", "/users/00000000-0000-4000-8000-000000000000/resend_invitation", {"POST"}),
        ("POST", "/openapi.yaml", {"GET", "HEAD"}),
    ],
)
def test_unsupported_methods_are_405_with_allow(client: TestClient, method: str, path: str, allowed: set[str]) -> None:
    """Every method of a path is in its Allow header; others are a JSON 405."""
    response = client.request(method, path)
    assert (response.status_code, response.json()["status"], set(response.headers["allow"].split(", "))) == (
        405,
        405,
        allowed,
    )


def test_an_unexpected_error_is_still_json(database: Path, accounts: Accounts) -> None:
    """The catch-all answers a JSON 500 in the error shape (no input is meant to reach it)."""

    class Exploding(Validator):
        def validate(self, payload: object) -> Invitation | dict[str, list[str]]:
            raise ZeroDivisionError

    app = create_app(database, accounts=accounts, validator_class=Exploding)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/users", json={"user": {}}, auth=credentials(accounts.administrator))
    assert (response.status_code, response.json()) == (500, {"status": 500, "error": "Internal server error"})


def test_seams_replace_one_piece(database: Path, accounts: Accounts) -> None:
    """A broken variant is one overridden method passed to create_app: here, a wrong default and open doors."""

    class WrongDefault(Validator):
        default_flag = True

    class Anyone(Authenticator):
        def authenticate(self, authorization: str | None) -> Account | None:
            return self.accounts[0]

    class Created200(UsersAPI):
        async def create_user(self, request: Request, caller: Account) -> Response:
            response = await super().create_user(request, caller)
            response.status_code = 200 if response.status_code == 201 else response.status_code
            return response

    app = create_app(
        database, accounts=accounts, validator_class=WrongDefault, authenticator_class=Anyone, api_class=Created200
    )
    with TestClient(app) as client:
        response = client.post("/users", json={"user": {"first_name": "A", "email_address": "a@example.com"}})
    assert (response.status_code, response.json()["can_manage_billing"]) == (200, True)


def test_app_is_plain_starlette(app: Starlette) -> None:
    """The factory returns a Starlette app exposing its store, API and accounts on `state`."""
    assert (type(app), type(app.state.api), type(app.state.accounts)) == (Starlette, UsersAPI, Accounts)


def test_max_body_bytes_is_configurable(database: Path, accounts: Accounts) -> None:
    """A smaller limit turns a normal invitation into a 413."""
    app = create_app(database, accounts=accounts, max_body_bytes=10)
    with TestClient(app) as client:
        body = {"user": {"first_name": "A", "email_address": "a@example.com"}}
        response = client.post("/users", json=body, auth=credentials(accounts.administrator))
    assert response.json() == {"status": 413, "error": "The request body is larger than 10 bytes."}


def test_routes_and_allow_come_from_the_table(database: Path, accounts: Accounts) -> None:
    """A method added to the table is answered by its own endpoint and listed in Allow; a method left out is 405."""

    class WithPatch(UsersAPI):
        async def patched(self, request: Request) -> Response:
            return Response(b"patched", media_type="text/plain")

        def table(self) -> dict[str, dict[str, Endpoint]]:
            table = super().table()
            table["/users/{identifier}"] = {"PATCH": self.patched}
            return table

    app = create_app(database, accounts=accounts, api_class=WithPatch)
    path = "/users/00000000-0000-4000-8000-000000000000"
    with TestClient(app) as client:
        patch, get = client.patch(path), client.get(path, auth=credentials(accounts.administrator))
    assert ((200, b"patched"), (405, "PATCH")) == (
        (patch.status_code, patch.content),
        (get.status_code, get.headers["allow"]),
    )


@pytest.mark.parametrize("value", [0, -1, -5, 1.5, True, "64"])
def test_a_body_limit_that_is_not_a_positive_whole_number_is_refused(database: Path, value: object) -> None:
    """create_app refuses a limit of 0, a negative, a fraction, a boolean or a string, naming it, before any file."""
    with pytest.raises(ValueError, match="max_body_bytes must be a whole number of bytes, at least 1"):
        create_app(database, accounts=Accounts.defaults(), max_body_bytes=value)  # type: ignore[arg-type]
    assert not database.exists()


def test_a_one_byte_body_limit_still_answers(database: Path, accounts: Accounts) -> None:
    """The smallest limit accepted, 1, turns `{}` into a 413 and lets a body-less read through."""
    app = create_app(database, accounts=accounts, max_body_bytes=1)
    with TestClient(app) as client:
        auth = credentials(accounts.administrator)
        statuses = (client.post("/users", json={}, auth=auth).status_code, client.get("/users", auth=auth).status_code)
    assert (413, 200) == statuses


BAD_ADDRESSES = [
    "not an address",
    "admin@localhost",
    "admin@example.invalid",
    "ädmin@example.com",
    "a@example.XN--P1AI",
]


@pytest.mark.parametrize("address", BAD_ADDRESSES)
def test_an_account_address_the_api_would_refuse_is_refused(database: Path, address: str) -> None:
    """DEPLOYHQ_EMAIL that `POST /users` would call invalid is a ValueError naming the variable, before any file."""
    key = "k3y-that-must-never-show-0000000000000000"
    accounts = Accounts.from_env({"DEPLOYHQ_EMAIL": address, "DEPLOYHQ_API_KEY": key})
    with pytest.raises(ValueError, match="DEPLOYHQ_EMAIL is not an email address the API accepts") as raised:
        create_app(database, accounts=accounts)
    assert (False, False) == (key in str(raised.value), database.exists())


def test_an_address_set_in_python_is_checked_too(database: Path) -> None:
    """An Accounts built in Python with a bad address is refused naming that account's address, not a variable."""
    administrator = Account(email="root@localhost", api_key="x" * 40, first_name="R", last_name="A")
    with pytest.raises(ValueError, match="the administrator's address is not an email address the API accepts"):
        create_app(database, accounts=Accounts(administrator=administrator))
    assert not database.exists()


def test_an_account_address_in_any_letter_case_is_accepted(database: Path) -> None:
    """An address the API accepts (mixed case, a .test domain) starts the server and is listed as configured."""
    accounts = Accounts.from_env({"DEPLOYHQ_EMAIL": "Owner@Example.TEST"})
    with TestClient(create_app(database, accounts=accounts)) as client:
        listed = client.get("/users", auth=credentials(accounts.administrator)).json()[0]["email_address"]
    assert "Owner@Example.TEST" == listed


def test_one_override_of_restrict_changes_what_a_manager_may_set_everywhere(database: Path, accounts: Accounts) -> None:
    """The admin-only rule is one method: overriding `restrict` lets a manager grant flags by invitation and update."""

    class ManagerMaySetEverything(UsersAPI):
        def restrict(self, sent: Any, caller: Account) -> Any:
            return sent

    assert accounts.manager is not None
    app = create_app(database, accounts=accounts, api_class=ManagerMaySetEverything)
    with TestClient(app) as client:
        auth = credentials(accounts.manager)
        invited = client.post(
            "/users",
            json={"user": {"first_name": "A", "email_address": "a@example.com", "can_manage_billing": True}},
            auth=auth,
        ).json()
        changed = client.patch(f"/users/{invited['identifier']}", json={"user": {"can_manage_agents": True}}, auth=auth)
    assert (True, True) == (invited["can_manage_billing"], changed.json()["can_manage_agents"])
