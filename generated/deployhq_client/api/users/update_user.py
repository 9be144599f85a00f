from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.coded_error import CodedError
from ...models.error import Error
from ...models.update_user_request import UpdateUserRequest
from ...models.user import User
from ...models.validation_errors import ValidationErrors
from ...types import Response


def _get_kwargs(
    identifier: UUID,
    *,
    body: UpdateUserRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/users/{identifier}".format(
            identifier=quote(str(identifier), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CodedError | Error | User | ValidationErrors | None:
    if response.status_code == 200:
        response_200 = User.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = CodedError.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

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
) -> Response[CodedError | Error | User | ValidationErrors]:
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
    body: UpdateUserRequest,
) -> Response[CodedError | Error | User | ValidationErrors]:
    """Update a user

     Changes the fields sent in `user` and nothing else: every field left out keeps its value
    (no default is applied, unlike an invitation). The answer is the whole user after the change.

    Values are checked as for an invitation: a blank `first_name`, a malformed address, an address
    that another user of the account already has (compared case-insensitively; the user's own
    address, in any letter case, is not a duplicate), a time zone that is not an IANA name, a flag
    that is not a boolean: 422 naming the field, and nothing changes. Unknown keys are ignored, so
    `id`, `identifier` and `activated` cannot be changed. An empty `user` object changes nothing
    and answers 200.

    Only account administrators may change permission flags: when the caller may manage users but
    is not an administrator, the admin-only flags (`account_administrator` and the `can_*`
    capabilities) it sends are ignored and keep their values, as an invitation by such a caller gets
    them forced to `false`. Taking `account_administrator` away from the account's last activated
    administrator is 403 with `error_code` `last_administrator`, and nothing changes: an account
    always keeps an administrator who can sign in. An administrator invited but not yet activated
    does not count, and can lose the flag like any other user. (DeployHQ's update page says only
    that the last account administrator cannot be removed; the status, body and the rule about
    invited administrators are decisions of this contract.)

    An account administrator's `email_address` is for account administrators to change: from any
    other caller, a different address for an administrator is 403 with `error_code` `forbidden`,
    and nothing changes. A user's API key belongs to that user, not to an address, so no change of
    addresses lets one user's key sign in as another. The caller's permission is checked again in
    the transaction that makes the change: a caller removed or demoted while its request was still
    arriving gets 401 or 403, and nothing changes.

    Args:
        identifier (UUID):
        body (UpdateUserRequest): The body of `PATCH` and `PUT /users/{identifier}`. All fields
            are wrapped in a `user` key.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CodedError | Error | User | ValidationErrors]
    """

    kwargs = _get_kwargs(
        identifier=identifier,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    identifier: UUID,
    *,
    client: AuthenticatedClient | Client,
    body: UpdateUserRequest,
) -> CodedError | Error | User | ValidationErrors | None:
    """Update a user

     Changes the fields sent in `user` and nothing else: every field left out keeps its value
    (no default is applied, unlike an invitation). The answer is the whole user after the change.

    Values are checked as for an invitation: a blank `first_name`, a malformed address, an address
    that another user of the account already has (compared case-insensitively; the user's own
    address, in any letter case, is not a duplicate), a time zone that is not an IANA name, a flag
    that is not a boolean: 422 naming the field, and nothing changes. Unknown keys are ignored, so
    `id`, `identifier` and `activated` cannot be changed. An empty `user` object changes nothing
    and answers 200.

    Only account administrators may change permission flags: when the caller may manage users but
    is not an administrator, the admin-only flags (`account_administrator` and the `can_*`
    capabilities) it sends are ignored and keep their values, as an invitation by such a caller gets
    them forced to `false`. Taking `account_administrator` away from the account's last activated
    administrator is 403 with `error_code` `last_administrator`, and nothing changes: an account
    always keeps an administrator who can sign in. An administrator invited but not yet activated
    does not count, and can lose the flag like any other user. (DeployHQ's update page says only
    that the last account administrator cannot be removed; the status, body and the rule about
    invited administrators are decisions of this contract.)

    An account administrator's `email_address` is for account administrators to change: from any
    other caller, a different address for an administrator is 403 with `error_code` `forbidden`,
    and nothing changes. A user's API key belongs to that user, not to an address, so no change of
    addresses lets one user's key sign in as another. The caller's permission is checked again in
    the transaction that makes the change: a caller removed or demoted while its request was still
    arriving gets 401 or 403, and nothing changes.

    Args:
        identifier (UUID):
        body (UpdateUserRequest): The body of `PATCH` and `PUT /users/{identifier}`. All fields
            are wrapped in a `user` key.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CodedError | Error | User | ValidationErrors
    """

    return sync_detailed(
        identifier=identifier,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    identifier: UUID,
    *,
    client: AuthenticatedClient | Client,
    body: UpdateUserRequest,
) -> Response[CodedError | Error | User | ValidationErrors]:
    """Update a user

     Changes the fields sent in `user` and nothing else: every field left out keeps its value
    (no default is applied, unlike an invitation). The answer is the whole user after the change.

    Values are checked as for an invitation: a blank `first_name`, a malformed address, an address
    that another user of the account already has (compared case-insensitively; the user's own
    address, in any letter case, is not a duplicate), a time zone that is not an IANA name, a flag
    that is not a boolean: 422 naming the field, and nothing changes. Unknown keys are ignored, so
    `id`, `identifier` and `activated` cannot be changed. An empty `user` object changes nothing
    and answers 200.

    Only account administrators may change permission flags: when the caller may manage users but
    is not an administrator, the admin-only flags (`account_administrator` and the `can_*`
    capabilities) it sends are ignored and keep their values, as an invitation by such a caller gets
    them forced to `false`. Taking `account_administrator` away from the account's last activated
    administrator is 403 with `error_code` `last_administrator`, and nothing changes: an account
    always keeps an administrator who can sign in. An administrator invited but not yet activated
    does not count, and can lose the flag like any other user. (DeployHQ's update page says only
    that the last account administrator cannot be removed; the status, body and the rule about
    invited administrators are decisions of this contract.)

    An account administrator's `email_address` is for account administrators to change: from any
    other caller, a different address for an administrator is 403 with `error_code` `forbidden`,
    and nothing changes. A user's API key belongs to that user, not to an address, so no change of
    addresses lets one user's key sign in as another. The caller's permission is checked again in
    the transaction that makes the change: a caller removed or demoted while its request was still
    arriving gets 401 or 403, and nothing changes.

    Args:
        identifier (UUID):
        body (UpdateUserRequest): The body of `PATCH` and `PUT /users/{identifier}`. All fields
            are wrapped in a `user` key.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CodedError | Error | User | ValidationErrors]
    """

    kwargs = _get_kwargs(
        identifier=identifier,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    identifier: UUID,
    *,
    client: AuthenticatedClient | Client,
    body: UpdateUserRequest,
) -> CodedError | Error | User | ValidationErrors | None:
    """Update a user

     Changes the fields sent in `user` and nothing else: every field left out keeps its value
    (no default is applied, unlike an invitation). The answer is the whole user after the change.

    Values are checked as for an invitation: a blank `first_name`, a malformed address, an address
    that another user of the account already has (compared case-insensitively; the user's own
    address, in any letter case, is not a duplicate), a time zone that is not an IANA name, a flag
    that is not a boolean: 422 naming the field, and nothing changes. Unknown keys are ignored, so
    `id`, `identifier` and `activated` cannot be changed. An empty `user` object changes nothing
    and answers 200.

    Only account administrators may change permission flags: when the caller may manage users but
    is not an administrator, the admin-only flags (`account_administrator` and the `can_*`
    capabilities) it sends are ignored and keep their values, as an invitation by such a caller gets
    them forced to `false`. Taking `account_administrator` away from the account's last activated
    administrator is 403 with `error_code` `last_administrator`, and nothing changes: an account
    always keeps an administrator who can sign in. An administrator invited but not yet activated
    does not count, and can lose the flag like any other user. (DeployHQ's update page says only
    that the last account administrator cannot be removed; the status, body and the rule about
    invited administrators are decisions of this contract.)

    An account administrator's `email_address` is for account administrators to change: from any
    other caller, a different address for an administrator is 403 with `error_code` `forbidden`,
    and nothing changes. A user's API key belongs to that user, not to an address, so no change of
    addresses lets one user's key sign in as another. The caller's permission is checked again in
    the transaction that makes the change: a caller removed or demoted while its request was still
    arriving gets 401 or 403, and nothing changes.

    Args:
        identifier (UUID):
        body (UpdateUserRequest): The body of `PATCH` and `PUT /users/{identifier}`. All fields
            are wrapped in a `user` key.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CodedError | Error | User | ValidationErrors
    """

    return (
        await asyncio_detailed(
            identifier=identifier,
            client=client,
            body=body,
        )
    ).parsed
