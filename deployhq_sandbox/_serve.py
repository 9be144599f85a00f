"""Run an app with uvicorn in a background thread on a loopback port, for tests and the contract suite.

PYTEST_DONT_REWRITE: library code, its asserts only narrow types (CONTRIBUTING.md, "Assertion rewriting").
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterator

from starlette.types import ASGIApp

from ._connections import LISTEN_QUEUE, ConnectionLimits, limited_server

__all__ = ["bind", "serve"]


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on *host*:*port* (0: any free port), ready before the server loop starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP. Without it
    # Nagle's algorithm meets delayed ACKs and a response written in two parts waits ~40 ms.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(LISTEN_QUEUE)
    except OSError:
        sock.close()
        raise
    return sock


def base_url(sock: socket.socket) -> str:
    """`http://host:port` of a bound socket."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class _StartupErrors(logging.Handler):
    """The errors uvicorn logs from one server thread: why it stopped before it started."""

    def __init__(self, thread_name: str) -> None:
        super().__init__(logging.ERROR)
        self.thread_name = thread_name
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.threadName == self.thread_name:
            self.messages.append(record.getMessage())


def _why(errors: _StartupErrors, crash: BaseException | None) -> str:
    """The last line uvicorn logged (a traceback ends with the exception), else the exception that ended the thread."""
    lines = [line.strip() for message in errors.messages for line in message.splitlines() if line.strip()]
    logged = [line for line in lines if line != "Application startup failed. Exiting."]
    if logged:
        return logged[-1]
    if isinstance(crash, SystemExit):
        return f"uvicorn exited with code {crash.code}"
    return "no error was logged" if crash is None else f"{type(crash).__name__}: {crash}"


@contextlib.contextmanager
def serve(
    app: ASGIApp,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    timeout: float = 10.0,
    limits: ConnectionLimits | None = None,
) -> Iterator[str]:
    """Serve *app* in a background thread and yield its base URL; stop it cleanly on exit.

    *limits*: header and keep-alive timeouts and the connection cap (`ConnectionLimits()`'s defaults when None).

    A server that stops before it started raises RuntimeError saying why (the error uvicorn logged, or the
    exception that ended its thread); a port that cannot be bound raises the OSError of `bind`.
    """
    sock = bind(host, port)
    url = base_url(sock)
    server = limited_server(app, ConnectionLimits() if limits is None else limits)
    crashes: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as crash:  # SystemExit included: uvicorn exits on a failed startup
            crashes.append(crash)

    name = f"deployhq-sandbox-{url}"
    errors = _StartupErrors(name)
    # Added after uvicorn.Config(): it configures its loggers, which drops the handlers they had.
    logging.getLogger("uvicorn.error").addHandler(errors)
    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive():
                cause = crashes[0] if crashes else None
                raise RuntimeError(f"the server at {url} stopped before it started: {_why(errors, cause)}") from cause
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server at {url} did not start within {timeout} s")
            time.sleep(0.01)
        logging.getLogger("uvicorn.error").removeHandler(errors)
        yield url
    finally:
        logging.getLogger("uvicorn.error").removeHandler(errors)
        server.should_exit = True
        thread.join(timeout)
        sock.close()
