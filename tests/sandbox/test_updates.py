"""PATCH / PUT /users/{identifier}, resend_invitation and the coded 403, in process, as openapi.yaml decides them."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from deployhq_sandbox import Accounts

from .conftest import Invite, credentials

METHODS = ["PATCH", "PUT"]
FORBIDDEN = {"error": "You do not have permission to manage users.", "error_code": "forbidden"}


def change(client: TestClient, method: str, identifier: str, user: object, **kwargs: Any) -> Any:
    """PATCH or PUT `{"user": user}`; the response."""
    return client.request(method, f"/users/{identifier}", json={"user": user}, **kwargs)


@pytest.fixture
def ada(invite: Invite) -> dict[str, Any]:
    """An invited user with every field set."""
    sent = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email_address": "ada@example.com",
        "time_zone": "Europe/London",
        "can_create_projects": True,
    }
    return invite(**sent).json()  # type: ignore[no-any-return]


def row(database: Path, identifier: str) -> dict[str, Any]:
    """The user's row as another connection reads it from the file."""
    with contextlib.closing(sqlite3.connect(database)) as connection:
        connection.row_factory = sqlite3.Row
        return dict(connection.execute("SELECT * FROM users WHERE identifier = ?", (identifier,)).fetchone())


@pytest.mark.parametrize("method", METHODS)
def test_only_the_sent_fields_change(client: TestClient, ada: dict[str, Any], method: str) -> None:
    """The answer is the whole user with the sent fields changed and every other field as it was, no default."""
    response = change(client, method, ada["identifier"], {"last_name": "Byron", "can_manage_agents": True})
    expected = {**ada, "last_name": "Byron", "can_manage_agents": True}
    assert (200, expected, expected) == (
        response.status_code,
        response.json(),
        client.get(f"/users/{ada['identifier']}").json(),
    )


@pytest.mark.parametrize("method", METHODS)
def test_every_field_can_change(client: TestClient, ada: dict[str, Any], method: str) -> None:
    """Each writable field takes the value sent, the flags included, for an administrator."""
    sent = {
        "first_name": "Augusta",
        "last_name": "King",
        "email_address": "augusta@example.org",
        "time_zone": "Asia/Tokyo",
        "account_administrator": True,
        "can_manage_users": True,
        "can_manage_billing": True,
        "can_create_projects": False,
        "can_manage_agents": True,
        "all_projects_allowed": True,
    }
    body = change(client, method, ada["identifier"], sent).json()
    assert {**ada, **sent} == body


def test_a_200_is_committed_before_it_is_answered(client: TestClient, ada: dict[str, Any], database: Path) -> None:
    """Once a change is answered, another connection to the file reads it."""
    change(client, "PATCH", ada["identifier"], {"first_name": "Committed"})
    assert "Committed" == row(database, ada["identifier"])["first_name"]


@pytest.mark.parametrize("user", [{}, {"shoe_size": 44}, {"id": 1, "identifier": str(uuid.uuid4()), "activated": True}])
def test_empty_or_unknown_changes_change_nothing(client: TestClient, ada: dict[str, Any], user: object) -> None:
    """An empty `user`, unknown keys, and id / identifier / activated (unknown to an update) change nothing: 200."""
    response = change(client, "PATCH", ada["identifier"], user)
    assert (200, ada) == (response.status_code, response.json())


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ({"first_name": ""}, {"first_name": ["can't be blank"]}),
        ({"first_name": " \u3000"}, {"first_name": ["can't be blank"]}),
        ({"first_name": None}, {"first_name": ["can't be blank"]}),
        ({"first_name": 7}, {"first_name": ["must be a string"]}),
        ({"last_name": None}, {"last_name": ["must be a string"]}),
        ({"last_name": "B" * 256}, {"last_name": ["is too long (maximum is 255 characters)"]}),
        ({"email_address": "not-an-address"}, {"email_address": ["is invalid"]}),
        ({"email_address": ""}, {"email_address": ["can't be blank"]}),
        ({"email_address": "x@example.invalid"}, {"email_address": ["is invalid"]}),
        ({"email_address": "x@example.XN--P1AI"}, {"email_address": ["is invalid"]}),
        ({"time_zone": "Mars/Olympus"}, {"time_zone": ["is not included in the list"]}),
        ({"time_zone": None}, {"time_zone": ["is not included in the list"]}),
        ({"can_manage_users": "true"}, {"can_manage_users": ["must be true or false"]}),
        ({"all_projects_allowed": 1}, {"all_projects_allowed": ["must be true or false"]}),
        ({"first_name": "Valid", "account_administrator": []}, {"account_administrator": ["must be true or false"]}),
    ],
)
def test_an_invalid_change_is_422_and_changes_nothing(
    client: TestClient, ada: dict[str, Any], user: object, expected: object
) -> None:
    """A bad value is 422 naming only that field, with an invitation's message, and nothing changes."""
    response = change(client, "PUT", ada["identifier"], user)
    assert (422, expected, ada) == (
        response.status_code,
        response.json(),
        client.get(f"/users/{ada['identifier']}").json(),
    )


