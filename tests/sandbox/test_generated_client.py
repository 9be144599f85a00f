"""The new operations through the generated client, against the reference server over real HTTP."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from deployhq_client import Client
from deployhq_client.api.users import (
    create_user,
    delete_user,
    get_user,
    list_users,
    replace_user,
    resend_invitation,
    update_user,
)
from deployhq_client.models import (
    AlreadyActivated,
    CodedError,
    CreateUserRequest,
    Error,
    InvitationResent,
    UpdateUserRequest,
    User,
    UserChanges,
    UserInvitation,
    ValidationErrors,
)
from deployhq_sandbox import Account, Accounts, create_app, serve
from deployhq_users import connect


@pytest.fixture
def server(database: Path, accounts: Accounts) -> Iterator[tuple[str, Any]]:
    """The reference server on a loopback port, and its app."""
    app = create_app(database, accounts=accounts)
    with serve(app) as base_url:
        yield base_url, app


def client_for(base_url: str, account: Account | None) -> Client:
    """The generated client, built by `connect()`, signed in as *account*."""
    assert account is not None
    return connect(base_url=base_url, email=account.email, api_key=account.api_key, env={}, timeout=10)


@pytest.fixture
def admin(server: tuple[str, Any], accounts: Accounts) -> Iterator[Client]:
    """The generated client, signed in as the administrator."""
    with client_for(server[0], accounts.administrator) as client:
        yield client


def invite(client: Client, address: str, **fields: Any) -> User:
    """A new user, through createUser."""
    user = create_user.sync(client=client, body=CreateUserRequest(user=UserInvitation(email_address=address, **fields)))
    assert isinstance(user, User)
    return user


def test_update_and_replace_change_only_the_sent_fields(admin: Client) -> None:
    """updateUser and replaceUser answer 200 with the whole user; fields not sent keep their values."""
    user = invite(admin, "ada@example.com", first_name="Ada", can_create_projects=True)
    patched = update_user.sync_detailed(
        user.identifier, client=admin, body=UpdateUserRequest(user=UserChanges(time_zone="Europe/London"))
    )
    put = replace_user.sync_detailed(
        user.identifier, client=admin, body=UpdateUserRequest(user=UserChanges(last_name="L"))
    )
    read = get_user.sync(user.identifier, client=admin)
    assert (200, 200) == (patched.status_code, put.status_code)
    assert isinstance(patched.parsed, User)
    assert isinstance(put.parsed, User)
    assert ("Europe/London", None, True) == (
        patched.parsed.time_zone,
        patched.parsed.last_name,
        patched.parsed.can_create_projects,
    )
    assert (put.parsed.to_dict(), "Europe/London", "L") == (
        read.to_dict() if read else None,
        put.parsed.time_zone,
        put.parsed.last_name,
    )


def test_an_invalid_update_is_a_parsed_422(admin: Client) -> None:
    """A blank first_name comes back as ValidationErrors naming the field."""
    user = invite(admin, "ada@example.com", first_name="Ada")
    response = update_user.sync_detailed(
        user.identifier, client=admin, body=UpdateUserRequest(user=UserChanges(first_name=" "))
    )
    assert isinstance(response.parsed, ValidationErrors)
    assert (422, {"first_name": ["can't be blank"]}) == (response.status_code, response.parsed.to_dict())


def test_resend_then_activate_then_resend(admin: Client, server: tuple[str, Any]) -> None:
    """resendInvitation is InvitationResent while pending, AlreadyActivated once the sandbox marks it accepted."""
    user = invite(admin, "ada@example.com", first_name="Ada")
    first = resend_invitation.sync_detailed(user.identifier, client=admin)
    server[1].state.store.activate("ada@example.com")
    second = resend_invitation.sync_detailed(user.identifier, client=admin)
    unknown = resend_invitation.sync_detailed(uuid4(), client=admin)
    assert isinstance(first.parsed, InvitationResent)
    assert isinstance(second.parsed, AlreadyActivated)
    assert isinstance(unknown.parsed, Error)
    assert ((200, "ok"), (422, "User already activated"), 404) == (
        (first.status_code, first.parsed.status),
        (second.status_code, second.parsed.error),
        unknown.status_code,
    )


def test_the_coded_403s_parse(admin: Client, server: tuple[str, Any], accounts: Accounts) -> None:
    """A member's update, replace, resend and delete, and an administrator's removal, parse as CodedError."""
    user = invite(admin, "ada@example.com", first_name="Ada")
    nobody = UpdateUserRequest(user=UserChanges())
    with client_for(server[0], accounts.member) as member:
        responses = [
            update_user.sync_detailed(user.identifier, client=member, body=nobody),
            replace_user.sync_detailed(user.identifier, client=member, body=nobody),
            resend_invitation.sync_detailed(user.identifier, client=member),
            delete_user.sync_detailed(user.identifier, client=member),
        ]
    users = list_users.sync(client=admin)
    assert users is not None
    last_admin = delete_user.sync_detailed(users[0].identifier, client=admin)
    parsed = [response.parsed for response in [*responses, last_admin]]
    assert all(isinstance(item, CodedError) for item in parsed)
    assert ["forbidden"] * 5 == [item.error_code for item in parsed]  # type: ignore[union-attr]


def test_a_manager_loses_its_rights_when_an_administrator_says_so(
    admin: Client, server: tuple[str, Any], accounts: Accounts
) -> None:
    """Over HTTP: once an administrator updates the manager's can_manage_users to false, the manager gets 403."""
    assert accounts.manager is not None
    users = list_users.sync(client=admin) or []
    [manager_user] = [user for user in users if user.email_address == accounts.manager.email]
    with client_for(server[0], accounts.manager) as manager:
        before = list_users.sync_detailed(client=manager).status_code
        update_user.sync_detailed(
            manager_user.identifier, client=admin, body=UpdateUserRequest(user=UserChanges(can_manage_users=False))
        )
        after = list_users.sync_detailed(client=manager).status_code
        delete_user.sync_detailed(manager_user.identifier, client=admin)
        removed = list_users.sync_detailed(client=manager).status_code
    assert (200, 403, 401) == (before, after, removed)


@pytest.mark.slow
def test_two_concurrent_moves_to_one_address_one_wins(server: tuple[str, Any], accounts: Accounts) -> None:
    """Two simultaneous PATCHes moving two users to the same address: exactly one 200, the other 422, no 5xx."""
    rounds = 25
    outcomes: Counter[tuple[int, int]] = Counter()
    with client_for(server[0], accounts.administrator) as admin, ThreadPoolExecutor(max_workers=2) as pool:
        for number in range(rounds):
            users = [invite(admin, f"r{number}-{side}@example.com", first_name=side) for side in ("a", "b")]
            start = threading.Barrier(2)
            target = f"Moved-{number}@example.com"

            def move(identifier: UUID, address: str = target, barrier: threading.Barrier = start) -> int:
                barrier.wait()
                body = UpdateUserRequest(user=UserChanges(email_address=address))
                return update_user.sync_detailed(identifier, client=admin, body=body).status_code

            statuses = sorted(pool.map(move, [user.identifier for user in users]))
            holders = [user for user in list_users.sync(client=admin) or [] if user.email_address == target]
            outcomes[(statuses[0], statuses[1])] += 1
            assert 1 == len(holders)
    assert Counter({(200, 422): rounds}) == outcomes
