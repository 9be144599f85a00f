"""Connection limits uvicorn does not have: a total deadline for a request's headers, and a cap on open connections.

uvicorn (0.55) times out only an idle keep-alive connection, and that timer stops at the first byte, so a client
dripping a header a byte at a time, or connecting and sending nothing, holds its connection for ever; and its
`limit_concurrency` answers 503 only once a request arrives, so silent connections pile up to the file limit.
`limited_server` gives uvicorn an HTTP protocol (its h11 one, extended) that closes both, accepts in small batches,
and logs running out of file descriptors once every few seconds instead of a traceback per refused accept.

PYTEST_DONT_REWRITE: library code, its asserts only narrow types (CONTRIBUTING.md, "Assertion rewriting").
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from dataclasses import dataclass
from typing import Any, ClassVar

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["ACCEPT_BATCH", "LISTEN_QUEUE", "ConnectionLimits", "check_positive", "limited_server", "server_config"]

# Connections accepted per event-loop turn, before any of them is looked at (asyncio accepts up to `backlog` at once;
# uvicorn's 2048 could take a process at the usual limit of 1024 files past it in one burst).
ACCEPT_BATCH = 64
# The kernel's queue of connections not yet accepted (capped by net.core.somaxconn). asyncio gives `listen` the accept
# batch too; a queue of 64 dropped a burst's handshakes while the loop was busy, and a client whose request was dropped
# with them could resend it only after its backoff, past the header deadline, and met a reset connection.
LISTEN_QUEUE = 2048
# asyncio's context message when accept() fails for want of descriptors (selector_events._accept_connection).
_OUT_OF_FILES = "socket.accept() out of system resource"
_OUT_OF_FILES_EVERY = 10.0
logger = logging.getLogger(__name__)


def check_positive(value: object, name: str) -> float:
    """*value* as a number of seconds above 0 (else ValueError naming *name*)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a number of seconds above 0; got {value!r}")
    return float(value)


@dataclass(frozen=True)
class ConnectionLimits:
    """How long a client may take, and how many connections may be open at once.

    *header_timeout*: seconds from the connection (or the end of the previous answer) to the end of the request's
    headers, in total, however the bytes trickle in; then 408 and the connection is closed (closed silently when
    nothing at all was sent). *keep_alive_timeout*: seconds an idle connection stays open between requests.
    *max_connections*: a connection beyond it is answered 503 at once and closed.
    """

    header_timeout: float = 10.0
    keep_alive_timeout: float = 5.0
    max_connections: int = 256

    def __post_init__(self) -> None:
        check_positive(self.header_timeout, "header_timeout")
        check_positive(self.keep_alive_timeout, "keep_alive_timeout")
        count = self.max_connections
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError(f"max_connections must be a whole number, at least 1; got {count!r}")


def _refusal(status: int, reason: str, message: str, *extra: str) -> bytes:
    """A whole HTTP/1.1 answer with the contract's error body, written before any request was parsed."""
    body = json.dumps({"status": status, "error": message}).encode()
    head = [f"HTTP/1.1 {status} {reason}", "content-type: application/json", f"content-length: {len(body)}"]
    head += [*extra, "connection: close"]
    return "\r\n".join(head).encode() + b"\r\n\r\n" + body


_TOO_MANY = _refusal(503, "Service Unavailable", "Too many open connections; try again shortly.", "retry-after: 1")
_TOO_SLOW = _refusal(408, "Request Timeout", "The request's headers did not arrive in time.")


class _LimitedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a header deadline and a connection cap (`limits`, set by `server_config`)."""

    limits: ClassVar[ConnectionLimits] = ConnectionLimits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_deadline: asyncio.TimerHandle | None = None
        self._header_started = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            # Refused at once, before reading anything: the descriptor is freed now, not at a timeout.
            transport.write(_TOO_MANY)
            transport.close()
            return
        self._await_headers()

    def data_received(self, data: bytes) -> None:
        waiting = self._header_deadline is not None
        self._header_started = self._header_started or waiting
        super().data_received(data)
        if waiting and self.conn.their_state is not h11.IDLE:
            self._stop_waiting()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._await_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        super().connection_lost(exc)

    def _await_headers(self) -> None:
        self._stop_waiting()
        self._header_started = False
        self._header_deadline = self.loop.call_later(self.limits.header_timeout, self._headers_too_slow)

    def _stop_waiting(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self.transport.is_closing():
            return
        if self._header_started:
            self.transport.write(_TOO_SLOW)
        self.transport.close()


def server_config(app: Any, limits: ConnectionLimits, **options: Any) -> uvicorn.Config:
    """A uvicorn config for *app* on the limited h11 protocol, quiet (warnings only, no access log)."""
    protocol = type("LimitedH11Protocol", (_LimitedH11Protocol,), {"limits": limits})
    return uvicorn.Config(
        app,
        http=protocol,
        timeout_keep_alive=limits.keep_alive_timeout,  # type: ignore[arg-type]  # a float works; call_later takes it
        backlog=ACCEPT_BATCH,
        log_level="warning",
        access_log=False,
        lifespan="on",
        **options,
    )


class _LimitedServer(uvicorn.Server):
    async def startup(self, sockets: Any = None) -> None:
        asyncio.get_running_loop().set_exception_handler(_OutOfFiles().handle)
        await super().startup(sockets)
        for sock in sockets or ():
            sock.listen(LISTEN_QUEUE)  # after asyncio's listen(ACCEPT_BATCH): the batch stays, the queue grows


class _OutOfFiles:
    """An event-loop exception handler: one line every few seconds while accept() runs out of file descriptors
    (asyncio logs a traceback for each connection it fails to accept, in a loop); the rest as asyncio would."""

    def __init__(self) -> None:
        self.last = -math.inf
        self.missed = 0

    def handle(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if context.get("message") != _OUT_OF_FILES:
            loop.default_exception_handler(context)
            return
        self.missed += 1
        now = time.monotonic()
        if now - self.last >= _OUT_OF_FILES_EVERY:
            logger.warning(
                "out of file descriptors: %d connection(s) waiting to be accepted; lower --max-connections or raise "
                "the open-file limit (ulimit -n)",
                self.missed,
            )
            self.last, self.missed = now, 0


def limited_server(app: Any, limits: ConnectionLimits, **options: Any) -> uvicorn.Server:
    """A uvicorn server for *app* with *limits* (`server_config`), quiet when it runs out of file descriptors."""
    return _LimitedServer(server_config(app, limits, **options))
