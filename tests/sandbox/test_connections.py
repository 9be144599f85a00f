"""Slow and idle clients over real HTTP on loopback: each is refused in bounded time, with no traceback logged."""

from __future__ import annotations

import asyncio
import base64
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from deployhq_sandbox import Accounts, ConnectionLimits, create_app, serve
from deployhq_sandbox._connections import _OutOfFiles

# Short limits keep the tests fast; every loop below is bounded by DRIP_FOR seconds, well past them.
LIMITS = ConnectionLimits(header_timeout=1.0, keep_alive_timeout=1.0, max_connections=40)
BODY_TIMEOUT = 1.0
DRIP_FOR = 6.0


@pytest.fixture
def server(database: Path, accounts: Accounts, caplog: pytest.LogCaptureFixture) -> Iterator[str]:
    """The reference server with short limits, its log captured from WARNING up."""
    caplog.set_level(logging.WARNING)
    app = create_app(database, accounts=accounts, body_timeout=BODY_TIMEOUT)
    with serve(app, limits=LIMITS) as base_url:
        yield base_url


def connect(base_url: str) -> socket.socket:
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=DRIP_FOR)


def drip(sock: socket.socket, data: bytes, every: float = 0.1) -> tuple[float, bytes]:
    """Send *data* a byte every *every* seconds until the server answers or closes (at most DRIP_FOR seconds);
    the seconds it took and what the server sent."""
    started = time.monotonic()
    sock.settimeout(every)
    answer = b""
    for byte in data:
        if time.monotonic() - started > DRIP_FOR:
            break
        try:
            sock.sendall(bytes([byte]))
            chunk = sock.recv(65536)
        except TimeoutError:
            continue
        except OSError:  # reset: the server closed while we were still sending
            break
        answer += chunk
        if not chunk or answer.endswith(b"}"):
            break
    return time.monotonic() - started, answer


def _closed(sock: socket.socket) -> bool:
    """Whether the server closed the connection: an orderly end, or a reset (it closed with our last bytes unread)."""
    sock.settimeout(2.0)  # drip() left 0.1 s: a close that comes a moment after the answer is still a close
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def problems(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Log records at ERROR or with a traceback: none is expected from any client behaviour."""
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def auth_header() -> str:
    admin = Accounts.defaults().administrator
    return "Basic " + base64.b64encode(f"{admin.email}:{admin.api_key}".encode()).decode()


def test_headers_dripped_a_byte_at_a_time_get_408_at_the_header_deadline(
    server: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A slow-loris client sending a byte every 0.1 s is answered 408 and closed once the header deadline passes,
    though each byte arrived well within it."""
    head = b"GET /users HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 200 + b"\r\n\r\n"
    with connect(server) as sock:
        seconds, answer = drip(sock, head)
    assert (answer.split(b"\r\n", 1)[0], seconds < LIMITS.header_timeout + 1.0, problems(caplog)) == (
        b"HTTP/1.1 408 Request Timeout",
        True,
        [],
    )


def test_a_body_dripped_a_byte_at_a_time_gets_408_at_the_body_deadline(
    server: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Headers sent at once, then a body a byte every 0.1 s: 408 and closed once the body deadline passes."""
    body = b'{"user": {"first_name": "Slow", "email_address": "slow@example.com", "last_name": "' + b"a" * 200 + b'"}}'
    head = (
        f"POST /users HTTP/1.1\r\nHost: x\r\nAuthorization: {auth_header()}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with connect(server) as sock:
        sock.sendall(head)
        seconds, answer = drip(sock, body)
        closed = bool(answer) and _closed(sock)
    assert (answer.split(b"\r\n", 1)[0], seconds < BODY_TIMEOUT + 1.0, closed, problems(caplog)) == (
        b"HTTP/1.1 408 Request Timeout",
        True,
        True,
        [],
    )


@pytest.mark.slow
def test_idle_connections_are_capped_and_closed(
    database: Path, accounts: Accounts, caplog: pytest.LogCaptureFixture
) -> None:
    """300 connections that send nothing: those beyond the cap get 503 at once, the rest are closed at the header
    deadline, none is left open, and the server still answers."""
    caplog.set_level(logging.WARNING)
    limits = ConnectionLimits(header_timeout=3.0, keep_alive_timeout=1.0, max_connections=40)
    opened: list[socket.socket] = []
    with serve(create_app(database, accounts=accounts), limits=limits) as server:
        try:
            for _ in range(300):
                opened.append(connect(server))
            started = time.monotonic()
            statuses: dict[bytes, int] = {}
            for sock in opened:
                sock.settimeout(max(0.1, started + limits.header_timeout + 2.0 - time.monotonic()))
                try:
                    answer = sock.recv(65536)
                except TimeoutError:
                    answer = b"still open"
                except OSError:
                    answer = b""
                first = answer.split(b"\r\n", 1)[0] or b"closed"
                statuses[first] = statuses.get(first, 0) + 1
            seconds = time.monotonic() - started
        finally:
            for sock in opened:
                sock.close()
        answered = httpx.get(f"{server}/openapi.yaml", timeout=5).status_code
    # Opening 300 takes a moment: a few held connections may time out and free their place meanwhile.
    assert statuses.get(b"still open", 0) == 0
    assert statuses.get(b"HTTP/1.1 503 Service Unavailable", 0) >= 300 - 2 * limits.max_connections
    assert (seconds < limits.header_timeout + 2.0, answered, problems(caplog)) == (True, 200, [])


def test_a_client_gone_mid_body_is_one_quiet_log_line(server: str, caplog: pytest.LogCaptureFixture) -> None:
    """A client that sends half its body and disconnects leaves one WARNING line, no traceback, and no user."""
    head = (
        f"POST /users HTTP/1.1\r\nHost: x\r\nAuthorization: {auth_header()}\r\n"
        "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    ).encode()
    with connect(server) as sock:
        sock.sendall(head + b'{"user": {"first_name": "Gone"')
        time.sleep(0.2)
    deadline = time.monotonic() + 5
    while not caplog.records and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)  # anything else it would log
    lines = [line for record in caplog.records for line in caplog.handler.format(record).splitlines()]
    assert (len(lines), "disconnected" in lines[0], problems(caplog)) == (1, True, [])


def test_limits_refuse_zero_and_negative(tmp_path: Path) -> None:
    """A timeout or a connection cap that is not above 0 is a ValueError naming it."""
    with pytest.raises(ValueError, match="header_timeout must be a number of seconds above 0"):
        ConnectionLimits(header_timeout=0)
    with pytest.raises(ValueError, match="max_connections must be a whole number, at least 1"):
        ConnectionLimits(max_connections=-1)
    with pytest.raises(ValueError, match="body_timeout must be a number of seconds above 0"):
        create_app(tmp_path / "users.sqlite3", body_timeout=float("nan"))


def test_running_out_of_files_is_one_line_every_few_seconds(caplog: pytest.LogCaptureFixture) -> None:
    """asyncio's report of a failed accept (one per connection) becomes one WARNING line with a count; other
    reports go to asyncio's default handler."""
    caplog.set_level(logging.WARNING)
    handler = _OutOfFiles()
    loop = asyncio.new_event_loop()
    try:
        for _ in range(500):
            handler.handle(loop, {"message": "socket.accept() out of system resource", "exception": OSError(24)})
        handler.handle(loop, {"message": "something else"})
    finally:
        loop.close()
    messages = [record.getMessage() for record in caplog.records]
    assert (len(messages), "out of file descriptors: 1 connection(s)" in messages[0], messages[1]) == (
        2,
        True,
        "something else",
    )
