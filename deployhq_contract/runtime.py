"""The run's target, loaded schema and guard, set up once in `pytest_configure` before test modules import.

Test modules use `schema()` at import time: schemathesis' eager `@schema.parametrize()` needs the
schema then. (The lazy `schemathesis.pytest.from_fixture` path reads `Function._nodeid`, which
pytest 9.2 removed.) Checks use `history()`: they run inside schemathesis, where no fixture reaches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .guard import Guard
from .history import History
from .target import Target

__all__ = ["Run", "active", "current", "history", "schema"]


@dataclass
class Run:
    target: Target
    schema: Any
    guard: Guard


_CURRENT: list[Run] = []


def active() -> bool:
    """Whether a run is configured (checks imported by a raw `st run` have none)."""
    return bool(_CURRENT)


def current() -> Run:
    if not _CURRENT:
        raise RuntimeError("the contract suite is not configured: run it with pytest from the repository root")
    return _CURRENT[-1]


def schema() -> Any:
    return current().schema


def history() -> History:
    """What the run last wrote to each user; empty outside a run (a check imported by a raw `st run`)."""
    return current().guard.history if _CURRENT else History()


def start(run: Run) -> None:
    _CURRENT.append(run)


def stop() -> None:
    _CURRENT.clear()
