"""Leniency: invalid generated data that a live target accepts, reported instead of failed.

A real Rails app is often more forgiving than this exact spec (an unknown extra field, a `null` last
name): worth knowing, but no broken promise for a client that never sends such input. So against a live
target, without `--contract-strict`, schemathesis' `negative_data_rejection` verdicts are collected here
and listed in the summary. The explicit promises (a missing first name, a malformed or taken address,
an unknown zone, ...) stay failures everywhere, and every other target is judged strictly.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import schemathesis
from schemathesis.core.failures import Failure
from schemathesis.specs.openapi.checks import negative_data_rejection

from . import runtime

__all__ = ["Leniency", "Lenient", "forgive", "negative_data_leniency"]

MAX_EXAMPLES = 5


@dataclass(frozen=True)
class Lenient:
    """One accepted request with invalid data."""

    operation: str
    status: int
    what: str  # schemathesis' description of the invalid part
    curl: str  # credentials filtered


class Leniency:
    """Every lenient acceptance of the run, per operation."""

    def __init__(self) -> None:
        self.found: list[Lenient] = []
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Forget an earlier run's leniency (a second run in the same process)."""
        with self._lock:
            self.found.clear()

    def add(self, found: Lenient) -> None:
        with self._lock:
            self.found.append(found)

    def by_operation(self) -> dict[str, list[Lenient]]:
        with self._lock:
            grouped: dict[str, list[Lenient]] = {}
            for found in self.found:
                grouped.setdefault(found.operation, []).append(found)
            return grouped


def lenient() -> bool:
    """Whether this run forgives accepted invalid data (a live target, without --contract-strict)."""
    return runtime.active() and not runtime.current().target.strict


def forgive(response: Any, what: str) -> None:
    """In a lenient run, an accepted request whose only fault is schema strictness is noted and not judged."""
    if lenient() and 200 <= response.status_code < 300:
        from .api import exchange

        request = response.request
        command = exchange(response).partition("request: ")[2].partition("\n")[0]
        runtime.current().leniency.add(
            Lenient(f"{request.method} {request.path_url}", response.status_code, what, command)
        )
        import pytest

        pytest.skip(f"leniency: {what} was accepted ({response.status_code}); --contract-strict fails on it")


@schemathesis.check
def negative_data_leniency(ctx: Any, response: Any, case: Any) -> bool | None:
    """Against a lenient target: note invalid generated data that was accepted, instead of failing on it."""
    if not lenient():
        return None  # strict runs keep the built-in negative_data_rejection
    try:
        negative_data_rejection(ctx, response, case)
    except Failure as failure:
        what = str(getattr(failure, "message", failure)).partition("Invalid component:")[2].strip()
        label, curl = case.operation.label, case.as_curl_command()
        runtime.current().leniency.add(Lenient(label, response.status_code, what or "invalid data", curl))
    return True
