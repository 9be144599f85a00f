"""A loopback HTTP server that answers only after a delay, for the bench's tests of waiting and warm-ups.

As a script (`python late_server.py PORT DELAY`) it prints its address line first and binds only after DELAY,
as a server process that is slow to start; `LateServer` listens at once but starts answering only after the
delay, as a server whose loop is not running yet: requests queue instead of being refused.
"""

from __future__ import annotations

import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer
from typing import Any

BODY = b'{"id": 1}'


class Answer(BaseHTTPRequestHandler):
    """Answers GET with 204 and POST with the server's status, and counts the POSTs."""

    server: Any

    def do_GET(self) -> None:
        self.send_response(204)
        self.end_headers()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with self.server.lock:
            self.server.posts += 1
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests read figures, not access logs."""


class LateServer(ThreadingHTTPServer):
    """Listens from construction; answers (POST with *status*) only *delay* seconds after `start()`."""

    daemon_threads = True

    def __init__(self, delay: float, status: int = 201) -> None:
        super().__init__(("127.0.0.1", 0), Answer)
        self.delay, self.status, self.posts, self.lock = delay, status, 0, threading.Lock()
        self.thread = threading.Thread(target=self._serve_late, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def _serve_late(self) -> None:
        time.sleep(self.delay)
        self.serve_forever(poll_interval=0.05)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.shutdown()  # returns once serve_forever has run and stopped, even if it had not started yet
        self.server_close()
        self.thread.join()


def main() -> None:
    port, delay = int(sys.argv[1]), float(sys.argv[2])
    print(f"late: serving at http://127.0.0.1:{port}", flush=True)
    time.sleep(delay)
    HTTPServer(("127.0.0.1", port), Answer).serve_forever()


if __name__ == "__main__":
    main()
