"""The public calls of the Users API: each operation described once, then a typed sync and async function.

Adding an operation is its `Operation(...)` line (generated module, what a 2xx returns, its `Effect`, what a 404
means) and two functions that only turn their typed arguments into the generated module's, e.g. for PATCH:
`return _UPDATE.call(client, rate_limit_retries, identifier=_identifier(identifier), body=...)`.

`replaceUser` (PUT) has no call here: the spec makes it the same operation as `updateUser` (PATCH), with the
same body and answers, and a `replace_user` whose name promises to reset what is left out would mislead.
`deployhq_client.api.users.replace_user` sends it for whoever needs the PUT verb itself.

PYTEST_DONT_REWRITE: library code, its asserts only narrow types (CONTRIBUTING.md, "Assertion rewriting").
"""

from __future__ import annotations

from typing import Any, Unpack
from uuid import UUID

from deployhq_client import Client
from deployhq_client.api.users import create_user
from deployhq_client.api.users import delete_user as _delete
from deployhq_client.api.users import get_user as _get
from deployhq_client.api.users import list_users as _list
from deployhq_client.api.users import resend_invitation as _resend
from deployhq_client.api.users import update_user as _update
from deployhq_client.models import CreateUserRequest, User, UserInvitation

from ._changes import UserChangesDict, changes_request
from ._errors import AlreadyActivatedError, InvalidIdentifierError
from ._operation import Effect, Operation

__all__ = [
    "UserChangesDict",
    "delete_user",
    "delete_user_async",
    "get_user",
    "get_user_async",
    "invite_user",
    "invite_user_async",
    "list_users",
    "list_users_async",
    "resend_invitation",
    "resend_invitation_async",
    "update_user",
    "update_user_async",
]

_INVITE = Operation(
    "invite_user", create_user, returns=User, effect=Effect.SENDS_EMAIL,
    if_lost="Check with get_user or list_users before trying again.",
)  # fmt: skip
_ONE_USER = "no user with identifier {identifier}"
_GET = Operation("get_user", _get, returns=User, effect=Effect.READS, not_found=_ONE_USER)
_UPDATE = Operation("update_user", _update, returns=User, effect=Effect.IDEMPOTENT, not_found=_ONE_USER)
_DELETE = Operation("delete_user", _delete, returns=type(None), effect=Effect.IDEMPOTENT, not_found=_ONE_USER)
_LIST: Operation[list[Any]] = Operation("list_users", _list, returns=list, effect=Effect.READS)
_RESEND = Operation(
    "resend_invitation", _resend, returns=type(None), effect=Effect.SENDS_EMAIL, not_found=_ONE_USER,
    invalid=AlreadyActivatedError,
    if_lost="The email may have gone out: ask the person whether it arrived before resending.",
)  # fmt: skip


def _identifier(identifier: UUID | str) -> UUID:
    """The caller's identifier as a UUID; a malformed one is the caller's error, raised before sending."""
    try:
        return UUID(str(identifier))
    except ValueError:
        raise InvalidIdentifierError(f"identifier {identifier!r} is not a UUID (a user's `identifier`)") from None


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


def update_user(
    client: Client, identifier: UUID | str, *, rate_limit_retries: int = 0, **changes: Unpack[UserChangesDict]
) -> User:
    """Change only the fields given as keywords (PATCH /users/{identifier}) and return the whole user after it.

    `update_user(client, identifier, can_manage_users=True)` sends `{"user": {"can_manage_users": true}}`:
    every field left out keeps its value. The fields are those of `UserChangesDict`, the spec's `UserChanges`
    (an unknown one's TypeError lists them). Another name, None (no field can be cleared to null; `last_name=""`
    empties the last name) or a value of the wrong type raises TypeError naming it, and nothing is sent. With no
    field at all it sends an empty `user`, which changes nothing, and returns the user.

    Errors: NotFoundError (no such user), ValidationError (422, e.g. `.errors == {"email_address": ["has
    already been taken"]}`), PermissionDeniedError with `.error_code` `forbidden` or `last_administrator` (taking
    the administrator flag from the account's last administrator). A caller who may manage users but is not an
    administrator gets the admin-only flags ignored, not refused: compare the returned user with what was asked.
    A 429 is retried up to *rate_limit_retries* times, waiting what its Retry-After says. A lost answer raises
    OutcomeUnknownError with `safe_to_resend` True: the same change applied twice gives the same user.
    """
    body = changes_request("update_user", changes)
    return _UPDATE.call(client, rate_limit_retries, identifier=_identifier(identifier), body=body)


async def update_user_async(
    client: Client, identifier: UUID | str, *, rate_limit_retries: int = 0, **changes: Unpack[UserChangesDict]
) -> User:
    """The async form of `update_user`."""
    body = changes_request("update_user_async", changes)
    return await _UPDATE.call_async(client, rate_limit_retries, identifier=_identifier(identifier), body=body)


def resend_invitation(client: Client, identifier: UUID | str, *, rate_limit_retries: int = 0) -> None:
    """Send the invitation email again (POST /users/{identifier}/resend_invitation); a real email each time.

    AlreadyActivatedError (a ValidationError, 422) once the user has accepted the invitation: no email is sent;
    NotFoundError if there is no such user. A 429 is retried up to *rate_limit_retries* times, waiting what its
    Retry-After says (the server sent nothing then). A request whose outcome is unknown raises
    OutcomeUnknownError (`safe_to_resend` False) and is never re-sent: the email may have gone out.
    """
    _RESEND.call(client, rate_limit_retries, identifier=_identifier(identifier))


async def resend_invitation_async(client: Client, identifier: UUID | str, *, rate_limit_retries: int = 0) -> None:
    """The async form of `resend_invitation`."""
    await _RESEND.call_async(client, rate_limit_retries, identifier=_identifier(identifier))