@pytest.mark.parametrize(
    "body", [[], 3, "x", None, {}, {"first_name": "A"}, {"user": []}, {"user": "x"}, {"user": None}]
)
def test_a_body_without_a_user_object_is_422(client: TestClient, ada: dict[str, Any], body: object) -> None:
    """JSON that is not an object, or has no `user` object, is 422 `{"user": ["is missing"]}`."""
    headers = {"Content-Type": "application/json"}
    response = client.patch(f"/users/{ada['identifier']}", content=json.dumps(body), headers=headers)
    assert (422, {"user": ["is missing"]}) == (response.status_code, response.json())


@pytest.mark.parametrize(
    ("content", "headers", "expected"),
    [
        (b"{", {"Content-Type": "application/json"}, 400),
        (b'{"user": {"first_name": "\\udc00"}}', {"Content-Type": "application/json"}, 400),
        (b'{"user": {}}', {"Content-Type": "text/plain"}, 415),
        (b'{"user": {}}', {}, 415),
        (json.dumps({"user": {"last_name": "x" * 70000}}).encode(), {"Content-Type": "application/json"}, 413),
    ],
)
def test_a_body_that_is_not_json_is_refused_as_for_an_invitation(
    client: TestClient, ada: dict[str, Any], content: bytes, headers: dict[str, str], expected: int
) -> None:
    """Not JSON is 400, not declared JSON 415, too large 413, each in the error shape."""
    response = client.put(f"/users/{ada['identifier']}", content=content, headers=headers)
    assert (expected, expected) == (response.status_code, response.json()["status"])


@pytest.mark.parametrize("address", ["ada@example.com", "ADA@EXAMPLE.COM", "Ada@Example.com"])
def test_the_user_s_own_address_in_any_case_is_not_a_duplicate(
    client: TestClient, ada: dict[str, Any], address: str
) -> None:
    """Sending the user's own address, in another letter case, is accepted and stored as sent."""
    response = change(client, "PATCH", ada["identifier"], {"email_address": address})
    assert (200, address) == (response.status_code, response.json()["email_address"])


@pytest.mark.parametrize("address", ["bob@example.com", "BOB@example.com", "admin@EXAMPLE.com"])
def test_another_user_s_address_is_taken(client: TestClient, ada: dict[str, Any], invite: Invite, address: str) -> None:
    """Another user's address, compared case-insensitively (the accounts' included), is 422 and nothing changes."""
    invite(first_name="Bob", email_address="bob@example.com")
    response = change(client, "PATCH", ada["identifier"], {"email_address": address, "first_name": "Renamed"})
    assert (422, {"email_address": ["has already been taken"]}, ada) == (
        response.status_code,
        response.json(),
        client.get(f"/users/{ada['identifier']}").json(),
    )


def test_a_freed_address_can_be_taken(client: TestClient, ada: dict[str, Any], invite: Invite) -> None:
    """After a user moves to a new address, another user may take the old one."""
    bob = invite(first_name="Bob", email_address="bob@example.com").json()
    change(client, "PATCH", ada["identifier"], {"email_address": "ada@example.org"})
    response = change(client, "PATCH", bob["identifier"], {"email_address": "ADA@example.com"})
    assert (200, "ADA@example.com") == (response.status_code, response.json()["email_address"])


@pytest.mark.parametrize("method", METHODS)
def test_a_manager_s_admin_only_flags_are_ignored(
    client: TestClient, ada: dict[str, Any], accounts: Accounts, method: str
) -> None:
    """A caller who may manage users but is not an administrator changes names and project access, not capabilities."""
    assert accounts.manager is not None
    flags = {
        "account_administrator": True,
        "can_manage_users": True,
        "can_manage_billing": True,
        "can_create_projects": False,
        "can_manage_agents": True,
        "all_projects_allowed": True,
    }
    response = change(
        client, method, ada["identifier"], {"first_name": "M", **flags}, auth=credentials(accounts.manager)
    )
    assert (200, {**ada, "first_name": "M", "all_projects_allowed": True}) == (response.status_code, response.json())


