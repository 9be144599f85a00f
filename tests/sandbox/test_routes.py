"""The HTTP behaviour of the Users API, in process, exactly as openapi.yaml describes it."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from starlette.applications import Starlette
from starlette.testclient import TestClient

from deployhq_sandbox import Accounts

from .conftest import ROOT, Invite, credentials

SCHEMAS = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))["components"]["schemas"]
USER_FIELDS = list(SCHEMAS["User"]["required"])
FLAGS = [name for name, prop in SCHEMAS["UserInvitation"]["properties"].items() if prop.get("type") == "boolean"]


def test_seed_request_gives_the_seed_response(invite: Invite) -> None:
    """The vendor's documented request gets 201 and the documented response, up to id and identifier."""
    response = invite(
        first_name="Jane",
        last_name="Smith",
        email_address="jane@example.com",
        can_create_projects=True,
        all_projects_allowed=False,
    )
    body = response.json()
    expected = {
        "first_name": "Jane",
        "last_name": "Smith",
        "email_address": "jane@example.com",
        "time_zone": "Etc/UTC",
        "account_administrator": False,
        "activated": False,
        "can_manage_users": False,
        "can_manage_billing": False,
        "can_create_projects": True,
        "can_manage_agents": False,
        "all_projects_allowed": False,
    }
    assert (response.status_code, response.headers["content-type"]) == (201, "application/json")
    assert list(body) == USER_FIELDS
    assert expected == {k: v for k, v in body.items() if k not in {"id", "identifier"}}
    assert uuid.UUID(body["identifier"]).version == 4


def test_minimal_invitation_gets_every_default(invite: Invite) -> None:
    """Omitted flags come back false, time_zone Etc/UTC, last_name null, and the user is not activated."""
    body = invite(first_name="Ada", email_address="ada@example.com").json()
    assert {"last_name": None, "time_zone": "Etc/UTC", "activated": False, **dict.fromkeys(FLAGS, False)} == {
        k: body[k] for k in ["last_name", "time_zone", "activated", *FLAGS]
    }


def test_sent_values_round_trip(invite: Invite) -> None:
    """Every sent value comes back as sent, flags included, for an administrator caller."""
    sent = {
        "first_name": "Grace",
        "last_name": "",
        "email_address": "Grace.Hopper@Example.com",
        "time_zone": "Europe/London",
        **dict.fromkeys(FLAGS, True),
    }
    body = invite(**sent).json()
    assert sent == {k: body[k] for k in sent}


def test_ids_increase_and_identifiers_are_new(invite: Invite) -> None:
    """Each invitation gets a larger id and a different identifier than the one before."""
    first = invite(first_name="A", email_address="a@example.com").json()
    second = invite(first_name="B", email_address="b@example.com").json()
    assert (second["id"] > first["id"], second["identifier"] != first["identifier"]) == (True, True)


