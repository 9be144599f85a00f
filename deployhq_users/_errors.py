"""Typed exceptions for every way a Users API call can fail.

DeployHQError
├── ConfigurationError          credentials or base URL missing or malformed
├── ConnectionFailedError       no connection could be made; nothing was sent
├── OutcomeUnknownError         the request may have reached the server, but no answer came back
├── UnexpectedResponseError     an answer the spec does not describe (odd status, non-JSON body)
└── APIError                    a documented error answer; .status_code, .message
    ├── BadRequestError         400, 413, 415: the request itself was malformed
    ├── AuthenticationError     401
    ├── PermissionDeniedError   403
    ├── NotFoundError           404
    ├── ValidationError         422; .errors maps each field to its messages
    ├── RateLimitedError        429; .retry_after in seconds
    └── ServerError             5xx

No message here ever carries a credential: they are built from status codes and response bodies only.
"""

from __future__ import annotations

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConnectionFailedError",
    "DeployHQError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PermissionDeniedError",
    "RateLimitedError",
    "ServerError",
    "UnexpectedResponseError",
    "ValidationError",
]


class DeployHQError(Exception):
    """Base class of every error this package raises."""


class ConfigurationError(DeployHQError):
    """The client cannot be built: a credential or the base URL is missing or malformed."""


class ConnectionFailedError(DeployHQError):
    """No connection to the server could be made, so nothing was sent; trying again is safe."""


class OutcomeUnknownError(DeployHQError):
    """The request was sent but no answer arrived (timeout, connection lost).

    For `invite_user` this means the invitation may or may not exist: it is never re-sent
    automatically, because every accepted invitation sends a real email. Check with `list_users`.
    """


class UnexpectedResponseError(DeployHQError):
    """The server answered with something the spec does not describe."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class APIError(DeployHQError):
    """A documented error answer from the API."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(f"{status_code}: {message}")
        self.status_code = status_code
        self.message = message


class BadRequestError(APIError):
    """400, 413 or 415: the body was not JSON, too large, or not sent as JSON."""


class AuthenticationError(APIError):
    """401: no credentials, or an email address and API key that do not match."""


class PermissionDeniedError(APIError):
    """403: the caller may not do this (inviting needs *Can manage users* or administrator)."""


class NotFoundError(APIError):
    """404: no user with this identifier."""


class ValidationError(APIError):
    """422: the server refused the values; `errors` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        summary = "; ".join(f"{field} {', '.join(messages)}" for field, messages in sorted(errors.items()))
        super().__init__(422, summary or "validation failed")


class RateLimitedError(APIError):
    """429: too many requests; `retry_after` says how many seconds to wait (None if not given)."""

    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(429, message)
        self.retry_after = retry_after


class ServerError(APIError):
    """5xx: the server failed."""
