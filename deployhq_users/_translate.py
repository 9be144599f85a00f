"""Turn what a call gets back (an error answer, or an exception from httpx) into this package's exceptions.

PYTEST_DONT_REWRITE: library code, its asserts only narrow types (CONTRIBUTING.md, "Assertion rewriting").
"""

from __future__ import annotations

import base64
import contextlib
import enum
import functools
import itertools
import json
import math
import os
import re
import socket
import ssl
from collections.abc import Iterator

import httpx

from . import _pieces
from ._errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConnectionFailedError,
    DeadlineExceededError,
    DeployHQError,
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    RateLimitedError,
    ResponseTooLargeError,
    ServerError,
    UnexpectedResponseError,
    ValidationError,
)

__all__ = [
    "Effect",
    "error_for",
    "excerpt",
    "failure",
    "misfit",
    "overdue",
    "reason",
    "redact",
    "shows_credentials",
    "safe_url",
    "too_large",
    "unexpected",
]


class Effect(enum.Enum):
    """What an operation does on the server, which decides what a lost answer means."""

    READS = "reads"
    """Changes nothing (GET): a lost answer is a ConnectionFailedError, and trying again is safe."""
    IDEMPOTENT = "idempotent"
    """Changes state, the same way however often it is sent (DELETE, PATCH): a lost answer is an
    OutcomeUnknownError with `safe_to_resend`."""
    SENDS_EMAIL = "sends an email"
    """Sends a real email each time it is accepted (inviting, resending an invitation): a lost answer is an
    OutcomeUnknownError that must not be re-sent blindly."""


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
# The spec's error bodies nest 2 levels deep. A body nested much deeper is shown as text: json.loads gives up
# with a RecursionError near 1,000 levels, and json.dumps of what it did load can fail a few frames further in.
_MAX_NESTING = 32
# Errors raised before a single byte of the request left this machine: retrying those is always safe.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
# How JSON may write a character besides \uXXXX (RFC 8259, section 7); PHP's json_encode writes "/" as "\/".
_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "/": "\\/", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


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


def _any_spelling(secret: str) -> str:
    """A pattern matching *secret* with any of its characters written as a JSON escape (`\\u0061`, `\\/`)."""
    spellings = []
    for char in secret:
        forms = [re.escape(char)]
        if ord(char) <= 0xFFFF:
            forms.append(rf"\\u(?i:{ord(char):04x})")
        if char in _JSON_ESCAPES:
            forms.append(re.escape(_JSON_ESCAPES[char]))
        spellings.append(f"(?:{'|'.join(forms)})")
    return "".join(spellings)


# The most of a server's text an error shows (an error page, a message, a field's errors): a hostile answer of 10 MB
# makes an error of a few lines, and cutting the credentials out of it stays quick.
_SHOWN = 2000
_MOST_FIELDS = 50
_MOST_MESSAGES = 20


@functools.lru_cache(maxsize=8)
def _pieces_pattern(secrets: tuple[str, ...]) -> re.Pattern[str] | None:
    """The pattern of every piece of *secrets* (`_pieces`), in any JSON spelling. Built once per set of credentials:
    a 422 answer asks for it once per field and message."""
    return _pieces.pattern(_pieces.pieces(secrets), spell=_any_spelling)


def redact(text: str, request: httpx.Request) -> str:
    """*text*, cut to 2000 characters, with every credential of *request*, and every run of 8-character pieces of one,
    replaced by [hidden] (a server may echo them in an error page), in any letter case, also where a JSON body spells
    some of its characters as escapes: the text is matched as it would read decoded.
    """
    if len(text) > _SHOWN:
        text = text[:_SHOWN] + "…"
    return _pieces.cut(text, _pieces_pattern(tuple(_secrets(request))), "[hidden]")


def shows_credentials(error: BaseException, request: httpx.Request) -> bool:
    """Whether *error*, or an exception behind it, says 8 characters or more of *request*'s credentials: h11 puts a
    malformed header line in its error, key and all, and a traceback prints every exception of the chain."""
    pattern = _pieces_pattern(tuple(_secrets(request)))
    return pattern is not None and any(
        pattern.search(str(current)) or pattern.search(repr(current.args)) for _, current in _behind(error)
    )


def excerpt(response: httpx.Response) -> str:
    """The body as one line of text, credentials cut out, at most 200 characters; "" for an empty body."""
    try:
        text = response.text
    # LookupError: a charset Python does not know; UnicodeError: one its codec refuses whatever the error handler
    # (utf-16 without a byte-order mark).
    except (LookupError, UnicodeError):
        text = response.content.decode("utf-8", "replace")
    # Credentials first: joining white space could otherwise change a key that has some.
    text = " ".join(redact(text, response.request).split())
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 1] + "…"