def test_the_last_administrator_stays_one(client: TestClient, invite: Invite) -> None:
    """Taking account_administrator from the last administrator is 403 last_administrator; with two it is allowed."""
    admin = client.get("/users").json()[0]
    refused = change(client, "PATCH", admin["identifier"], {"account_administrator": False, "first_name": "X"})
    unchanged = client.get(f"/users/{admin['identifier']}").json()
    other = invite(first_name="Second", email_address="second@example.com", account_administrator=True).json()
    allowed = change(client, "PUT", other["identifier"], {"account_administrator": False})
    kept = change(client, "PATCH", admin["identifier"], {"account_administrator": True})
    assert (403, "last_administrator", admin) == (
        refused.status_code,
        refused.json()["error_code"],
        unchanged,
    )
    assert (set(refused.json()), allowed.status_code, kept.status_code) == ({"error", "error_code"}, 200, 200)


def test_an_administrator_may_demote_itself_when_another_remains(
    client: TestClient, invite: Invite, accounts: Accounts, app: Any
) -> None:
    """With another activated administrator, the caller may drop its own flag, and from then on may not manage users."""
    invite(first_name="Second", email_address="second@example.com", account_administrator=True)
    app.state.store.activate("second@example.com")
    admin = client.get("/users").json()[0]
    demoted = change(client, "PATCH", admin["identifier"], {"account_administrator": False, "can_manage_users": False})
    after = client.get("/users")
    assert (200, 403) == (demoted.status_code, after.status_code)


def test_a_pending_administrator_invitation_does_not_count(client: TestClient, invite: Invite, app: Any) -> None:
    """The only activated administrator cannot be demoted while the other is only invited (and no administrator can
    be removed); the invited one can be demoted, and once it has accepted, the first one can step down."""
    admin = client.get("/users").json()[0]
    pending = invite(first_name="Second", email_address="second@example.com", account_administrator=True).json()
    refusals = [
        change(client, "PATCH", admin["identifier"], {"account_administrator": False}),
        change(client, "PUT", admin["identifier"], {"account_administrator": False}),
        client.delete(f"/users/{admin['identifier']}"),
    ]
    demoted_pending = change(client, "PATCH", pending["identifier"], {"account_administrator": False})
    change(client, "PATCH", pending["identifier"], {"account_administrator": True})
    app.state.store.activate("second@example.com")
    stepped_down = change(client, "PATCH", admin["identifier"], {"account_administrator": False})
    assert [(403, "last_administrator")] * 2 + [(403, "forbidden")] == [
        (r.status_code, r.json()["error_code"]) for r in refusals
    ]
    assert (200, 200, {**admin, "account_administrator": False}) == (
        demoted_pending.status_code,
        stepped_down.status_code,
        stepped_down.json(),
    )


def test_a_manager_whose_flag_is_removed_may_no_longer_manage_users(client: TestClient, accounts: Accounts) -> None:
    """An administrator's PATCH of a manager's can_manage_users changes what that manager's key may do."""
    assert accounts.manager is not None
    manager = credentials(accounts.manager)
    [row_] = [user for user in client.get("/users").json() if user["email_address"] == accounts.manager.email]
    before = client.get("/users", auth=manager).status_code
    change(client, "PATCH", row_["identifier"], {"can_manage_users": False})
    after = client.patch(f"/users/{row_['identifier']}", json={"user": {}}, auth=manager)
    assert (200, 403, FORBIDDEN) == (before, after.status_code, after.json())


def test_a_member_gets_the_coded_403_where_the_spec_says(
    client: TestClient, ada: dict[str, Any], accounts: Accounts
) -> None:
    """A member gets `{error, error_code}` on PATCH, PUT, DELETE and resend, and `{status, error}` on GET and POST."""
    assert accounts.member is not None
    member = credentials(accounts.member)
    path = f"/users/{ada['identifier']}"
    coded = [
        client.patch(path, json={"user": {}}, auth=member),
        client.put(path, json={"user": {}}, auth=member),
        client.delete(path, auth=member),
        client.post(f"{path}/resend_invitation", auth=member),
    ]
    plain = [
        client.get("/users", auth=member),
        client.get(path, auth=member),
        client.post("/users", json={}, auth=member),
    ]
    status = {"status": 403, "error": "You do not have permission to manage users."}
    assert ([(403, FORBIDDEN)] * 4, [(403, status)] * 3) == (
        [(r.status_code, r.json()) for r in coded],
        [(r.status_code, r.json()) for r in plain],
    )


def test_removing_an_administrator_is_the_vendors_coded_403(client: TestClient) -> None:
    """DELETE of an account administrator answers DeployHQ's documented `{error, error_code: forbidden}`."""
    admin = client.get("/users").json()[0]
    response = client.delete(f"/users/{admin['identifier']}")
    expected = {"error": "Cannot remove the account administrator", "error_code": "forbidden"}
    assert (403, expected) == (response.status_code, response.json())


