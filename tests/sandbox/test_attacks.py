"""Attacks on the reference server over real HTTP on loopback: who a key signs in as, and when it is authorised."""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from deployhq_sandbox import Account, Accounts, create_app, serve

from .conftest import credentials


class HeldRequest:
    """A request whose headers are sent at once and whose body waits for `finish()`: a slow client on a raw socket."""

    def __init__(self, base_url: str, method: str, path: str, account: Account, body: object) -> None:
        host, port = base_url.removeprefix("http://").rsplit(":", 1)
        self.body = json.dumps(body).encode()
        token = base64.b64encode(f"{account.email}:{account.api_key}".encode()).decode()
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Basic {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(self.body)}\r\nConnection: close\r\n\r\n"
        )
        self.sock.sendall(head.encode())

    def finish(self) -> tuple[int, Any]:
        """Send the body; the status and JSON body of the answer."""
        self.sock.sendall(self.body)
        answer = b""
        while chunk := self.sock.recv(65536):
            answer += chunk
        self.sock.close()
        head, _, body = answer.partition(b"\r\n\r\n")
        return int(head.split()[1]), json.loads(body)


@pytest.fixture
def server(database: Path, accounts: Accounts) -> Iterator[str]:
    """The reference server over real HTTP on a loopback port."""
    with serve(create_app(database, accounts=accounts)) as base_url:
        yield base_url


def client(base_url: str, account: Account) -> httpx.Client:
    """A client signed in as *account*."""
    return httpx.Client(base_url=base_url, auth=credentials(account), timeout=10)


def identifier_of(http: httpx.Client, address: str) -> str:
    """The identifier of the user listed with *address*."""
    return next(user["identifier"] for user in http.get("/users").json() if user["email_address"] == address)


def test_a_manager_cannot_take_the_administrators_row(server: str, accounts: Accounts) -> None:
    """The escalation of issue 19 fails: the administrator's address is not the manager's to change, so the manager's
    key never reaches the administrator's row, and the administrator still signs in."""
    assert accounts.manager is not None
    manager, admin = accounts.manager, accounts.administrator
    with client(server, manager) as as_manager, client(server, admin) as as_admin:
        admin_id = identifier_of(as_admin, admin.email)
        manager_id = identifier_of(as_admin, manager.email)
        parked = as_manager.patch(f"/users/{admin_id}", json={"user": {"email_address": "parked@example.com"}})
        # Authorised while its body is still to come; the manager then frees its own address.
        moved = {"user": {"email_address": manager.email}}
        takeover = HeldRequest(server, "PATCH", f"/users/{admin_id}", manager, moved)
        as_manager.patch(f"/users/{manager_id}", json={"user": {"email_address": "moved@example.com"}})
        takeover_status, _ = takeover.finish()
        invited = as_manager.post(
            "/users",
            json={"user": {"first_name": "Eve", "email_address": "eve@example.com", "account_administrator": True}},
        )
        admin_still_signs_in = as_admin.get("/users").status_code
    assert (parked.status_code, parked.json()["error_code"]) == (403, "forbidden")
    assert takeover_status in {401, 403}
    assert invited.status_code == 401 or invited.json()["account_administrator"] is False
    assert admin_still_signs_in == 200


def test_an_invitation_whose_caller_was_demoted_while_its_body_arrived_is_refused(
    server: str, accounts: Accounts
) -> None:
    """A manager's POST /users authorised before its body arrived, demoted meanwhile, is refused and creates nobody."""
    assert accounts.manager is not None
    with client(server, accounts.administrator) as as_admin:
        held = HeldRequest(
            server, "POST", "/users", accounts.manager, {"user": {"first_name": "Late", "email_address": "late@x.test"}}
        )
        manager_id = identifier_of(as_admin, accounts.manager.email)
        demoted = as_admin.patch(f"/users/{manager_id}", json={"user": {"can_manage_users": False}}).status_code
        status, body = held.finish()
        addresses = [user["email_address"] for user in as_admin.get("/users").json()]
    assert (demoted, status, body, "late@x.test" in addresses) == (
        200,
        403,
        {"status": 403, "error": "You do not have permission to manage users."},
        False,
    )


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_a_change_whose_caller_was_removed_while_its_body_arrived_is_refused(
    server: str, accounts: Accounts, method: str
) -> None:
    """A manager's change authorised before its body arrived, removed meanwhile, gets 401 and changes nothing."""
    assert accounts.manager is not None
    assert accounts.member is not None
    with client(server, accounts.administrator) as as_admin:
        member_id = identifier_of(as_admin, accounts.member.email)
        held = HeldRequest(server, method, f"/users/{member_id}", accounts.manager, {"user": {"first_name": "Changed"}})
        removed = as_admin.delete(f"/users/{identifier_of(as_admin, accounts.manager.email)}").status_code
        status, _ = held.finish()
        member = as_admin.get(f"/users/{member_id}")
    assert (removed, status, member.status_code, member.json()["first_name"]) == (200, 401, 200, "Sandbox")