def _loads(response: httpx.Response) -> object:
    """The body decoded as JSON; ValueError if it is not JSON, RecursionError if it is nested too deeply."""
    return json.loads(response.content)


def _nested_at_most(value: object, levels: int) -> bool:
    """Whether arrays and objects in *value* go at most *levels* deep (walked without recursion)."""
    pending = [(value, 1)]
    while pending:
        current, depth = pending.pop()
        children = current.values() if isinstance(current, dict) else current if isinstance(current, list) else None
        if children is None:
            continue
        if depth > levels:
            return False
        pending.extend((child, depth + 1) for child in children)
    return True


def _json(response: httpx.Response) -> object:
    """The body decoded as JSON; None if it is not JSON, or nests too deeply to be handled as such."""
    try:
        body = _loads(response)
    except (ValueError, RecursionError):  # ValueError: not JSON, or not UTF-8/16/32
        return None
    return body if _nested_at_most(body, _MAX_NESTING) else None


def _field_errors(body: object, request: httpx.Request) -> dict[str, list[str]]:
    """A 422 body read as Rails-style {field: [messages]}, as far as it goes, credentials cut out."""
    if not isinstance(body, dict):
        return {}
    # The status code repeated, as in the spec's other error bodies, is no field.
    body = {field: value for field, value in body.items() if not (field == "status" and isinstance(value, int))}

    def text(item: object) -> str:
        return redact(item if isinstance(item, str) else json.dumps(item), request)

    # As many fields, and messages a field, as a person reads: a hostile 422 of thousands stays a short error.
    return {
        text(field): [text(item) for item in messages[:_MOST_MESSAGES]]
        if isinstance(messages, list)
        else [text(messages)]
        for field, messages in itertools.islice(body.items(), _MOST_FIELDS)
    }


def _json_kind(value: object) -> str:
    """What *value*, decoded from JSON, is in JSON's words."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    return "null" if value is None else "a number"


def misfit(response: httpx.Response, error: Exception, returns: type) -> str:
    """Why a 2xx body, whose parsing as *returns* raised *error*, is not what the spec says: for `unexpected`."""
    try:
        body = _loads(response)
    except RecursionError:
        return "with JSON nested too deeply to read"
    except ValueError:
        return "with a body that is not JSON"
    wanted = "an array" if returns is list else "an object"
    items = body if isinstance(body, list) and returns is list else []
    odd = next((index for index, item in enumerate(items) if not isinstance(item, dict)), None)
    if _json_kind(body) != wanted:
        detail = f"{_json_kind(body)} where the spec has {wanted}"
    elif odd is not None:
        detail = f"item {odd} is {_json_kind(items[odd])} where the spec has an object"
    elif isinstance(error, KeyError):
        detail = f"no {error.args[0]!r} field"
    else:  # e.g. an identifier that is no UUID: "ValueError: badly formed hexadecimal UUID string"
        detail = f"{type(error).__name__}: {error}"
    return f"with JSON the spec does not describe ({redact(detail, response.request)})"


def error_for(
    response: httpx.Response, *, operation: str, missing: str, invalid: type[ValidationError] = ValidationError
) -> DeployHQError:
    """The typed exception for an answer that is not a 2xx: chosen by status code first, then the body read.

    *operation* starts the text; *missing* says what a 404 means for it ("no user with identifier ...");
    *invalid* is what its 422 raises.
    """
    status = response.status_code
    reason_phrase = redact(response.reason_phrase, response.request)
    body = _json(response)
    fields = body if isinstance(body, dict) else {}
    documented = isinstance(fields.get("error"), str)
    raw = excerpt(response)
    # The spec's shape, or the vendor's 403 shape, gives its `error`; any other body is shown as it came.
    if documented:
        message = redact(fields["error"], response.request)
    elif fields and set(fields) <= _SPEC_ERROR_KEYS:
        message = reason_phrase
    else:
        message = raw or reason_phrase
    code = fields.get("error_code")
    error_code = redact(code, response.request) if isinstance(code, str) else None
    if status == 422:
        errors = _field_errors(body, response.request)
        return invalid(errors, message if documented or not errors else None, context=operation)
    if status == 429:
        return RateLimitedError(message, _retry_after(response), context=operation, error_code=error_code)
    if 500 <= status <= 599:
        return ServerError(status, message, context=operation, error_code=error_code)
    if status in _ERROR_CLASSES:
        context = f"{operation}: {missing}" if status == 404 else operation
        return _ERROR_CLASSES[status](status, message, context=context, error_code=error_code)
    # e.g. a redirect, a 409, a 418: not an APIError, which stands for an answer the spec describes.
    return unexpected(response, "which the spec does not describe", operation=operation)


def unexpected(response: httpx.Response, problem: str, *, operation: str) -> UnexpectedResponseError:
    """An answer the spec does not describe: a status no exception stands for, or an undocumented 2xx or body."""
    reason_phrase = redact(response.reason_phrase, response.request)
    return UnexpectedResponseError(
        f"{operation}: the server answered {response.status_code} {reason_phrase} {problem}: "
        f"{excerpt(response) or '(no body)'}",
        status_code=response.status_code,
    )


def safe_url(url: httpx.URL) -> str:
    """*url* without user info, which may hold a key (the generated Client accepts user:key@host)."""
    return str(url.copy_with(username=None, password=None))


def _behind(error: BaseException) -> Iterator[tuple[int, BaseException]]:
    """*error* and every exception behind it (causes, contexts, the members of exception groups), each once, with
    how deep it lies."""
    seen: set[int] = set()
    pending: list[tuple[int, BaseException]] = [(0, error)]
    while pending:
        depth, current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield depth, current
        inner = [*getattr(current, "exceptions", ()), current.__context__, current.__cause__]
        pending.extend((depth + 1, cause) for cause in inner if isinstance(cause, BaseException))


def _os_error(error: BaseException) -> OSError | None:
    """The deepest OSError with an errno among the causes of *error* (exception groups included)."""
    found: tuple[int, OSError] | None = None
    for depth, current in _behind(error):
        if isinstance(current, OSError) and current.errno is not None and (found is None or depth > found[0]):
            found = (depth, current)
    return found[1] if found else None


def reason(error: BaseException, request: httpx.Request) -> str:
    """Why a request failed, as the operating system puts it when it is the OS' doing."""
    found = _os_error(error)
    if isinstance(found, socket.gaierror):
        text = found.strerror or str(found)  # "Name or service not known"
    elif found is not None and not isinstance(found, ssl.SSLError) and found.errno and found.errno > 0:
        # asyncio words a refusal "Connect call failed (host, port)"; the errno's own text is the same everywhere.
        text = os.strerror(found.errno)
    else:
        text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return redact(text, request)


