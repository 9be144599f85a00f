from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.coded_error import CodedError
from ...models.deleted import Deleted
from ...models.error import Error
from ...types import Response


def _get_kwargs(
    identifier: UUID,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/users/{identifier}".format(
            identifier=quote(str(identifier), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CodedError | Deleted | Error | None:
    if response.status_code == 200:
        response_200 = Deleted.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = CodedError.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

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
) -> Response[CodedError | Deleted | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    identifier: UUID,
    *,
    client: AuthenticatedClient | Client,
) -> Response[CodedError | Deleted | Error]:
    """Remove a user

     Removes a user from the account. An identifier the account does not know is 404. Removing the
    account administrator is 403 `{"error": "Cannot remove the account administrator",
    "error_code": "forbidden"}` and the user stays (DeployHQ's remove-user page, April 2026).

    The page does not say who "the account administrator" is. This contract takes the literal
    reading of the field of that name: every user whose `account_administrator` is `true`, activated
    or only invited, is refused so. To remove one, first take the flag away with an update (refused
    for the account's last activated administrator), then remove the user: that order is a decision
    of this contract. Any other user can be removed by an administrator or a user who may manage
    users. A removed user can no longer sign in to the API, and comes back only through a new
    invitation.

    Args:
        identifier (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CodedError | Deleted | Error]
    """

    kwargs = _get_kwargs(
        identifier=identifier,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    identifier: UUID,
    *,
    client: AuthenticatedClient | Client,
) -> CodedError | Deleted | Error | None:
    """Remove a user

     Removes a user from the account. An identifier the account does not know is 404. Removing the
    account administrator is 403 `{"error": "Cannot remove the account administrator",
    "error_code": "forbidden"}` and the user stays (DeployHQ's remove-user page, April 2026).

    The page does not say who "the account administrator" is. This contract takes the literal
    reading of the field of that name: every user whose `account_administrator` is `true`, activated
    or only invited, is refused so. To remove one, first take the flag away with an update (refused
    for the account's last activated administrator), then remove the user: that order is a decision
    of this contract. Any other user can be removed by an administrator or a user who may manage
    users. A removed user can no longer sign in to the API, and comes back only through a new
    invitation.

    Args:
        identifier (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CodedError | Deleted | Error
    """

    return sync_detailed(
        identifier=identifier,
        client=client,
    ).parsed


async def asyncio_detailed(
    identifier: UUID,
    *,
    client: AuthenticatedClient | Client,
) -> Response[CodedError | Deleted | Error]:
    """Remove a user

     Removes a user from the account. An identifier the account does not know is 404. Removing the
    account administrator is 403 `{"error": "Cannot remove the account administrator",
    "error_code": "forbidden"}` and the user stays (DeployHQ's remove-user page, April 2026).

    The page does not say who "the account administrator" is. This contract takes the literal
    reading of the field of that name: every user whose `account_administrator` is `true`, activated
    or only invited, is refused so. To remove one, first take the flag away with an update (refused
    for the account's last activated administrator), then remove the user: that order is a decision
    of this contract. Any other user can be removed by an administrator or a user who may manage
    users. A removed user can no longer sign in to the API, and comes back only through a new
    invitation.

    Args:
        identifier (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CodedError | Deleted | Error]
    """

    kwargs = _get_kwargs(
        identifier=identifier,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    identifier: UUID,
    *,
    client: AuthenticatedClient | Client,
) -> CodedError | Deleted | Error | None:
    """Remove a user

     Removes a user from the account. An identifier the account does not know is 404. Removing the
    account administrator is 403 `{"error": "Cannot remove the account administrator",
    "error_code": "forbidden"}` and the user stays (DeployHQ's remove-user page, April 2026).

    The page does not say who "the account administrator" is. This contract takes the literal
    reading of the field of that name: every user whose `account_administrator` is `true`, activated
    or only invited, is refused so. To remove one, first take the flag away with an update (refused
    for the account's last activated administrator), then remove the user: that order is a decision
    of this contract. Any other user can be removed by an administrator or a user who may manage
    users. A removed user can no longer sign in to the API, and comes back only through a new
    invitation.

    Args:
        identifier (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CodedError | Deleted | Error
    """

    return (
        await asyncio_detailed(
            identifier=identifier,
            client=client,
        )
    ).parsed
