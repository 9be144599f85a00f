"""The public calls of the Users API: each operation described once, then a typed sync and async function.

Adding an operation is its `Operation(...)` line (generated module, what a 2xx returns, its `Effect`, what a 404
means) and two functions that only turn their typed arguments into the generated module's, e.g. for PATCH:
`return _UPDATE.call(client, rate_limit_retries, identifier=_identifier(identifier), body=...)`.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from deployhq_client import Client
from deployhq_client.api.users import create_user
from deployhq_client.api.users import delete_user as _delete
from deployhq_client.api.users import get_user as _get
from deployhq_client.api.users import list_users as _list
from deployhq_client.models import CreateUserRequest, Deleted, User, UserInvitation

from ._operation import Effect, Operation

__all__ = [
    "delete_user",
    "delete_user_async",
    "get_user",
    "get_user_async",
    "invite_user",
    "invite_user_async",
    "list_users",
    "list_users_async",
]

_INVITE = Operation("invite_user", create_user, returns=User, effect=Effect.SENDS_EMAIL)
_ONE_USER = "no user with identifier {identifier}"
_GET = Operation("get_user", _get, returns=User, effect=Effect.READS, not_found=_ONE_USER)
_DELETE = Operation("delete_user", _delete, returns=Deleted, effect=Effect.IDEMPOTENT, not_found=_ONE_USER)
_LIST: Operation[list[Any]] = Operation("list_users", _list, returns=list, effect=Effect.READS)


def _identifier(identifier: UUID | str) -> UUID:
    """The caller's identifier as a UUID; a malformed one is the caller's error, raised before sending."""
    try:
        return UUID(str(identifier))
    except ValueError:
        raise ValueError(f"identifier {identifier!r} is not a UUID (a user's `identifier`)") from None


def invite_user(client: Client, invitation: UserInvitation, *, rate_limit_retries: int = 0) -> User:
    """Invite a user (POST /users) and return the created user; sends a real invitation email.

    Only a 429 is ever retried (the server refused it, so nothing was created), and only when
    *rate_limit_retries* > 0, waiting what its Retry-After says. A request whose outcome is unknown raises
    OutcomeUnknownError and is never re-sent.
    """
    return _INVITE.call(client, rate_limit_retries, body=CreateUserRequest(user=invitation))


async def invite_user_async(client: Client, invitation: UserInvitation, *, rate_limit_retries: int = 0) -> User:
    """The async form of `invite_user`."""
    return await _INVITE.call_async(client, rate_limit_retries, body=CreateUserRequest(user=invitation))


def get_user(client: Client, identifier: UUID | str, *, rate_limit_retries: int = 0) -> User:
    """Read one user (GET /users/{identifier}); NotFoundError if there is none.

    A 429 is retried up to *rate_limit_retries* times, waiting what its Retry-After says.
    """
    return _GET.call(client, rate_limit_retries, identifier=_identifier(identifier))


async def get_user_async(client: Client, identifier: UUID | str, *, rate_limit_retries: int = 0) -> User:
    """The async form of `get_user`."""
    return await _GET.call_async(client, rate_limit_retries, identifier=_identifier(identifier))


def delete_user(client: Client, identifier: UUID | str, *, rate_limit_retries: int = 0) -> None:
    """Remove one user (DELETE /users/{identifier}); NotFoundError if there is none.

    A 429 is retried up to *rate_limit_retries* times, waiting what its Retry-After says. A lost answer raises
    OutcomeUnknownError with `safe_to_resend` True: the user may already be gone.
    """
    _DELETE.call(client, rate_limit_retries, identifier=_identifier(identifier))


async def delete_user_async(client: Client, identifier: UUID | str, *, rate_limit_retries: int = 0) -> None:
    """The async form of `delete_user`."""
    await _DELETE.call_async(client, rate_limit_retries, identifier=_identifier(identifier))


def list_users(client: Client, *, rate_limit_retries: int = 0) -> list[User]:
    """Every user of the account (GET /users).

    A 429 is retried up to *rate_limit_retries* times, waiting what its Retry-After says.
    """
    return _LIST.call(client, rate_limit_retries)


async def list_users_async(client: Client, *, rate_limit_retries: int = 0) -> list[User]:
    """The async form of `list_users`."""
    return await _LIST.call_async(client, rate_limit_retries)
