"""deployhq_contract/bounded.py: a request past its time is cut, and timing requests costs no thread per request."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from deployhq_contract.bounded import BoundedSession, Limits, UnboundedAnswerError


class _Answer(BaseHTTPRequestHandler):
    """GET / answers at once; GET /late drips its answer, a byte every 0.1 s for 1.2 s (no read waits long)."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        body = b'{"a": "bcd"}' if self.path == "/late" else b"{}"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.path == "/late":
            for byte in body:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.1)
        else:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests read outcomes, not access logs."""


@pytest.fixture(name="server")
def _server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_requests_on_time_start_no_thread_each(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fifty answered requests in a row start at most one thread (the watchdog), not a timer each."""
    started: list[str] = []
    start = threading.Thread.start

    def counting(thread: threading.Thread) -> None:
        started.append(thread.name)
        start(thread)

    with BoundedSession(Limits(request_seconds=5)) as session:
        session.get(server + "/")  # the first request of the process may start the watchdog
        monkeypatch.setattr(threading.Thread, "start", counting)
        statuses = {session.get(server + "/").status_code for _ in range(50)}

    assert ({200}, []) == (statuses, started)


def test_answer_not_whole_in_time_is_cut_after_answers_on_time(server: str) -> None:
    """After requests that ended on time, one whose answer drips past the limit is cut at the limit, not later."""
    with BoundedSession(Limits(request_seconds=0.3)) as session:
        for _ in range(5):
            assert 200 == session.get(server + "/").status_code
        began = time.monotonic()
        with pytest.raises(UnboundedAnswerError, match=r"no whole answer within 0\.3 s"):
            session.get(server + "/late")
        waited = time.monotonic() - began

    assert 0.25 < waited < 0.9, f"cut after {waited:.2f} s"
