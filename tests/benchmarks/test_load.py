"""bench/_load.py and bench.server.load: runs bounded by a count, never empty, refusing what they cannot measure."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bench import _load
from bench._harness import NotMeasured
from bench.server import load

from .late_server import LateServer


def run(capsys: pytest.CaptureFixture[str], url: str, *options: str) -> dict[str, Any]:
    """One in-process load run; the JSON line it prints."""
    code = _load.main([url, "--email", "a@example.com", "--api-key", "k", "--tag", "test", *options])
    assert 0 == code
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    return result


def test_count_bounded_run_sends_exactly_its_count(capsys: pytest.CaptureFixture[str], late_server: LateServer) -> None:
    """Without --seconds a run (a warm-up) sends exactly --max-requests, however late the server answers."""
    result = run(capsys, late_server.url, "--threads", "3", "--max-requests", "7")

    assert ({"201": 7}, 7) == (result["statuses"], late_server.posts)


def test_timed_run_over_before_any_thread_starts_is_not_empty(
    capsys: pytest.CaptureFixture[str], late_server: LateServer
) -> None:
    """A time bound over before any thread starts (a busy machine) still gives one answer each, not `statuses {}`."""
    result = run(capsys, late_server.url, "--threads", "2", "--seconds", "1e-9")

    assert ({"201": 2}, {}) == (result["statuses"], result["errors"])


def test_transport_errors_are_counted_not_fatal(capsys: pytest.CaptureFixture[str]) -> None:
    """A request that fails to connect is counted by kind and the run still ends with its figures."""
    server = LateServer(0)  # bound, then closed before anything answers: every connect is refused
    url = server.url
    server.server_close()

    result = run(capsys, url, "--threads", "2", "--max-requests", "4")

    assert (0, {"ConnectError": 4}) == (result["requests"], result["errors"])


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--threads", "0", "must be at least 1, got 0"),
        ("--max-requests", "-5", "must be at least 1, got -5"),
        ("--seconds", "0", "must be a number of seconds above 0, got 0"),
        ("--seconds", "-1", "must be a number of seconds above 0, got -1"),
        ("--seconds", "nan", "must be a number of seconds above 0, got nan"),
    ],
)
def test_bound_that_would_send_nothing_is_refused(
    capsys: pytest.CaptureFixture[str], option: str, value: str, message: str
) -> None:
    """Zero or negative bounds are a usage error naming the option, not an empty run."""
    with pytest.raises(SystemExit) as exit_:
        _load.main(["http://127.0.0.1:1", "--email", "a@example.com", "--api-key", "k", "--tag", "t", option, value])

    assert 2 == exit_.value.code
    assert f"argument {option}: {message}" in capsys.readouterr().err


def test_host_other_than_loopback_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """The load generator never sends to a host off this machine."""
    code = _load.main(["http://example.invalid", "--email", "a@example.com", "--api-key", "k", "--tag", "t"])

    assert 2 == code
    assert "only targets loopback" in capsys.readouterr().err


def test_count_bounded_warm_up_process_measures_a_late_server(late_server: LateServer) -> None:
    """`load` with only a count runs the generator as its own process and returns the figures of every answer."""
    figures = load(late_server.url, "warm", max_requests=5, threads=2)

    assert (5, {}) == (figures["requests"], figures["errors"])


@pytest.mark.parametrize("late_server", [500], indirect=True)
def test_answers_other_than_created_are_not_measured(late_server: LateServer) -> None:
    """A server answering 500 makes the run NotMeasured, naming the statuses, not a figure of failures."""
    with pytest.raises(NotMeasured, match=r"load run broken got statuses \{'500': 3\}"):
        load(late_server.url, "broken", max_requests=3, threads=1)
