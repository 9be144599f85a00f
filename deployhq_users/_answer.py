"""Send a request and read its whole answer within a size and a time budget, whatever the server sends.

PYTEST_DONT_REWRITE: library code, its asserts only narrow types (CONTRIBUTING.md, "Assertion rewriting").
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import anyio
import httpx

from ._deadline import deadline

__all__ = [
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_ANSWER_BYTES",
    "DEFAULT_MAX_RETRY_WAIT",
    "Limits",
    "AnswerOverdueError",
    "AnswerTooLargeError",
    "receive",
    "receive_async",
]

# The largest answer the spec allows is a list of users: 10 MiB holds tens of thousands of them.
DEFAULT_MAX_ANSWER_BYTES = 10 * 1024 * 1024
# httpx's timeouts are per read, so a server sending a byte now and then is never timed out by them; this is
# the whole request's, from sending to the answer's last byte.
DEFAULT_DEADLINE = 120.0
# A Retry-After is the server's to choose; waiting out 86,400 would block a script for a day.
DEFAULT_MAX_RETRY_WAIT = 60.0


@dataclass(frozen=True)
class Limits:
    """What one request may cost: the answer's size in bytes (decoded), and its seconds from sending to the end."""

    max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES
    deadline: float = DEFAULT_DEADLINE
    max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT


class AnswerTooLargeError(Exception):
    """The answer (status *response*) went over *limit* bytes; what was read of it was dropped."""

    def __init__(self, response: httpx.Response, limit: int) -> None:
        super().__init__(limit)
        self.response = response
        self.limit = limit


class AnswerOverdueError(Exception):
    """No whole answer within *seconds*; *response* is the answer whose body was cut off, if its head came."""

    def __init__(self, seconds: float, response: httpx.Response | None) -> None:
        super().__init__(seconds)
        self.seconds = seconds
        self.response = response


def _declared_too_large(response: httpx.Response, limit: int) -> bool:
    """Whether the answer's own Content-Length is over *limit* (refused before reading a byte of it)."""
    try:
        return int(response.headers.get("Content-Length", "0")) > limit
    except ValueError:  # a malformed length: the body is counted as it comes
        return False


def _whole(response: httpx.Response, body: bytes) -> httpx.Response:
    """*response* with *body* (already decoded) as its content, for everything that reads it afterwards.

    When the answer's headers already describe *body* (no Content-Encoding nor Transfer-Encoding, a Content-Length
    equal to its size: the usual JSON answer), *body* becomes the response's content as httpx's own `read()` makes
    it. A new Response, the other way, reads its content once more: a third of the client's own time per call.
    """
    response.extensions.pop("network_stream", None)  # the connection went back to its pool: keep no hold on it
    if _describes(response.headers, body):
        response._content = body  # what httpx's read() sets; checked below, in case a later httpx moves it
        try:
            if response.content is body:
                return response
        except httpx.ResponseNotRead:
            pass
    headers = httpx.Headers(response.headers)
    # The body is decoded already: decoding it again by Content-Encoding would fail, or inflate it again.
    for name in ("Content-Encoding", "Content-Length", "Transfer-Encoding"):
        headers.pop(name, None)
    return httpx.Response(
        response.status_code, headers=headers, content=body, request=response.request, extensions=response.extensions
    )


def _describes(headers: httpx.Headers, body: bytes) -> bool:
    """Whether *headers* are true of *body* as it is: no encoding to undo, and its exact length."""
    length = None
    for name, value in headers.raw:
        name = name.lower()
        if name in (b"content-encoding", b"transfer-encoding"):
            return False
        if name == b"content-length":
            if length is not None:
                return False  # two lengths: let the new response say the one true one
            length = value
    return length is not None and length.strip() == str(len(body)).encode()


def receive(http: httpx.Client, request: httpx.Request, limits: Limits) -> httpx.Response:
    """Send *request*; the answer read whole, or AnswerTooLargeError / AnswerOverdueError; httpx's errors pass.

    A sync read cannot be interrupted, so the deadline is taken down to each read instead: a transport bound to it
    (`_deadline.bound_client`, as connect() builds) waits no read or write past it, the answer's head included.
    Through another transport (the caller's own) it is checked once the head has come and after each read of the
    body, each bounded by the client's read timeout: a head dripped byte by byte is then bounded only per read.
    """
    with deadline(limits.deadline) as bound:
        response: httpx.Response | None = None
        try:
            response = http.send(request, stream=True)
            if time.monotonic() > bound.at:  # its head alone took too long
                raise AnswerOverdueError(limits.deadline, response)
            if _declared_too_large(response, limits.max_answer_bytes):
                raise AnswerTooLargeError(response, limits.max_answer_bytes)
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limits.max_answer_bytes:
                    raise AnswerTooLargeError(response, limits.max_answer_bytes)
                if time.monotonic() > bound.at:
                    raise AnswerOverdueError(limits.deadline, response)
                chunks.append(chunk)
        except httpx.TimeoutException as error:
            if not bound.cut:  # the read timeout of one read, as httpx reports it
                raise
            raise AnswerOverdueError(limits.deadline, response) from error
        finally:
            if response is not None:
                response.close()
    return _whole(response, b"".join(chunks))


async def receive_async(http: httpx.AsyncClient, request: httpx.Request, limits: Limits) -> httpx.Response:
    """The async form of `receive`; here the deadline interrupts a read, wherever the answer is."""
    response: httpx.Response | None = None
    chunks: list[bytes] = []
    scope: anyio.CancelScope | None = None
    try:
        # anyio, as httpx uses it: the same under asyncio and trio. Not `asyncio.timeout`, though it costs less: it
        # cancels once, so a transport that swallows that cancellation runs on; anyio's scope cancels at every await.
        with anyio.fail_after(limits.deadline) as scope:
            response = await http.send(request, stream=True)
            try:
                if _declared_too_large(response, limits.max_answer_bytes):
                    raise AnswerTooLargeError(response, limits.max_answer_bytes)
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > limits.max_answer_bytes:
                        raise AnswerTooLargeError(response, limits.max_answer_bytes)
                    chunks.append(chunk)
            finally:
                await response.aclose()
    except TimeoutError as error:
        if scope is None or not scope.cancelled_caught:  # a TimeoutError of the caller's transport: theirs to see
            raise
        raise AnswerOverdueError(limits.deadline, response) from error
    assert response is not None  # fail_after either raised or let send() return
    return _whole(response, b"".join(chunks))
