"""Turn what a call gets back (an error answer, or an exception from httpx) into this package's exceptions."""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import httpx

from deployhq_client.models import Error, ValidationErrors
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

__all__ = ["Effect", "raise_for", "translated"]


class Effect(enum.Enum):
    """What an operation does on the server, which decides what a lost answer means."""

    READS = "reads"
    """Changes nothing (GET): a lost answer is a ConnectionFailedError, and trying again is safe."""
    IDEMPOTENT = "idempotent"
    """Changes state, the same way however often it is sent (DELETE, PATCH)."""
    SENDS_EMAIL = "sends an email"
    """Sends a real email each time it is accepted (inviting, resending an invitation): never re-sent."""


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


def raise_for(response: Response[Any]) -> NoReturn:
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
def translated(operation: str, effect: Effect) -> Iterator[None]:
    """Turn transport and parsing failures into this package's exceptions."""
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
    except (ValueError, KeyError, TypeError) as error:  # json.JSONDecodeError is a ValueError
        kind = (
            "a body that is not JSON"
            if isinstance(error, json.JSONDecodeError)
            else "an answer the spec does not describe"
        )
        raise UnexpectedResponseError(f"{operation}: the server sent {kind} ({error})") from None
