"""Typed exceptions for every way a Users API call can fail.

DeployHQError
├── ConfigurationError          credentials or base URL missing or malformed
├── InvalidIdentifierError      an identifier that is not a UUID (also a ValueError); nothing was sent
├── ClientUnusableError         the client was closed, or belongs to another event loop; nothing was sent
├── ConnectionFailedError       no connection could be made; nothing was sent
├── OutcomeUnknownError         the request may have reached the server, but no answer came back
│   └── DeadlineExceededError   no whole answer within connect(deadline=...) seconds
├── UnexpectedResponseError     an answer the spec does not describe (a status with no class below,
│   │                           e.g. 301, 409, or a success whose body is not the documented JSON)
│   └── ResponseTooLargeError   an answer over connect(max_answer_bytes=...) bytes, dropped unread
└── APIError                    an error answer, typed by its status whatever its body; .status_code,
    │                           .message, .error_code
    ├── BadRequestError         400, 413, 415: the request itself was malformed
    ├── AuthenticationError     401
    ├── PermissionDeniedError   403
    ├── NotFoundError           404
    ├── ValidationError         422; .errors maps each field to its messages
    │   └── AlreadyActivatedError   422 to resend_invitation: the user has accepted; no email was sent
    ├── RateLimitedError        429; .retry_after in seconds
    └── ServerError             5xx

No message here ever carries a credential: they are built from status codes, URLs without user info and
response bodies, with the request's own credentials cut out of the bodies.

PYTEST_DONT_REWRITE: library code, its asserts only narrow types (CONTRIBUTING.md, "Assertion rewriting").
"""

from __future__ import annotations

__all__ = [
    "APIError",
    "AlreadyActivatedError",
    "AuthenticationError",
    "BadRequestError",
    "ClientUnusableError",
    "ConfigurationError",
    "ConnectionFailedError",
    "DeadlineExceededError",
    "DeployHQError",
    "InvalidIdentifierError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PermissionDeniedError",
    "RateLimitedError",
    "ResponseTooLargeError",
    "ServerError",
    "UnexpectedResponseError",
    "ValidationError",
]


class DeployHQError(Exception):
    """Base class of every error this package raises."""


class ConfigurationError(DeployHQError):
    """The client cannot be built: a credential or the base URL is missing or malformed; nothing was sent.

    `connect()` raises it; so does a call on a `Client` built without it whose base URL httpx refuses or whose host
    no lookup takes (`http://a..b`).
    """


class InvalidIdentifierError(DeployHQError, ValueError):
    """A user's identifier given to a call is not a UUID, so nothing was sent.

    Also a ValueError, as it was before it had a class of its own: `except ValueError` still catches it.
    """


class ClientUnusableError(DeployHQError):
    """The client cannot send from here, so nothing was sent: it was closed (its `with` / `async with` block ended,
    or `close()` / `aclose()` was called), or its async httpx client belongs to another event loop.

    A `connect()` client gives each event loop its own async httpx client, so only a client built another way
    (or one given an async httpx client with `set_async_httpx_client`) meets the second case.
    """


class ConnectionFailedError(DeployHQError):
    """No connection to the server could be made, so nothing was sent; or a read lost its answer.

    Either way nothing changed on the server and trying again is safe. The message names the URL and
    the operating system's reason ("Connection refused", "Name or service not known", ...).
    """


class OutcomeUnknownError(DeployHQError):
    """A request that changes something was sent, but no answer arrived (timeout, connection lost).

    The change may or may not have been made. `safe_to_resend` says whether sending it again is harmless
    (`delete_user`, `update_user`: True). For `invite_user` and `resend_invitation` it is False: each accepted
    request sends a real email, so it is never re-sent automatically. Check with `list_users` (an invitation)
    or with the person (a resent email) before trying again.
    """

    def __init__(self, message: str, *, safe_to_resend: bool = False) -> None:
        super().__init__(message)
        self.safe_to_resend = safe_to_resend


class DeadlineExceededError(OutcomeUnknownError):
    """No whole answer arrived within the client's deadline (`connect(deadline=...)`, 120 s by default), counted
    from sending to the answer's last byte, however slowly the server sent it.

    As for any lost answer, `safe_to_resend` says whether sending again is harmless; a read changes nothing.
    """


class UnexpectedResponseError(DeployHQError):
    """The server answered with something the spec does not describe."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class ResponseTooLargeError(UnexpectedResponseError):
    """The answer was larger than the client takes (`connect(max_answer_bytes=...)`, 10 MiB by default), so it
    was dropped unread; `status_code` is its status. A 2xx to a change means the change was made.
    """


class APIError(DeployHQError):
    """An error answer from the API, typed by its status code whatever its body looks like.

    `message` is the body's `error` when it has one, else the body itself (decoded, cut to 200 characters),
    else the status' reason phrase. `error_code` is the body's `error_code` (DeployHQ sends one with some 403s).
    Its text starts with the call and, for a 404, what was not found: `context`.
    """

    def __init__(self, status_code: int, message: str, *, context: str = "", error_code: str | None = None) -> None:
        code = f" (error code {error_code})" if error_code else ""
        text = f"{status_code} {message}{code}"
        # e.g. "get_user: no user with identifier 3f2c...: 404 Not found"
        super().__init__(f"{context}: {text}" if context else text)
        self.status_code = status_code
        self.message = message
        self.error_code = error_code


class BadRequestError(APIError):
    """400, 413 or 415: the body was not JSON, too large, or not sent as JSON."""


class AuthenticationError(APIError):
    """401: no credentials, or an email address and API key that do not match."""


class PermissionDeniedError(APIError):
    """403: the caller may not do this (inviting needs *Can manage users* or administrator).

    `error_code` names the reason when DeployHQ gives one: its 403s to `update_user`, `delete_user` and
    `resend_invitation` carry `forbidden` (the caller may not manage users) or `last_administrator` (the change
    would leave the account without an administrator); codes not listed here may come too.
    """


class NotFoundError(APIError):
    """404: no user with this identifier."""


class ValidationError(APIError):
    """422: the server refused the values; `errors` maps each field to its messages.

    A Rails-style body `{field: [messages]}` is `errors` as it is. Any other JSON object is read the same way,
    a value that is not a list of strings becoming a one-element list of its text:
    `{"error": "User already activated"}` gives `errors == {"error": ["User already activated"]}`
    and `message == "User already activated"`. A body that is not a JSON object gives `errors == {}`.
    """

    def __init__(self, errors: dict[str, list[str]], message: str | None = None, *, context: str = "") -> None:
        self.errors = errors
        summary = "; ".join(f"{field} {', '.join(messages)}" for field, messages in sorted(errors.items()))
        super().__init__(422, message or summary or "validation failed", context=context)


class AlreadyActivatedError(ValidationError):
    """422 to `resend_invitation`: the user has already accepted the invitation, so no email was sent.

    The spec gives resending no other 422, so every 422 it gets is this one, whatever the body
    (`{"error": "User already activated"}`: `errors == {"error": ["User already activated"]}`).
    A ValidationError, so `except ValidationError` catches it too.
    """


class RateLimitedError(APIError):
    """429: too many requests; `retry_after` says how many seconds to wait (None if not given)."""

    def __init__(
        self, message: str, retry_after: float | None, *, context: str = "", error_code: str | None = None
    ) -> None:
        super().__init__(429, message, context=context, error_code=error_code)
        self.retry_after = retry_after


class ServerError(APIError):
    """5xx (any, also one not in IANA's registry such as Cloudflare's 520): the server failed."""