def test_unknown_keys_are_ignored(client: TestClient) -> None:
    """Unknown keys at the top level and inside `user` change nothing."""
    body = {"user": {"first_name": "Ada", "email_address": "ada@example.com", "shoe_size": 44}, "first_name": ""}
    response = client.post("/users", json=body)
    assert (response.status_code, response.json()["first_name"]) == (201, "Ada")
    assert "shoe_size" not in response.json()


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ({"email_address": "x@example.com"}, {"first_name": ["can't be blank"]}),
        ({"first_name": " \t\u3000\ufeff", "email_address": "x@example.com"}, {"first_name": ["can't be blank"]}),
        ({"first_name": None, "email_address": "x@example.com"}, {"first_name": ["can't be blank"]}),
        ({"first_name": 7, "email_address": "x@example.com"}, {"first_name": ["must be a string"]}),
        ({"first_name": "A", "last_name": 7, "email_address": "x@example.com"}, {"last_name": ["must be a string"]}),
        ({"first_name": "A", "last_name": None, "email_address": "x@example.com"}, {"last_name": ["must be a string"]}),
        ({"first_name": "A"}, {"email_address": ["can't be blank"]}),
        ({"first_name": "A", "email_address": "  "}, {"email_address": ["can't be blank"]}),
        ({"first_name": "A", "email_address": ["x@example.com"]}, {"email_address": ["must be a string"]}),
        ({"first_name": "A", "email_address": "not-an-address"}, {"email_address": ["is invalid"]}),
        ({"first_name": "A", "email_address": "x@example.invalid"}, {"email_address": ["is invalid"]}),
        ({"first_name": "A", "email_address": "ü@example.com"}, {"email_address": ["is invalid"]}),
        ({"first_name": "A", "email_address": "0@A.XN--11B4C3D"}, {"email_address": ["is invalid"]}),
        (
            {"first_name": "A", "email_address": "x@example.com", "time_zone": "Mars/Olympus"},
            {"time_zone": ["is not included in the list"]},
        ),
        (
            {"first_name": "A", "email_address": "x@example.com", "time_zone": None},
            {"time_zone": ["is not included in the list"]},
        ),
        (
            {"first_name": "A", "email_address": "x@example.com", "can_manage_users": "true"},
            {"can_manage_users": ["must be true or false"]},
        ),
        (
            {"first_name": "A", "email_address": "x@example.com", "all_projects_allowed": 1},
            {"all_projects_allowed": ["must be true or false"]},
        ),
        (
            {"first_name": "A" * 256, "email_address": "x@example.com"},
            {"first_name": ["is too long (maximum is 255 characters)"]},
        ),
        (
            {"first_name": "A", "last_name": "B" * 256, "email_address": "x@example.com"},
            {"last_name": ["is too long (maximum is 255 characters)"]},
        ),
        (
            {"first_name": "A", "email_address": "x@" + "e" * 60 + "." + "f" * 60 + "." + "g" * 60 + "." + "h" * 70},
            {"email_address": ["is too long (maximum is 254 characters)"]},
        ),
        ({}, {"first_name": ["can't be blank"], "email_address": ["can't be blank"]}),
    ],
)
def test_invalid_invitation_is_422_with_rails_errors(client: TestClient, user: object, expected: object) -> None:
    """Each invalid field is named with its Rails message, and nothing is stored."""
    response = client.post("/users", json={"user": user})
    assert (422, expected) == (response.status_code, response.json())
    assert len(client.get("/users").json()) == 3


@pytest.mark.parametrize("body", [{}, {"first_name": "A"}, {"user": None}, {"user": "x"}, {"user": []}, [], 3, "x"])
def test_body_without_user_object_is_missing(client: TestClient, body: object) -> None:
    """A body with no `user` object, or that is not an object at all, is 422 `{"user": ["is missing"]}`."""
    response = client.post("/users", json=body)
    assert (response.status_code, response.json()) == (422, {"user": ["is missing"]})


@pytest.mark.parametrize("address", ["jane@example.com", "JANE@EXAMPLE.COM", "Jane@example.com"])
def test_duplicate_address_is_taken_case_insensitively(invite: Invite, address: str) -> None:
    """A second invitation of the same address, in any case, is 422 `has already been taken`."""
    invite(first_name="Jane", email_address="jane@example.com")
    response = invite(first_name="Jane", email_address=address)
    assert (response.status_code, response.json()) == (422, {"email_address": ["has already been taken"]})


def test_an_account_address_is_taken(invite: Invite, accounts: Accounts) -> None:
    """The configured accounts are users of the account, so their addresses are taken."""
    response = invite(first_name="Admin", email_address=accounts.administrator.email.upper())
    assert (response.status_code, response.json()) == (422, {"email_address": ["has already been taken"]})


def test_test_domains_are_accepted(invite: Invite) -> None:
    """Addresses under the reserved `.test` domain are valid (test setups use them)."""
    assert invite(first_name="T", email_address="someone@contract.test").status_code == 201


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"{", "application/json"),
        (b"", "application/json"),
        (b'{"user": NaN}', "application/json"),
        (b"\xff\xfe{}", "application/json"),
        (b'{"user": {"first_name": "\\ud800", "email_address": "x@example.com"}}', "application/json"),
        (b"[" * 5000 + b"]" * 5000, "application/json"),
        (b'{"user": ' + b"9" * 5000 + b"}", "application/json"),
    ],
)
def test_not_json_is_400(client: TestClient, content: bytes, content_type: str) -> None:
    """A body that is not JSON text in UTF-8 is 400 with the error shape."""
    response = client.post("/users", content=content, headers={"Content-Type": content_type})
    assert (
        response.status_code,
        response.json(),
    ) == (400, {"status": 400, "error": "The request body is not valid JSON."})


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "application/vnd.api+json", "APPLICATION/JSON"]
)
def test_json_content_types_are_accepted(client: TestClient, content_type: str) -> None:
    """application/json with parameters and application/*+json are JSON."""
    content = json.dumps({"user": {"first_name": "A", "email_address": "a@example.com"}})
    response = client.post("/users", content=content, headers={"Content-Type": content_type})
    assert response.status_code == 201


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", None]
)
def test_other_content_types_are_415(client: TestClient, content_type: str | None) -> None:
    """A body not declared as JSON is 415."""
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/users", content=b'{"user": {}}', headers=headers)
    assert (response.status_code, response.json()["status"]) == (415, 415)


