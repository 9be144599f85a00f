"""Fixtures of the bench's tests: servers that answer late, and free loopback ports."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from .late_server import LateServer

# Long enough that a request sent at once is certainly not answered yet; short enough for a unit test.
DELAY = 1.0


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def late_server(request: pytest.FixtureRequest) -> Iterator[LateServer]:
    """A server listening now and answering after DELAY; an indirect parameter sets the status POSTs get."""
    server = LateServer(DELAY, getattr(request, "param", 201))
    server.start()
    try:
        yield server
    finally:
        server.stop()
