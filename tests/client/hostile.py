"""A hostile HTTP server on loopback: raw sockets, so it can send what no well-behaved framework would.

Every way of answering ends by itself: when the client hangs up, or after `LIFETIME` seconds, or after the bytes it
announced, whichever is first.
"""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

LIFETIME = 30.0  # no connection is served longer than this, whatever the client does
CHUNK = b"0" * 65_536
GIB = 1024**3


def _send_all(sock: socket.socket, data: bytes) -> bool:
    """Send *data*; False when the client has hung up."""
    try:
        sock.sendall(data)
    except OSError:  # BrokenPipe, ConnectionReset: the client gave up, as it should
        return False
    return True


def _read_request(sock: socket.socket) -> None:
    """Read the request's head and body (by its Content-Length), so the answer does not race an unread request."""
    data = b""
    sock.settimeout(5)
    while b"\r\n\r\n" not in data and len(data) < 1_000_000:
        part = sock.recv(65_536)
        if not part:
            return
        data += part
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")),
        0,
    )
    while len(body) < length:
        part = sock.recv(65_536)
        if not part:
            return
        body += part


def huge(sock: socket.socket, until: float) -> None:
    """A 2 GiB answer, announced by its Content-Length."""
    _send_all(sock, f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {2 * GIB}\r\n\r\n".encode())
    sent = 0
    while sent < 2 * GIB and time.monotonic() < until and _send_all(sock, CHUNK):
        sent += len(CHUNK)


def huge_unannounced(sock: socket.socket, until: float) -> None:
    """A 2 GiB answer whose head says nothing of its size: its end is when the connection closes."""
    _send_all(sock, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")
    sent = 0
    while sent < 2 * GIB and time.monotonic() < until and _send_all(sock, CHUNK):
        sent += len(CHUNK)


def endless(sock: socket.socket, until: float) -> None:
    """A chunked answer that never sends its last chunk."""
    _send_all(sock, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = f"{len(CHUNK):x}\r\n".encode() + CHUNK + b"\r\n"
    while time.monotonic() < until and _send_all(sock, chunk):
        pass


def drip(sock: socket.socket, until: float) -> None:
    """A head at once, then its 1,000-byte body one byte every half second (each well within a read timeout)."""
    if not _send_all(sock, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"):
        return
    while time.monotonic() < until and _send_all(sock, b" "):
        time.sleep(0.5)


def drip_head(sock: socket.socket, until: float) -> None:
    """The head itself one byte every half second."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: " + b"x" * 10_000 + b"\r\n\r\n[]"
    for byte in head:
        if time.monotonic() >= until or not _send_all(sock, bytes([byte])):
            return
        time.sleep(0.5)


def silent(sock: socket.socket, until: float) -> None:
    """No answer at all: the connection is held open, quiet, until the client hangs up."""
    sock.settimeout(0.1)
    while time.monotonic() < until:
        try:
            if not sock.recv(1):
                return
        except TimeoutError:
            continue
        except OSError:
            return


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        sock: socket.socket = self.request
        try:
            _read_request(sock)
        except OSError:
            return
        self.server.answer(sock, time.monotonic() + LIFETIME)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, answer: Callable[[socket.socket, float], None]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answer = answer


@contextmanager
def hostile(answer: Callable[[socket.socket, float], None]) -> Iterator[str]:
    """Serve *answer* to every request on a free loopback port; yields the base URL."""
    server = _Server(answer)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
