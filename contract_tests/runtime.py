"""The run's target and loaded schema, set up once in `pytest_configure` before test modules import.

Test modules use `schema()` at import time: schemathesis' eager `@schema.parametrize()` needs the
schema then. (The lazy `schemathesis.pytest.from_fixture` path reads `Function._nodeid`, which
pytest 9.2 removed.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .target import Target

__all__ = ["Run", "current", "schema"]


@dataclass
class Run:
    target: Target
    schema: Any


_CURRENT: list[Run] = []


def current() -> Run:
    if not _CURRENT:
        raise RuntimeError("the contract suite is not configured: run it with pytest from the repository root")
    return _CURRENT[-1]


def schema() -> Any:
    return current().schema


def start(run: Run) -> None:
    _CURRENT.append(run)


def stop() -> None:
    _CURRENT.clear()
