from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.already_activated import AlreadyActivated
from ...models.coded_error import CodedError
from ...models.error import Error
from ...models.invitation_resent import InvitationResent
from ...types import Response


def _get_kwargs(
    identifier: UUID,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/users/{identifier}/resend_invitation".format(
            identifier=quote(str(identifier), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AlreadyActivated | CodedError | Error | InvitationResent | None:
    if response.status_code == 200:
        response_200 = InvitationResent.from_dict(response.json())

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

    if response.status_code == 422:
        response_422 = AlreadyActivated.from_dict(response.json())

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
) -> Response[AlreadyActivated | CodedError | Error | InvitationResent]:
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
) -> Response[AlreadyActivated | CodedError | Error | InvitationResent]:
    """Resend an invitation

     Sends the invitation email again to a user who has not accepted it yet; nothing about the user
    changes. Once the user has accepted (`activated` is `true`) it is 422
    `{"error": "User already activated"}` and no email is sent. An identifier the account does not
    know is 404. The request has no body; one that is sent is ignored.

    The vendor's document names this operation `resendInvitationUserResendInvitation`, calls the
    path parameter `id` and lists no 404; this document uses a shorter name and documents the 404
    every `/users/{identifier}` operation has.

    Args:
        identifier (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AlreadyActivated | CodedError | Error | InvitationResent]
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
) -> AlreadyActivated | CodedError | Error | InvitationResent | None:
    """Resend an invitation

     Sends the invitation email again to a user who has not accepted it yet; nothing about the user
    changes. Once the user has accepted (`activated` is `true`) it is 422
    `{"error": "User already activated"}` and no email is sent. An identifier the account does not
    know is 404. The request has no body; one that is sent is ignored.

    The vendor's document names this operation `resendInvitationUserResendInvitation`, calls the
    path parameter `id` and lists no 404; this document uses a shorter name and documents the 404
    every `/users/{identifier}` operation has.

    Args:
        identifier (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AlreadyActivated | CodedError | Error | InvitationResent
    """

    return sync_detailed(
        identifier=identifier,
        client=client,
    ).parsed


async def asyncio_detailed(
    identifier: UUID,
    *,
    client: AuthenticatedClient | Client,
) -> Response[AlreadyActivated | CodedError | Error | InvitationResent]:
    """Resend an invitation

     Sends the invitation email again to a user who has not accepted it yet; nothing about the user
    changes. Once the user has accepted (`activated` is `true`) it is 422
    `{"error": "User already activated"}` and no email is sent. An identifier the account does not
    know is 404. The request has no body; one that is sent is ignored.

    The vendor's document names this operation `resendInvitationUserResendInvitation`, calls the
    path parameter `id` and lists no 404; this document uses a shorter name and documents the 404
    every `/users/{identifier}` operation has.

    Args:
        identifier (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AlreadyActivated | CodedError | Error | InvitationResent]
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
) -> AlreadyActivated | CodedError | Error | InvitationResent | None:
    """Resend an invitation

     Sends the invitation email again to a user who has not accepted it yet; nothing about the user
    changes. Once the user has accepted (`activated` is `true`) it is 422
    `{"error": "User already activated"}` and no email is sent. An identifier the account does not
    know is 404. The request has no body; one that is sent is ignored.

    The vendor's document names this operation `resendInvitationUserResendInvitation`, calls the
    path parameter `id` and lists no 404; this document uses a shorter name and documents the 404
    every `/users/{identifier}` operation has.

    Args:
        identifier (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AlreadyActivated | CodedError | Error | InvitationResent
    """

    return (
        await asyncio_detailed(
            identifier=identifier,
            client=client,
        )
    ).parsed
