"""A hostile target on loopback: it answers like the Users API until told to attack, then attacks every request.

Attacks: a redirect to another origin, a huge answer (2 GB announced, streamed until the client hangs up), an
endless chunked answer, 1 MB of gzip that inflates to 1 GiB, headers dripped one byte a second, JSON nested
200,000 deep, and the caller's key echoed back in the body, the headers, the reason phrase and
`WWW-Authenticate`. Every attack ends on its own within
`MAX_SECONDS`, so a judge that never stops cannot keep a test (or this server) running.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ATTACKS = ("redirect", "huge", "endless", "bomb", "drip", "nested", "echo", "throttle-delete")
MAX_SECONDS = 120.0
NESTING = 200_000
CHUNK = b"x" * 65536


@dataclass
class Hostility:
    """What the server does: *attack* from the request numbered *after* on (0: from the first, preflight's)."""

    attack: str
    after: int = 0
    redirect_to: str = "http://127.0.0.1:9/elsewhere"
    requests: int = 0
    paths: list[str] = field(default_factory=list)
    keys_seen: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _any(self) -> None:
        hostility = self.server.hostility
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(min(length, 1 << 20))
        with hostility.lock:
            number = hostility.requests
            hostility.requests += 1
            hostility.paths.append(f"{self.command} {self.path}")
        key = _key(self.headers.get("Authorization", ""))
        if key:
            hostility.keys_seen.add(key)
        attack = hostility.attack
        if number < hostility.after and not (attack == "throttle-delete" and self.command == "DELETE"):
            return self._send(200, b"[]" if self.command == "GET" and self.path.rstrip("/").endswith("/users") else
                              b'{"status": 404, "error": "Not found"}', status_for_other=404)  # fmt: skip
        with contextlib.suppress(OSError):  # the judge hanging up is what a bounded judge does
            getattr(self, "_" + attack.replace("-", "_"))(key)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _any  # noqa: N815 (http.server's names)

    def _send(self, status: int, body: bytes, status_for_other: int | None = None, **headers: str) -> None:
        if status_for_other is not None and body != b"[]":
            status = status_for_other
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, key: str) -> None:
        self.send_response(307)
        self.send_header("Location", self.server.hostility.redirect_to)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _huge(self, key: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(2 * 1024**3))
        self.end_headers()
        self._stream(lambda: self.wfile.write(CHUNK))

    def _endless(self, key: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.write(b"1\r\n[\r\n")
        self._stream(lambda: self.wfile.write(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK)))

    def _bomb(self, key: str) -> None:
        body = _bomb()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drip(self, key: str) -> None:
        self.wfile.write(b"HTTP/1.1 200 OK\r\n")

        def one_byte() -> None:
            self.wfile.write(b"X")
            self.wfile.flush()
            time.sleep(1.0)

        self._stream(one_byte)

    def _nested(self, key: str) -> None:
        self._send(200, b"[" * NESTING + b"]" * NESTING)

    def _echo(self, key: str) -> None:
        pair = f"{self.headers.get('Authorization', '')}"
        body = json.dumps(
            {"status": 422, "error": f"bad key {key}", "key": key, "cut": key[:22], "upper": key.upper(), "auth": pair}
        )
        self.send_response(422, f"Unprocessable {key}")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("WWW-Authenticate", f'Basic realm="{key}"')
        self.send_header("X-Echo", key)
        self.send_header("X-Echo-Auth", pair)
        self.send_header("X-Echo-Cut", key[:22])
        self.send_header("X-Echo-Upper", key.upper())
        self.end_headers()
        self.wfile.write(body.encode())

    def _throttle_delete(self, key: str) -> None:
        self._send(429, b'{"status": 429, "error": "Too many requests"}', Retry_After="0")

    def _stream(self, write: Any) -> None:
        deadline = time.monotonic() + MAX_SECONDS
        while time.monotonic() < deadline and not self.server.stopping.is_set():
            write()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    hostility: Hostility
    stopping: threading.Event

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a judge hanging up mid-request is what a bounded judge does: no traceback for it


@functools.cache
def _bomb() -> bytes:
    """1 GiB of zeros as one gzip member of about 1 MB, made in a few seconds (gzip.compress takes 5 to 20 s).

    A deflate block ended by a full flush is byte-aligned and refers to nothing before it: the block of 1 MiB of
    zeros, repeated 1024 times, is the deflate stream of 1 GiB of them; only the CRC is computed over the whole.
    """
    zeros = bytes(1 << 20)
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(1024):
        crc = zlib.crc32(zeros, crc)
    end = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()  # an empty final block
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # gzip, deflate, no name or time, best compression
    return header + block * 1024 + end + struct.pack("<II", crc, (1024 << 20) & 0xFFFFFFFF)


def _key(authorization: str) -> str:
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "basic":
        return ""
    try:
        return base64.b64decode(value).decode().partition(":")[2]
    except ValueError:
        return ""


@contextlib.contextmanager
def hostile(hostility: Hostility) -> Iterator[str]:
    """Serve *hostility* on a free loopback port; yields the base URL."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.hostility = hostility
    server.stopping = threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
