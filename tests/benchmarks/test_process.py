"""bench/_process.py: a server process is waited for until it answers, and a server that never does is reported."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

from bench._harness import NotMeasured
from bench._process import running, wait_until_answering

from .conftest import DELAY, free_port
from .late_server import LateServer

LATE_SCRIPT = str(Path(__file__).with_name("late_server.py"))


def test_server_that_binds_late_is_answering_when_running_yields() -> None:
    """A process that prints its address and binds a second later answers the very first request made after start."""
    with running([sys.executable, LATE_SCRIPT, str(free_port()), str(DELAY)]) as server:
        response = httpx.get(server.url, timeout=0.5)

    assert 204 == response.status_code


def test_server_process_is_stopped_when_the_block_raises() -> None:
    """Leaving `running` by an exception still stops the server process."""
    with pytest.raises(ZeroDivisionError), running([sys.executable, LATE_SCRIPT, str(free_port()), "0"]) as server:
        1 / 0  # noqa: B018 - the exception is the point

    assert server.process.poll() is not None


def test_wait_returns_once_a_listening_server_starts_answering(late_server: LateServer) -> None:
    """A server that queues requests before its loop runs is waited for, not reported as failed."""
    wait_until_answering(late_server.url, timeout=30)

    assert 204 == httpx.get(late_server.url, timeout=0.5).status_code


def test_closed_port_is_not_measured_within_the_timeout() -> None:
    """Nothing listening: NotMeasured naming the address and the time waited, not a hang or a crash."""
    url = f"http://127.0.0.1:{free_port()}"

    with pytest.raises(NotMeasured, match=rf"the server at {url} gave no answer within 0\.3 s \(ConnectError\)"):
        wait_until_answering(url, timeout=0.3)


def test_server_that_exits_before_answering_is_not_measured() -> None:
    """A process that prints its address and dies is reported with its exit code."""
    script = f"print('dead: serving at http://127.0.0.1:{free_port()}', flush=True); raise SystemExit(3)"

    with (
        pytest.raises(NotMeasured, match="exited with code 3 before answering"),
        running([sys.executable, "-c", script]),
    ):
        pass


def test_process_that_never_gives_its_address_is_not_measured() -> None:
    """A process whose first line is not its address is reported with that line."""
    with (
        pytest.raises(NotMeasured, match="its first line was 'hello'"),
        running([sys.executable, "-c", "print('hello')"]),
    ):
        pass