def test_body_over_the_limit_is_413(client: TestClient) -> None:
    """A body larger than max_body_bytes is 413."""
    content = json.dumps({"user": {"first_name": "A", "email_address": "a@example.com", "x": "y" * 70000}})
    response = client.post("/users", content=content, headers={"Content-Type": "application/json"})
    assert (
        response.status_code,
        response.json(),
    ) == (413, {"status": 413, "error": "The request body is larger than 65536 bytes."})


def test_streamed_body_over_the_limit_is_413(client: TestClient) -> None:
    """A chunked body without Content-Length is cut off at max_body_bytes too."""

    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b" " * 4096

    response = client.post("/users", content=chunks(), headers={"Content-Type": "application/json"})
    assert (response.status_code, response.request.headers.get("content-length")) == (413, None)


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Basic",
        "Basic !!!",
        "Bearer abc",
        "Basic " + "YWRtaW5AZXhhbXBsZS5jb20=",  # no colon, no key
        "Basic " + "YWRtaW5AZXhhbXBsZS5jb206d3Jvbmc=",  # admin@example.com:wrong
        "Basic /w==",  # not UTF-8
    ],
)
def test_missing_or_wrong_credentials_are_401(app: Starlette, authorization: str | None) -> None:
    """No, malformed or wrong credentials are 401 on every operation, before the body is looked at."""
    headers = {"Authorization": authorization} if authorization else {}
    with TestClient(app) as anonymous:
        statuses = {
            anonymous.post("/users", content=b"{", headers=headers).status_code,
            anonymous.get("/users", headers=headers).status_code,
            anonymous.get(f"/users/{uuid.uuid4()}", headers=headers).status_code,
            anonymous.delete(f"/users/{uuid.uuid4()}", headers=headers).status_code,
        }
        body = anonymous.get("/users", headers=headers).json()
    assert ({401}, {"status": 401, "error": "Access denied"}) == (statuses, body)


def test_member_is_403(client: TestClient, accounts: Accounts) -> None:
    """A caller who is neither administrator nor allowed to manage users gets 403."""
    assert accounts.member is not None
    response = client.get("/users", auth=credentials(accounts.member))
    assert (response.status_code, response.json()["status"]) == (403, 403)


def test_manager_cannot_grant_admin_only_flags(invite: Invite, accounts: Accounts) -> None:
    """A manager's invitation has account_administrator and the can_* flags forced to false."""
    assert accounts.manager is not None
    body = invite(
        auth=credentials(accounts.manager), first_name="M", email_address="m@example.com", **dict.fromkeys(FLAGS, True)
    ).json()
    expected = {**dict.fromkeys(FLAGS, False), "all_projects_allowed": True}
    assert expected == {k: body[k] for k in FLAGS}


def test_get_returns_the_created_user(client: TestClient, invite: Invite) -> None:
    """GET /users/{identifier} returns what POST returned, also for the identifier in upper case."""
    created = invite(first_name="Ada", email_address="ada@example.com").json()
    assert (created, created) == (
        client.get(f"/users/{created['identifier']}").json(),
        client.get(f"/users/{created['identifier'].upper()}").json(),
    )


# A fixed id for the random UUID: every pytest-xdist worker must collect the same test ids.
@pytest.mark.parametrize(
    "identifier",
    [
        pytest.param(str(uuid.uuid4()), id="random-uuid"),
        "not-a-uuid",
        "0" * 32,
        pytest.param("{" + str(uuid.uuid4()) + "}", id="braced-uuid"),
    ],
)
def test_unknown_identifier_is_404(client: TestClient, identifier: str) -> None:
    """An unknown or non-UUID identifier is 404 with the error shape, on GET and DELETE."""
    expected = (404, {"status": 404, "error": "Not found"})
    get, delete = client.get(f"/users/{identifier}"), client.delete(f"/users/{identifier}")
    assert (expected, expected) == ((get.status_code, get.json()), (delete.status_code, delete.json()))


