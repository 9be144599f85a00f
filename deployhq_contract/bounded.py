"""Bounds on what a target can make the judge do: no redirect followed, no answer above a size, no request past a time.

A hostile or broken target must not run the judge out of memory (a 2 GB or endless answer), keep it in one
request forever (one byte every few seconds restarts a read timeout each time), or send its requests elsewhere
(a redirect to another host). Every request of the suite, preflight and cleanup goes through a session or a
transport from here; an answer over a bound is refused with an error of the client library's own kind, so it is
booked like any other transport error (the outcome is unknown) and judged as a failure, never an INTERNALERROR.
"""

from __future__ import annotations

import argparse
import contextlib
import heapq
import itertools
import json
import math
import os
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from deployhq_users._deadline import bound_transport, deadline

__all__ = [
    "DEFAULT_LIMITS",
    "BoundedAdapter",
    "BoundedSession",
    "BoundedTransport",
    "Limits",
    "UnboundedAnswerError",
    "loads",
]

MIB = 1024 * 1024
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Limits:
    """The largest answer body read (bytes, decoded) and the longest a request may take in total (seconds)."""

    max_answer_bytes: int = 10 * MIB
    request_seconds: float = 30.0

    def __post_init__(self) -> None:
        if self.max_answer_bytes < 1:
            raise ValueError(f"an answer limit must be 1 byte or more, not {self.max_answer_bytes}")
        if not 0 < self.request_seconds < math.inf:
            raise ValueError(f"a request time limit must be a number of seconds above 0, not {self.request_seconds}")


DEFAULT_LIMITS = Limits()


def answer_bytes(text: str) -> int:
    """argparse type of --max-answer-bytes: a whole number of bytes from 1 up (`10MiB`, `512KiB` also read)."""
    units = {"kib": 1024, "mib": MIB, "gib": 1024 * MIB, "": 1}
    number = text.strip().lower()
    unit = next(u for u in units if number.endswith(u))
    try:
        value = int(number.removesuffix(unit) if unit else number) * units[unit]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of bytes (e.g. 10485760 or 10MiB)") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a size: give 1 byte or more, e.g. 10MiB")
    return value


def total_seconds(text: str) -> float:
    """argparse type of --request-timeout: seconds above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"{text} is not a time limit: give seconds above 0, e.g. 30")
    return value


def add_options(group: Any) -> None:
    """The bounds as options of the suite (a pytest option group) or of cleanup (an argparse parser)."""
    add = getattr(group, "addoption", None) or group.add_argument
    add(
        "--max-answer-bytes",
        type=answer_bytes,
        default=DEFAULT_LIMITS.max_answer_bytes,
        help="refuse (and stop reading) any answer larger than this, e.g. 10MiB (default: 10MiB)",
    )
    add(
        "--request-timeout",
        type=total_seconds,
        default=DEFAULT_LIMITS.request_seconds,
        help="give up on any request not wholly answered within this many seconds in total (default: 30)",
    )


class UnboundedAnswerError(Exception):
    """The answer broke a bound (too large, or not whole in time); it was not read further."""


class RequestsUnboundedAnswerError(UnboundedAnswerError, requests.exceptions.RequestException):
    """The same, raised where `requests` raises its errors."""


class HttpxUnboundedAnswerError(UnboundedAnswerError, httpx.TransportError):
    """The same, raised where httpx raises its errors."""


def loads(content: bytes | str) -> Any:
    """JSON, or ValueError: nesting too deep for Python's parser is just JSON the judge cannot read."""
    try:
        return json.loads(content)
    except RecursionError:
        raise ValueError("JSON nested too deeply to read") from None


def too_large(limits: Limits) -> str:
    return f"the answer is larger than {limits.max_answer_bytes} bytes (--max-answer-bytes); it was not read further"


def too_slow(limits: Limits) -> str:
    return f"no whole answer within {limits.request_seconds:g} s (--request-timeout)"


# -- requests ---------------------------------------------------------------------------------------------------

_WATCH = threading.local()
# How late a request may be cut past its --request-timeout (seconds).
_SLACK = 0.05


