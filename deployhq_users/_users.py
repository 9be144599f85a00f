"""Call the Users API through the generated client and turn every failure into a typed exception."""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar
from uuid import UUID

import httpx
import stamina

from deployhq_client import Client
from deployhq_client.api.users import create_user
from deployhq_client.api.users import delete_user as _delete
from deployhq_client.api.users import get_user as _get
from deployhq_client.api.users import list_users as _list
from deployhq_client.models import CreateUserRequest, Deleted, Error, User, UserInvitation, ValidationErrors
from deployhq_client.types import Response

from ._errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConnectionFailedError,
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    UnexpectedResponseError,
    ValidationError,
)

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

T = TypeVar("T")

_ERROR_CLASSES: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    413: BadRequestError,
    415: BadRequestError,
}
# Errors raised before a single byte of the request left this machine: retrying those is always safe.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def _retry_after(response: Response[Any]) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None  # an HTTP date; the caller falls back to its own backoff
    # "inf" or "nan" parse as floats but are no wait at all: time.sleep(inf) raises OverflowError.
    return max(0.0, seconds) if seconds is not None and math.isfinite(seconds) else None


def _error_field(content: bytes) -> str:
    """The `error` of an Error-shaped JSON body, else ""."""
    try:
        body = json.loads(content)
    except ValueError:
        return ""
    return body["error"] if isinstance(body, dict) and isinstance(body.get("error"), str) else ""


def _raise_for(response: Response[Any]) -> NoReturn:
    """Raise the typed exception for a non-success answer."""
    status = int(response.status_code)
    parsed = response.parsed
    if status == 422 and isinstance(parsed, ValidationErrors):
        raise ValidationError(dict(parsed.additional_properties))
    message = parsed.error if isinstance(parsed, Error) and isinstance(parsed.error, str) else ""
    message = message or _error_field(response.content)  # a status this operation does not document (503 ...)
    message = message or response.content[:200].decode("utf-8", "replace") or response.status_code.phrase
    if status == 429:
        raise RateLimitedError(message, _retry_after(response))
    if status >= 500:
        raise ServerError(status, message)
    if status not in _ERROR_CLASSES:
        # e.g. a 200 instead of 201, or a 418: not an APIError, which is a *documented* error answer.
        raise UnexpectedResponseError(
            f"the server answered {status} {response.status_code.phrase}, which the spec does not describe: {message}",
            status_code=status,
        )
    raise _ERROR_CLASSES[status](status, message)


@contextmanager
def _translated(operation: str, *, idempotent: bool) -> Iterator[None]:
    """Turn transport and parsing failures into this package's exceptions."""
    try:
        yield
    except _NOT_SENT as error:
        raise ConnectionFailedError(
            f"{operation}: could not connect ({type(error).__name__}); nothing was sent"
        ) from None
    except httpx.TransportError as error:
        if idempotent:
            raise ConnectionFailedError(f"{operation}: the connection failed ({type(error).__name__})") from None
        raise OutcomeUnknownError(
            f"{operation}: the request was sent but no answer arrived ({type(error).__name__}); "
            "it may have been accepted, so it was not re-sent. Check with list_users before trying again."
        ) from None
    except (ValueError, KeyError, TypeError) as error:  # json.JSONDecodeError is a ValueError
        kind = (
            "a body that is not JSON"
            if isinstance(error, json.JSONDecodeError)
            else "an answer the spec does not describe"
        )
        raise UnexpectedResponseError(f"{operation}: the server sent {kind} ({error})") from None


def _rate_limit_backoff(error: Exception) -> bool | float:
    """stamina hook: retry only 429s, waiting what Retry-After asks for."""
    if isinstance(error, RateLimitedError):
        return error.retry_after if error.retry_after is not None else True
    return False


def _with_rate_limit_retries(call: Callable[[], T], retries: int) -> T:
    if retries <= 0:
        return call()
    for attempt in stamina.retry_context(on=_rate_limit_backoff, attempts=retries + 1, timeout=None):
        with attempt:
            return call()
    raise AssertionError("unreachable: stamina re-raises the last error")  # pragma: no cover


async def _with_rate_limit_retries_async(call: Callable[[], Awaitable[T]], retries: int) -> T:
    if retries <= 0:
        return await call()
    async for attempt in stamina.retry_context(on=_rate_limit_backoff, attempts=retries + 1, timeout=None):
        with attempt:
            return await call()
    raise AssertionError("unreachable: stamina re-raises the last error")  # pragma: no cover


def _identifier(identifier: UUID | str) -> UUID:
    """The caller's identifier as a UUID; a malformed one is the caller's error, raised before sending."""
    try:
        return UUID(str(identifier))
    except ValueError:
        raise ValueError(f"identifier {identifier!r} is not a UUID (a user's `identifier`)") from None


def _expect(response: Response[Any], kind: type[T]) -> T:
    if isinstance(response.parsed, kind):
        return response.parsed
    _raise_for(response)


def invite_user(client: Client, invitation: UserInvitation, *, rate_limit_retries: int = 0) -> User:
    """Invite a user (POST /users) and return the created user; sends a real invitation email.

    Only a 429 is ever retried (the server refused it, so nothing was created), and only when
    *rate_limit_retries* > 0. A request whose outcome is unknown raises OutcomeUnknownError.
    """

    def call() -> User:
        with _translated("invite_user", idempotent=False):
            response = create_user.sync_detailed(client=client, body=CreateUserRequest(user=invitation))
        return _expect(response, User)

    return _with_rate_limit_retries(call, rate_limit_retries)


async def invite_user_async(client: Client, invitation: UserInvitation, *, rate_limit_retries: int = 0) -> User:
    """The async form of `invite_user`."""

    async def call() -> User:
        with _translated("invite_user", idempotent=False):
            response = await create_user.asyncio_detailed(client=client, body=CreateUserRequest(user=invitation))
        return _expect(response, User)

    return await _with_rate_limit_retries_async(call, rate_limit_retries)


def get_user(client: Client, identifier: UUID | str) -> User:
    """Read one user (GET /users/{identifier})."""
    uuid = _identifier(identifier)
    with _translated("get_user", idempotent=True):
        response = _get.sync_detailed(identifier=uuid, client=client)
    return _expect(response, User)


async def get_user_async(client: Client, identifier: UUID | str) -> User:
    """The async form of `get_user`."""
    uuid = _identifier(identifier)
    with _translated("get_user", idempotent=True):
        response = await _get.asyncio_detailed(identifier=uuid, client=client)
    return _expect(response, User)


def delete_user(client: Client, identifier: UUID | str) -> None:
    """Remove one user (DELETE /users/{identifier})."""
    uuid = _identifier(identifier)
    with _translated("delete_user", idempotent=True):
        response = _delete.sync_detailed(identifier=uuid, client=client)
    _expect(response, Deleted)


async def delete_user_async(client: Client, identifier: UUID | str) -> None:
    """The async form of `delete_user`."""
    uuid = _identifier(identifier)
    with _translated("delete_user", idempotent=True):
        response = await _delete.asyncio_detailed(identifier=uuid, client=client)
    _expect(response, Deleted)


def list_users(client: Client) -> list[User]:
    """Every user of the account (GET /users)."""
    with _translated("list_users", idempotent=True):
        response = _list.sync_detailed(client=client)
    return _expect(response, list)


async def list_users_async(client: Client) -> list[User]:
    """The async form of `list_users`."""
    with _translated("list_users", idempotent=True):
        response = await _list.asyncio_detailed(client=client)
    return _expect(response, list)