def test_list_is_oldest_first(client: TestClient, invite: Invite, accounts: Accounts) -> None:
    """GET /users lists the accounts, then the invited users, in order of creation."""
    for name in ["c", "a", "b"]:
        invite(first_name=name, email_address=f"{name}@example.com")
    expected = [account.email for account in accounts] + ["c@example.com", "a@example.com", "b@example.com"]
    assert expected == [user["email_address"] for user in client.get("/users").json()]


def test_delete_removes_the_user(client: TestClient, invite: Invite) -> None:
    """DELETE answers `{"status": "ok"}`, after which the user is gone and a second DELETE is 404."""
    identifier = invite(first_name="Ada", email_address="ada@example.com").json()["identifier"]
    first = client.delete(f"/users/{identifier}")
    assert (
        first.status_code,
        first.json(),
        client.get(f"/users/{identifier}").status_code,
        client.delete(f"/users/{identifier}").status_code,
    ) == (200, {"status": "ok"}, 404, 404)


def test_no_administrator_can_be_removed_until_it_loses_the_flag(client: TestClient, invite: Invite) -> None:
    """An administrator, invited or activated, is a 403; once an update takes its flag away it can be removed."""
    invited = invite(first_name="Ad", email_address="ad@example.com", account_administrator=True).json()
    configured = client.get("/users").json()[0]
    refused = [client.delete(f"/users/{user['identifier']}").status_code for user in (invited, configured)]
    demoted = client.patch(f"/users/{invited['identifier']}", json={"user": {"account_administrator": False}})
    removed = client.delete(f"/users/{invited['identifier']}")
    assert (refused, demoted.status_code, removed.status_code, len(client.get("/users").json())) == (
        [403, 403],
        200,
        200,
        3,
    )


def test_address_is_free_again_after_delete(client: TestClient, invite: Invite) -> None:
    """Removing a user frees the address for a new invitation, which gets a larger id."""
    first = invite(first_name="Ada", email_address="ada@example.com").json()
    client.delete(f"/users/{first['identifier']}")
    second = invite(first_name="Ada", email_address="ada@example.com")
    assert (second.status_code, second.json()["id"] > first["id"]) == (201, True)


def test_spec_is_served_unauthenticated(app: Starlette) -> None:
    """GET /openapi.yaml answers the spec file itself as application/yaml, without credentials."""
    with TestClient(app) as anonymous:
        response = anonymous.get("/openapi.yaml")
    expected = (ROOT / "openapi.yaml").read_bytes()
    assert (200, "application/yaml", expected) == (
        response.status_code,
        response.headers["content-type"],
        response.content,
    )


def test_a_removed_user_cannot_sign_in(client: TestClient, invite: Invite, accounts: Accounts) -> None:
    """Once the manager's user is removed its key is a 401, also after its address is invited again."""
    assert accounts.manager is not None
    manager = credentials(accounts.manager)
    before = client.get("/users", auth=manager).status_code
    [row] = [user for user in client.get("/users").json() if user["email_address"] == accounts.manager.email]
    client.delete(f"/users/{row['identifier']}")
    removed = client.get("/users", auth=manager)
    invite(first_name="Again", email_address=accounts.manager.email)
    reinvited = client.post(
        "/users", auth=manager, json={"user": {"first_name": "X", "email_address": "x@example.com"}}
    )
    assert (200, 401, {"status": 401, "error": "Access denied"}, 401) == (
        before,
        removed.status_code,
        removed.json(),
        reinvited.status_code,
    )


def test_the_caller_s_role_is_the_store_s(client: TestClient, database: Path, accounts: Accounts) -> None:
    """A member whose user may manage users now gets 200; a manager whose user no longer may gets 403."""
    assert accounts.manager is not None
    assert accounts.member is not None
    with contextlib.closing(sqlite3.connect(database)) as connection, connection:
        connection.execute("UPDATE users SET can_manage_users = 1 WHERE email_key = ?", (accounts.member.email,))
        connection.execute("UPDATE users SET can_manage_users = 0 WHERE email_key = ?", (accounts.manager.email,))
    member = client.get("/users", auth=credentials(accounts.member)).status_code
    manager = client.get("/users", auth=credentials(accounts.manager)).status_code
    assert (200, 403) == (member, manager)