def failure(
    error: httpx.RequestError, request: httpx.Request, *, operation: str, effect: Effect, advice: str = ""
) -> DeployHQError:
    """The typed exception for a request that got no answer; what it means depends on what the call does.

    *advice* ends the text of a lost email-sending request: how to find out whether it was accepted.
    """
    url = safe_url(request.url)
    why = reason(error, request)
    if isinstance(error, _NOT_SENT):
        return ConnectionFailedError(f"{operation}: could not connect to {url}: {why}; nothing was sent")
    lost = f"{operation}: {request.method} {url} was sent but no answer arrived ({why}); "
    if effect is Effect.READS:
        return ConnectionFailedError(lost + "it changes nothing, so trying again is safe")
    if effect is Effect.IDEMPOTENT:
        return OutcomeUnknownError(lost + "it may have been applied; sending it again is safe", safe_to_resend=True)
    return OutcomeUnknownError(
        lost + "it may have been accepted, and each time it is it sends an email, so it was not re-sent. " + advice
    )


def overdue(
    seconds: float,
    request: httpx.Request,
    response: httpx.Response | None,
    *,
    operation: str,
    effect: Effect,
    advice: str = "",
) -> DeadlineExceededError:
    """The typed exception for a request whose whole answer did not arrive within *seconds*."""
    url = safe_url(request.url)
    if response is None:
        what = f"was sent but no answer arrived within {seconds:g} s"
    else:
        what = f"was sent and its answer began ({response.status_code}), but did not end within {seconds:g} s"
    lost = f"{operation}: {request.method} {url} {what}; "
    if effect is Effect.READS:
        return DeadlineExceededError(lost + "it changes nothing, so trying again is safe", safe_to_resend=True)
    if effect is Effect.IDEMPOTENT:
        return DeadlineExceededError(lost + "it may have been applied; sending it again is safe", safe_to_resend=True)
    return DeadlineExceededError(
        lost + "it may have been accepted, and each time it is it sends an email, so it was not re-sent. " + advice
    )


def too_large(response: httpx.Response, limit: int, *, operation: str) -> ResponseTooLargeError:
    """The typed exception for an answer over *limit* bytes, dropped unread."""
    reason_phrase = redact(response.reason_phrase, response.request)
    done = " (a success: what was asked was done)" if response.is_success else ""
    return ResponseTooLargeError(
        f"{operation}: {response.request.method} {safe_url(response.request.url)} answered {response.status_code} "
        f"{reason_phrase}{done} with a body over {limit} bytes, the most this client reads "
        "(connect(max_answer_bytes=...)); it was dropped",
        status_code=response.status_code,
    )
