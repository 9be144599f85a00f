"""A total deadline for sync httpx requests that reaches every read and write, the answer's head included.

httpx's timeouts are per read: a server sending one byte now and then is never timed out by them. An async call can
be cancelled wherever it waits (anyio.fail_after); a sync call cannot, and httpx reads an answer's status line and
headers in one call. So the deadline is taken down to the sockets: a transport's connection pool gets a network
backend whose every connect, read and write waits at most until the deadline in force (`deadline()`), however the
bytes trickle in. With no deadline in force the backend changes nothing.

httpx lets no network backend be chosen, so it is installed through two private attributes, `_pool` of an
`httpx.HTTPTransport` and `_network_backend` of its httpcore pool; `bound_transport` checks both and raises
DeadlineUnsupportedError when a later httpx or httpcore has moved them, rather than leaving the bound silently off.
The judge (deployhq_contract.bounded) uses the same piece for its own httpx requests.

PYTEST_DONT_REWRITE: library code, its asserts only narrow types (CONTRIBUTING.md, "Assertion rewriting").
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterable
from dataclasses import dataclass

import httpcore
import httpx

__all__ = ["Deadline", "DeadlineUnsupportedError", "bound_client", "bound_transport", "clamp", "deadline"]


class DeadlineUnsupportedError(RuntimeError):
    """The installed httpx or httpcore keeps its connection pool where this module cannot reach it."""


@dataclass
class Deadline:
    """A request's end (time.monotonic()); `cut` is whether the last wait was shortened to it (or it had passed)."""

    at: float
    cut: bool = False

    def clamp(self, timeout: float | None) -> float:
        """*timeout* (None: no limit), shortened to the time left; httpcore's timeout when none is left."""
        left = self.at - time.monotonic()
        if timeout is not None and timeout <= left:
            self.cut = False
            return timeout
        self.cut = True
        if left <= 0:
            raise httpcore.ReadTimeout("the request's total time is up")
        return left


_CURRENT: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar("deployhq_users_deadline", default=None)


class deadline:  # noqa: N801  # used as a function: `with deadline(seconds) as bound:`
    """Within the block, every connect, read and write of a bound transport ends *seconds* from now at the latest.

    A wait cut short raises httpx's timeout (ReadTimeout, ...) and leaves the yielded Deadline's `cut` set.
    A class, not a generator-based context manager: every call of the client enters one.
    """

    __slots__ = ("_seconds", "_token")

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds

    def __enter__(self) -> Deadline:
        current = Deadline(time.monotonic() + self._seconds)
        self._token = _CURRENT.set(current)
        return current

    def __exit__(self, *exc_info: object) -> None:
        _CURRENT.reset(self._token)


def clamp(timeout: float | None) -> float | None:
    """*timeout* shortened to the deadline in force, if any (what a bound connection waits at most)."""
    current = _CURRENT.get()
    return timeout if current is None else current.clamp(timeout)


def _unsupported(where: str) -> DeadlineUnsupportedError:
    return DeadlineUnsupportedError(
        f"httpx {httpx.__version__} with httpcore {httpcore.__version__} has no {where}, where a total deadline "
        "is installed; the deadline cannot reach a read of the answer's head"
    )


def bound_transport(transport: httpx.HTTPTransport) -> None:
    """Make every connect, read and write of *transport* end by the deadline in force (with none, nothing changes).

    Call it before the transport's first request: a connection already open keeps its unbounded socket.
    """
    pool = getattr(transport, "_pool", None)
    if not isinstance(pool, httpcore.ConnectionPool):  # HTTPProxy and SOCKSProxy are ConnectionPools too
        raise _unsupported("httpx.HTTPTransport._pool holding an httpcore.ConnectionPool")
    backend = getattr(pool, "_network_backend", None)
    if backend is None or not callable(getattr(backend, "connect_tcp", None)):
        raise _unsupported("httpcore.ConnectionPool._network_backend")
    try:
        # httpcore made its network backends public in a later release than the oldest httpx this package takes.
        from ._deadline_io import DeadlineBackend
    except AttributeError:
        raise _unsupported("public httpcore.NetworkBackend") from None
    if not isinstance(backend, DeadlineBackend):
        pool._network_backend = DeadlineBackend(backend)


def bound_client(http: httpx.Client) -> None:
    """bound_transport for every network transport *http* built itself: its default one and its proxies'."""
    mounts = getattr(http, "_mounts", None)
    transport = getattr(http, "_transport", None)
    if not isinstance(mounts, dict) or not isinstance(transport, httpx.BaseTransport):
        raise _unsupported("httpx.Client._transport and _mounts")
    candidates: Iterable[object] = [transport, *mounts.values()]
    for candidate in candidates:
        # A transport of another kind (MockTransport, a caller's own) has no sockets of httpx's to bound.
        if isinstance(candidate, httpx.HTTPTransport):
            bound_transport(candidate)
