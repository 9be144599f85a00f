"""The generated `Client`, made safe to use from one event loop after another (e.g. two `asyncio.run` calls).

An `httpx.AsyncClient` keeps its connections open between requests, and each connection belongs to the event loop
it was opened in. The generated `Client` builds one `AsyncClient` and keeps it: reused from a second
`asyncio.run`, it writes the request on a connection of the first, closed loop, then fails to read the answer
("RuntimeError: Event loop is closed") after the server has acted on it. So each `AsyncClient` is bound here to
the loop that first used it, and a `connect()` client builds a fresh one, with the same settings, for a new loop.

PYTEST_DONT_REWRITE: library code, its asserts only narrow types (CONTRIBUTING.md, "Assertion rewriting").
"""

from __future__ import annotations

import asyncio
import warnings
import weakref
from typing import Self, TypeVar

import httpx
from attrs import define, field

from deployhq_client import Client

from ._answer import Limits
from ._deadline import DeadlineUnsupportedError, bound_client
from ._errors import ClientUnusableError, ConfigurationError
from ._hosts import host_problem

__all__ = ["LoopAwareClient", "usable_async_client", "usable_client"]

# Weak on both sides: neither a forgotten AsyncClient nor a finished loop is kept alive by this record.
_HOMES: weakref.WeakKeyDictionary[object, weakref.ref[asyncio.AbstractEventLoop]] = weakref.WeakKeyDictionary()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:  # no asyncio loop running here (sync code, or another async library such as trio)
        return None


def _serves(holder: object, loop: asyncio.AbstractEventLoop) -> bool:
    """Whether *holder* of connections may send from *loop*: it is bound to it, or to no loop yet (and now is)."""
    home = _HOMES.get(holder)
    if home is None:
        _HOMES[holder] = weakref.ref(loop)
        return True
    return home() is loop


@define
class LoopAwareClient(Client):
    """What `connect()` returns: a generated `Client` whose async httpx client follows the running event loop.

    In a loop other than the one its async httpx client was first used in, `get_async_httpx_client()` builds a
    new one with the same settings (base URL, auth, headers, timeout, transport), so the client can be used from
    one `asyncio.run` after another. One that the caller set with `set_async_httpx_client` is never replaced.
    A transport given to `connect()` is shared by all of them: an `httpx.AsyncHTTPTransport` holds connections
    of its own, so it serves only the first loop, and another loop gets ClientUnusableError before sending.
    """

    call_limits: Limits = field(factory=Limits, kw_only=True)
    """The most an answer may weigh and take, and the longest Retry-After waited out (connect() sets them)."""
    _caller_set_async_client: bool = field(default=False, init=False, repr=False)

    def set_async_httpx_client(self, async_client: httpx.AsyncClient) -> Self:
        """Use *async_client* for every async call, in whatever loop (it is then never replaced)."""
        self._caller_set_async_client = True
        return super().set_async_httpx_client(async_client)

    def get_httpx_client(self) -> httpx.Client:
        """The sync httpx client, built on first use; one built here reads within the call's total deadline.

        httpx bounds each read, not a whole answer's head: its transport is bound here to the deadline of the call
        in progress (`_deadline`), unless connect() was given a transport, or `set_httpx_client` a client: those
        stay the caller's own, bounded per read while the head comes.
        """
        fresh = self._client is None
        http = super().get_httpx_client()
        if fresh and "transport" not in self._httpx_args:
            _bound(http)
        return http

    def get_async_httpx_client(self) -> httpx.AsyncClient:
        """The async httpx client for the running event loop, built on first use in that loop."""
        loop = _running_loop()
        transport = self._httpx_args.get("transport")
        if loop is not None and isinstance(transport, httpx.AsyncHTTPTransport) and not _serves(transport, loop):
            raise ClientUnusableError(
                "the httpx.AsyncHTTPTransport given to connect() holds connections of another event loop (an earlier "
                "asyncio.run?); nothing was sent. Give each event loop its own client, or leave transport= out"
            )
        current = self._async_client
        stale = current is not None and loop is not None and not _serves(current, loop)
        if stale and not self._caller_set_async_client:
            # The old one's connections belong to another loop, which has usually ended: they cannot be closed
            # from here, and are closed when it is garbage-collected. `async with client:` avoids leaving any.
            self._async_client = None
        http = super().get_async_httpx_client()
        if loop is not None:
            _serves(http, loop)
        return http


_Http = TypeVar("_Http", httpx.Client, httpx.AsyncClient)


def _malformed(operation: str, error: httpx.InvalidURL) -> ConfigurationError:
    """httpx's refusal of the client's base URL, met when the httpx client is built, as ConfigurationError.

    connect() refuses such URLs; a `Client` built directly (e.g. `Client(base_url="http://host\\n")`) meets it here.
    httpx's text names the problem and a position, never the URL itself.
    """
    return ConfigurationError(f"{operation}: the client's base URL is malformed ({error}); nothing was sent")


def _reachable(http: _Http, operation: str) -> _Http:
    """*http*, or ConfigurationError when its base URL's host cannot be looked up (connect() refuses those; a
    `Client` built directly is checked here, so that sync and async calls fail alike and nothing is sent).
    """
    host = http.base_url.raw_host.decode("ascii")  # httpx keeps it ASCII: an international name in its xn-- form
    problem = host_problem(host)
    if problem:
        raise ConfigurationError(
            f"{operation}: the client's base URL has a host that cannot be looked up: {host!r} {problem}; "
            "nothing was sent"
        )
    return http


def _bound(http: httpx.Client) -> None:
    """Bind the transports *http* built itself to the deadline of the call in progress, or warn that it cannot."""
    try:
        bound_client(http)
    except DeadlineUnsupportedError as error:
        # Calls still work, with the deadline checked between reads, as through a transport of the caller's.
        warnings.warn(f"{error}: sync calls check it only between reads", RuntimeWarning, stacklevel=3)


def usable_client(client: Client, operation: str) -> httpx.Client:
    """The sync httpx client of *client*, or ClientUnusableError (before sending) when it was closed."""
    try:  # not `with _valid_base_url(...)`: a generator-based context manager costs more on every call
        http = _reachable(client.get_httpx_client(), operation)
    except httpx.InvalidURL as error:
        raise _malformed(operation, error) from None
    if http.is_closed:
        raise ClientUnusableError(
            f"{operation}: this client was closed (its `with` block ended, or close() was called); nothing was sent. "
            "Call it inside the block, or make a new client with connect()"
        )
    return http


def usable_async_client(client: Client, operation: str) -> httpx.AsyncClient:
    """The async httpx client of *client* for the running loop, or ClientUnusableError (before sending)."""
    try:
        http = _reachable(client.get_async_httpx_client(), operation)
    except httpx.InvalidURL as error:
        raise _malformed(operation, error) from None
    if http.is_closed:
        raise ClientUnusableError(
            f"{operation}: this client was closed in this event loop (its `async with` block ended, or aclose() was "
            "called); nothing was sent. Call it inside the block, or make a new client with connect()"
        )
    loop = _running_loop()
    if loop is not None and not _serves(http, loop):
        raise ClientUnusableError(
            f"{operation}: this client's async httpx client belongs to another event loop (an earlier asyncio.run?), "
            "whose connections cannot be used from this one; nothing was sent. Build the client with connect(), "
            "which gives each event loop its own, or build one client per event loop"
        )
    return http
