"""Turn what a call gets back (an error answer, or an exception from httpx) into this package's exceptions."""

from __future__ import annotations

import base64
import contextlib
import enum
import json
import math
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from ._errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConnectionFailedError,
    DeployHQError,
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    UnexpectedResponseError,
    ValidationError,
)

__all__ = ["Effect", "error_for", "excerpt", "redact", "translated", "unexpected_success"]


class Effect(enum.Enum):
    """What an operation does on the server, which decides what a lost answer means."""

    READS = "reads"
    """Changes nothing (GET): a lost answer is a ConnectionFailedError, and trying again is safe."""
    IDEMPOTENT = "idempotent"
    """Changes state, the same way however often it is sent (DELETE, PATCH)."""
    SENDS_EMAIL = "sends an email"
    """Sends a real email each time it is accepted (inviting, resending an invitation): never re-sent."""


# Status first: the class says what happened even when the body is an HTML page from a proxy, an empty 429,
# or the vendor's own off-spec 403 {"error", "error_code"} (documented for PUT, PATCH, DELETE and resend).
_ERROR_CLASSES: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    413: BadRequestError,
    415: BadRequestError,
}
_SPEC_ERROR_KEYS = {"status", "error", "error_code"}
_EXCERPT = 200
# Errors raised before a single byte of the request left this machine: retrying those is always safe.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None  # an HTTP date; the caller falls back to its own backoff
    # "inf" or "nan" parse as floats but are no wait at all: time.sleep(inf) raises OverflowError.
    return max(0.0, seconds) if seconds is not None and math.isfinite(seconds) else None


def _secrets(request: httpx.Request) -> list[str]:
    """The credentials this request carries: the Authorization token and, for Basic auth, the key inside it."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    found = [token]
    if scheme.lower() == "basic":
        with contextlib.suppress(ValueError):  # binascii.Error and UnicodeDecodeError are ValueErrors
            found.append(base64.b64decode(token, validate=True).decode().partition(":")[2])
    return [secret for secret in found if secret]


def redact(text: str, request: httpx.Request) -> str:
    """*text* with every credential of *request* replaced by [hidden] (a server may echo them in an error page)."""
    for secret in _secrets(request):
        text = text.replace(secret, "[hidden]")
    return text


def excerpt(response: httpx.Response) -> str:
    """The body as one line of text, credentials cut out, at most 200 characters; "" for an empty body."""
    try:
        text = response.text
    except LookupError:  # a charset Python does not know
        text = response.content.decode("utf-8", "replace")
    text = redact(" ".join(text.split()), response.request)
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 1] + "…"


def _json(response: httpx.Response) -> object:
    try:
        return json.loads(response.content)
    except ValueError:  # not JSON, or not UTF-8/16/32
        return None


def _field_errors(body: object) -> dict[str, list[str]]:
    """A 422 body read as Rails-style {field: [messages]}, as far as it goes."""
    if not isinstance(body, dict):
        return {}
    # The status code repeated, as in the spec's other error bodies, is no field.
    body = {field: value for field, value in body.items() if not (field == "status" and isinstance(value, int))}
    return {
        str(field): [item if isinstance(item, str) else json.dumps(item) for item in messages]
        if isinstance(messages, list)
        else [messages if isinstance(messages, str) else json.dumps(messages)]
        for field, messages in body.items()
    }


def error_for(response: httpx.Response) -> DeployHQError:
    """The typed exception for an answer that is not a 2xx: chosen by status code first, then the body read."""
    status = response.status_code
    body = _json(response)
    fields = body if isinstance(body, dict) else {}
    documented = isinstance(fields.get("error"), str)
    raw = excerpt(response)
    # The spec's shape, or the vendor's 403 shape, gives its `error`; any other body is shown as it came.
    if documented:
        message = redact(fields["error"], response.request)
    elif fields and set(fields) <= _SPEC_ERROR_KEYS:
        message = response.reason_phrase
    else:
        message = raw or response.reason_phrase
    code = fields.get("error_code")
    error_code = redact(code, response.request) if isinstance(code, str) else None
    if status == 422:
        errors = _field_errors(body)
        return ValidationError(errors, message if documented or not errors else None)
    if status == 429:
        return RateLimitedError(message, _retry_after(response), error_code=error_code)
    if 500 <= status <= 599:
        return ServerError(status, message, error_code=error_code)
    if status in _ERROR_CLASSES:
        return _ERROR_CLASSES[status](status, message, error_code=error_code)
    # e.g. a redirect, a 409, a 418: not an APIError, which stands for an answer the spec describes.
    return UnexpectedResponseError(
        f"the server answered {status} {response.reason_phrase}, which the spec does not describe: "
        f"{raw or '(no body)'}",
        status_code=status,
    )


def unexpected_success(response: httpx.Response, problem: str) -> UnexpectedResponseError:
    """A 2xx this operation does not expect, or one whose body is not what the spec says."""
    return UnexpectedResponseError(
        f"the server answered {response.status_code} {response.reason_phrase} {problem}: "
        f"{excerpt(response) or '(no body)'}",
        status_code=response.status_code,
    )


@contextmanager
def translated(operation: str, effect: Effect) -> Iterator[None]:
    """Turn the transport failures of sending a request into this package's exceptions."""
    try:
        yield
    except _NOT_SENT as error:
        raise ConnectionFailedError(
            f"{operation}: could not connect ({type(error).__name__}); nothing was sent"
        ) from None
    except httpx.TransportError as error:
        if effect is not Effect.SENDS_EMAIL:
            raise ConnectionFailedError(f"{operation}: the connection failed ({type(error).__name__})") from None
        raise OutcomeUnknownError(
            f"{operation}: the request was sent but no answer arrived ({type(error).__name__}); "
            "it may have been accepted, so it was not re-sent. Check with list_users before trying again."
        ) from None
