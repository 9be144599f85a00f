"""The run object: one contract run's target, schema, guard, drift and leniency, and the spec's loaded schema.

The plugin keeps the run in `config.stash[RUN]`; fixtures and pytest hooks read it there. Checks and schemathesis
hooks run inside schemathesis, where neither fixtures nor the config reach them: they ask `current()`, the run in
progress (none for a raw `st run`).

Test modules use `schema()` when imported: schemathesis' eager `@schema.parametrize()` needs a schema then, and the
lazy `schemathesis.pytest.from_fixture` path reads `Function._nodeid`, which pytest 9.2 removed. A second run in the
same process finds those modules imported: the plugin aims their tests at its own schema when it collects them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest
from schemathesis import BaseSchema

from .guard import Guard
from .history import History
from .target import Target

if TYPE_CHECKING:
    from .calibration import Calibration
    from .checks import Drift
    from .leniency import Leniency
    from .verdict import Recorded


def _calibration() -> Calibration:
    from .calibration import Calibration  # imports this module: not importable when this one is

    return Calibration()


def _recorded() -> Recorded:
    from .verdict import Recorded

    return Recorded()


__all__ = ["RUN", "Run", "active", "current", "history", "schema"]


@dataclass
class Run:
    target: Target
    schema: BaseSchema
    guard: Guard
    drift: Drift
    leniency: Leniency
    # The operations schemathesis' `ignored_auth` has seen refuse missing and wrong credentials (checks.py).
    auth_enforced: set[str] = field(default_factory=set)
    # What the run learnt about the contract's decisions, and each schemathesis failure's check and cURL command:
    # kept here, not in module globals, so that a second run in the process starts from nothing of the first's.
    calibration: Calibration = field(default_factory=_calibration)
    recorded: Recorded = field(default_factory=_recorded)


RUN = pytest.StashKey[Run]()
_CURRENT: list[Run] = []


def active() -> bool:
    """Whether a run is in progress (checks imported by a raw `st run` have none)."""
    return bool(_CURRENT)


def current() -> Run:
    if not _CURRENT:
        raise RuntimeError("no contract run in progress: run the promises with `deployhq-contract` or pytest")
    return _CURRENT[-1]


def schema() -> BaseSchema:
    """The run's schema, aimed at its target."""
    return current().schema


def history() -> History:
    """What the run last wrote to each user; empty outside a run (a check imported by a raw `st run`)."""
    return current().guard.history if _CURRENT else History()


def start(run: Run) -> None:
    _CURRENT.append(run)


def stop() -> None:
    _CURRENT.clear()