class _Watchdog:
    """One thread per process that fires each watch whose time is up, earliest first.

    A `threading.Timer` per request started a thread for every request of a run (about 3000 at 25 examples, a
    tenth of a millisecond each, and a switch to it and back): one thread with a queue of deadlines does the same.
    A watch that ends on time is only marked; its entry leaves the queue when its deadline comes.
    """

    def __init__(self) -> None:
        self._queue: list[tuple[float, int, _Watch]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._pid: int | None = None  # the process whose thread serves the queue (a fork inherits no thread)

    def watch(self, watch: _Watch, seconds: float) -> None:
        entry = (time.monotonic() + seconds, next(self._order), watch)
        with self._wake:
            if self._pid != os.getpid():
                self._pid = os.getpid()
                self._queue.clear()
                threading.Thread(target=self._serve, name="deployhq-contract-watchdog", daemon=True).start()
            heapq.heappush(self._queue, entry)
            if self._queue[0] is entry:
                self._wake.notify()

    def _serve(self) -> None:
        while True:
            with self._wake:
                while not self._queue or self._queue[0][0] > time.monotonic():
                    # A little late, so that one wake serves every watch whose time came meanwhile (a deadline a
                    # request makes behind each other one): not a wake per request.
                    self._wake.wait(self._queue[0][0] - time.monotonic() + _SLACK if self._queue else None)
                _deadline, _order, watch = heapq.heappop(self._queue)
            if not watch.ended:
                watch.fire()


_WATCHDOG = _Watchdog()


class _Watch:
    """Shuts down the sockets of one request when its time is up: a blocked read then ends at once."""

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self.ended = False
        self._seconds = seconds
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def __enter__(self) -> _Watch:
        _WATCH.current = self
        _WATCHDOG.watch(self, self._seconds)
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self.ended = True
            self._sockets.clear()  # the watchdog keeps an ended watch until its time: not the sockets it saw
        _WATCH.current = None

    def attach(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            if self.fired:
                _shut(sock)

    def fire(self) -> None:
        with self._lock:
            if self.ended:
                return
            self.fired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed: nothing left to stop
        sock.shutdown(socket.SHUT_RDWR)


def _attach_to_watch(connection: HTTPConnection) -> None:
    watch: _Watch | None = getattr(_WATCH, "current", None)
    if watch is not None:
        watch.attach(connection.sock)


# urllib3 reads the status line and headers in getresponse(), on a connection new or reused: that is where a
# request's socket is known, before any byte of the answer is waited for.
class _WatchedHTTPConnection(HTTPConnection):
    def getresponse(self) -> Any:
        _attach_to_watch(self)
        return super().getresponse()


class _WatchedHTTPSConnection(HTTPSConnection):
    def getresponse(self) -> Any:
        _attach_to_watch(self)
        return super().getresponse()


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class BoundedAdapter(HTTPAdapter):
    """A `requests` adapter that never retries, reads at most the answer limit, and ends a request on time."""

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs["stream"] = True
        timeout = kwargs.get("timeout")
        if timeout is None or isinstance(timeout, int | float):
            kwargs["timeout"] = min(timeout or math.inf, self.limits.request_seconds)
        with _Watch(self.limits.request_seconds) as watch:
            try:
                response = super().send(request, *args, **kwargs)
                self._read(response)
            except requests.RequestException as error:
                if watch.fired and not isinstance(error, UnboundedAnswerError):
                    raise RequestsUnboundedAnswerError(too_slow(self.limits), request=request) from None
                raise
            # A socket shut mid-headers can read as a short, complete answer: on time or not at all.
            if watch.fired:
                response.close()
                raise RequestsUnboundedAnswerError(too_slow(self.limits), request=request)
        return response

    def _read(self, response: requests.Response) -> None:
        """Read the body now, within the bounds (`requests` would read it all, however large, later)."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.limits.max_answer_bytes:
            response.close()
            raise RequestsUnboundedAnswerError(too_large(self.limits), request=response.request)
        body = bytearray()
        try:
            for chunk in response.raw.stream(CHUNK, decode_content=True):
                body += chunk
                if len(body) > self.limits.max_answer_bytes:
                    response.close()
                    body.clear()  # a traceback kept for the report (Hypothesis keeps many) must not keep the bytes
                    raise RequestsUnboundedAnswerError(too_large(self.limits), request=response.request)
        except UnboundedAnswerError:
            raise
        except (urllib3.exceptions.HTTPError, OSError) as error:  # a broken or cut answer, as requests reports it
            response.close()
            raise requests.exceptions.ConnectionError(error, request=response.request) from error
        response._content = bytes(body)
        response._content_consumed = True


class BoundedSession(requests.Session):
    """A `requests` session sending through a BoundedAdapter that follows no redirect: a 3xx is the answer."""

    def __init__(self, limits: Limits = DEFAULT_LIMITS, adapter: HTTPAdapter | None = None) -> None:
        super().__init__()
        adapter = adapter or BoundedAdapter(limits)
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def get_redirect_target(self, resp: requests.Response) -> None:
        # A redirect may point at another host, which would get the request (and its body) instead of the target.
        return None


# -- httpx ------------------------------------------------------------------------------------------------------


class BoundedTransport(httpx.BaseTransport):
    """An httpx transport that never retries, reads at most the answer limit, and ends a request on time."""

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self.inner = httpx.HTTPTransport(retries=0)
        # Every read and write, the head's included, waits at most until the request's deadline (the client's piece:
        # it raises DeadlineUnsupportedError, rather than run unbounded, if a later httpx moved its private seam).
        bound_transport(self.inner)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with deadline(self.limits.request_seconds) as bound:
            try:
                response = self.inner.handle_request(request)
                try:
                    body = self._read(response, request)
                finally:
                    response.close()
            except httpx.TimeoutException:
                if bound.cut:
                    raise HttpxUnboundedAnswerError(too_slow(self.limits), request=request) from None
                raise
        # Decoded here, within the limit: the body handed on is plain, so it is not decoded (or inflated) again.
        headers = [(k, v) for k, v in response.headers.raw if k.lower() not in (b"content-encoding", b"content-length")]
        return httpx.Response(
            response.status_code, headers=headers, content=body, extensions=response.extensions, request=request
        )

    def _read(self, response: httpx.Response, request: httpx.Request) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.limits.max_answer_bytes:
            raise HttpxUnboundedAnswerError(too_large(self.limits), request=request)
        body = bytearray()
        try:
            for chunk in response.iter_bytes(CHUNK):
                body += chunk
                if len(body) > self.limits.max_answer_bytes:
                    body.clear()  # as above
                    raise HttpxUnboundedAnswerError(too_large(self.limits), request=request)
        except httpx.DecodingError as error:
            raise httpx.ReadError(str(error), request=request) from error
        return bytes(body)

    def close(self) -> None:
        self.inner.close()
