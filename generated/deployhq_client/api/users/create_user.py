from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_user_request import CreateUserRequest
from ...models.error import Error
from ...models.user import User
from ...models.validation_errors import ValidationErrors
from ...types import Response


def _get_kwargs(
    *,
    body: CreateUserRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/users",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | User | ValidationErrors | None:
    if response.status_code == 201:
        response_201 = User.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 413:
        response_413 = Error.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Error.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = ValidationErrors.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = Error.from_dict(response.json())

        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | User | ValidationErrors]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateUserRequest,
) -> Response[Error | User | ValidationErrors]:
    """Invite a user

     Invites a new user to the account and sends them an invitation email. The invited user
    must accept it and set a password before they can sign in, so a new user is not `activated`.

    Only an account administrator or a user with *Can manage users* may invite (else 403).
    When the caller is not an account administrator, the admin-only flags
    (`account_administrator` and the `can_*` capabilities) are forced to `false`.

    Unknown keys, at the top level or inside `user`, are ignored.

    Args:
        body (CreateUserRequest): The body of `POST /users`. All fields are wrapped in a `user`
            key.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | User | ValidationErrors]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: CreateUserRequest,
) -> Error | User | ValidationErrors | None:
    """Invite a user

     Invites a new user to the account and sends them an invitation email. The invited user
    must accept it and set a password before they can sign in, so a new user is not `activated`.

    Only an account administrator or a user with *Can manage users* may invite (else 403).
    When the caller is not an account administrator, the admin-only flags
    (`account_administrator` and the `can_*` capabilities) are forced to `false`.

    Unknown keys, at the top level or inside `user`, are ignored.

    Args:
        body (CreateUserRequest): The body of `POST /users`. All fields are wrapped in a `user`
            key.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | User | ValidationErrors
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateUserRequest,
) -> Response[Error | User | ValidationErrors]:
    """Invite a user

     Invites a new user to the account and sends them an invitation email. The invited user
    must accept it and set a password before they can sign in, so a new user is not `activated`.

    Only an account administrator or a user with *Can manage users* may invite (else 403).
    When the caller is not an account administrator, the admin-only flags
    (`account_administrator` and the `can_*` capabilities) are forced to `false`.

    Unknown keys, at the top level or inside `user`, are ignored.

    Args:
        body (CreateUserRequest): The body of `POST /users`. All fields are wrapped in a `user`
            key.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | User | ValidationErrors]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: CreateUserRequest,
) -> Error | User | ValidationErrors | None:
    """Invite a user

     Invites a new user to the account and sends them an invitation email. The invited user
    must accept it and set a password before they can sign in, so a new user is not `activated`.

    Only an account administrator or a user with *Can manage users* may invite (else 403).
    When the caller is not an account administrator, the admin-only flags
    (`account_administrator` and the `can_*` capabilities) are forced to `false`.

    Unknown keys, at the top level or inside `user`, are ignored.

    Args:
        body (CreateUserRequest): The body of `POST /users`. All fields are wrapped in a `user`
            key.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | User | ValidationErrors
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
