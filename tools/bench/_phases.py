"""A pytest plugin for the breakdown (`-p bench._phases`): wall time and requests of each test, written as JSON.

Requests are the run's own count (the guard books every request the suite sends, schemathesis' probes included).
The last test's teardown holds the session's: the cleanup of the users a run created on an external target.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deployhq_contract import runtime

OUTPUT_VARIABLE = "BENCH_PHASES_OUTPUT"

_rows: list[dict[str, Any]] = []
_marks: dict[str, float] = {}


def _requests() -> int:
    return runtime.current().guard.requests_sent if runtime.active() else 0


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    _marks["configured"] = time.time()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    _marks.setdefault("first_test", time.time())
    started, sent = time.perf_counter(), _requests()
    try:
        return (yield)
    finally:
        _rows.append(
            {
                "nodeid": item.nodeid,
                "file": Path(str(item.path)).name,
                "seconds": time.perf_counter() - started,
                "requests": _requests() - sent,
                "last": nextitem is None,
            }
        )
        _marks["last_test_end"] = time.time()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """The session's teardown (cleanup) happens inside the last test's: timed apart."""
    started, sent = time.perf_counter(), _requests()
    try:
        return (yield)
    finally:
        if nextitem is None:
            _marks["cleanup_seconds"] = time.perf_counter() - started
            _marks["cleanup_requests"] = _requests() - sent


def pytest_unconfigure(config: pytest.Config) -> None:
    output = os.environ.get(OUTPUT_VARIABLE)
    if output:
        Path(output).write_text(json.dumps({"tests": _rows, "marks": {**_marks, "end": time.time()}}, indent=1))