# A fixed id for the random UUID: every pytest-xdist worker must collect the same test ids.
@pytest.mark.parametrize(
    "identifier", [pytest.param(str(uuid.uuid4()), id="random-uuid"), "not-a-uuid", "0" * 32, "%00", "x" * 5000]
)
def test_an_unknown_or_malformed_identifier_is_404(client: TestClient, identifier: str) -> None:
    """An identifier the account does not know, or that is not a UUID, is 404 on PATCH, PUT and resend."""
    path = f"/users/{identifier}"
    responses = [
        client.patch(path, json={"user": {}}),
        client.put(path, content=b"{", headers={"Content-Type": "application/json"}),
        client.post(f"{path}/resend_invitation"),
    ]
    assert [(404, {"status": 404, "error": "Not found"})] * 3 == [(r.status_code, r.json()) for r in responses]


def test_a_removed_user_cannot_be_changed(client: TestClient, ada: dict[str, Any]) -> None:
    """After DELETE, PATCH and resend of that user are 404."""
    client.delete(f"/users/{ada['identifier']}")
    statuses = (
        change(client, "PATCH", ada["identifier"], {"first_name": "Ghost"}).status_code,
        client.post(f"/users/{ada['identifier']}/resend_invitation").status_code,
    )
    assert (404, 404) == statuses


def test_resend_is_ok_while_pending_and_422_once_activated(client: TestClient, ada: dict[str, Any], app: Any) -> None:
    """A pending invitation is resent (200 ok, nothing changes); once accepted it is 422 User already activated."""
    path = f"/users/{ada['identifier']}/resend_invitation"
    pending = client.post(path)
    unchanged = client.get(f"/users/{ada['identifier']}").json()
    activated = app.state.store.activate("ADA@example.com")
    refused = client.post(path)
    assert ((200, {"status": "ok"}), ada, True) == (
        (pending.status_code, pending.json()),
        unchanged,
        activated.activated,
    )
    assert (422, {"error": "User already activated"}) == (refused.status_code, refused.json())


def test_resend_ignores_a_body(client: TestClient, ada: dict[str, Any]) -> None:
    """Whatever body a resend carries, it is not read: not JSON, another type, too large."""
    path = f"/users/{ada['identifier']}/resend_invitation"
    responses = [
        client.post(path, content=b"{", headers={"Content-Type": "application/json"}),
        client.post(path, content=b"x" * 100_000, headers={"Content-Type": "text/plain"}),
    ]
    assert [200, 200] == [response.status_code for response in responses]


def test_activate_an_unknown_address_is_none(app: Any) -> None:
    """Store.activate of an address no user has changes nothing and says so."""
    assert app.state.store.activate("nobody@example.com") is None


def test_credentials_are_checked_before_anything_else(app: Any, ada: dict[str, Any]) -> None:
    """No credentials is 401 on the new operations, even with a bad body or an unknown identifier."""
    with TestClient(app) as anonymous:
        statuses = {
            anonymous.patch(f"/users/{ada['identifier']}", content=b"{").status_code,
            anonymous.put(f"/users/{uuid.uuid4()}", json={"user": {}}).status_code,
            anonymous.post(f"/users/{ada['identifier']}/resend_invitation").status_code,
        }
    assert {401} == statuses


@pytest.mark.parametrize("method", METHODS)
def test_only_an_administrator_changes_an_administrators_address(
    client: TestClient, invite: Invite, accounts: Accounts, method: str
) -> None:
    """A manager's different address for an administrator is 403 forbidden and changes nothing; the same address
    (no change), another field, and an administrator's change of it are allowed."""
    assert accounts.manager is not None
    manager = credentials(accounts.manager)
    other = invite(first_name="Other", email_address="other@example.com", account_administrator=True).json()
    admin = client.get("/users").json()[0]
    refused = change(client, method, other["identifier"], {"email_address": "taken@example.com"}, auth=manager)
    also_refused = change(client, method, admin["identifier"], {"email_address": "ADMIN@example.com"}, auth=manager)
    same = change(
        client, method, other["identifier"], {"email_address": "other@example.com", "last_name": "L"}, auth=manager
    )
    by_admin = change(client, method, other["identifier"], {"email_address": "moved@example.com"})
    assert [(r.status_code, r.json().get("error_code")) for r in (refused, also_refused)] == [(403, "forbidden")] * 2
    assert (
        refused.json()["error"] == "Only an account administrator may change an account administrator's email address."
    )
    assert (same.status_code, same.json()["last_name"], by_admin.json()["email_address"]) == (
        200,
        "L",
        "moved@example.com",
    )
    assert client.get("/users").json()[0] == admin
