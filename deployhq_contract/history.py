"""What the server last said about each user the run wrote to: reads and lists must agree with it.

The guard feeds it every answer to a write (an invitation's 201, an update's 200, a removal's 200); the
checks compare every later read of those users with it. Only users the run itself created or changed are
tracked, so other users of a real account never make a verdict.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

__all__ = ["History"]


class History:
    """Per user identifier: the answers to the writes, in order, and whether the user was removed."""

    def __init__(self) -> None:
        self._writes: dict[str, list[dict[str, Any]]] = {}
        self._removed: set[str] = set()
        # The identifiers of alive(), in the order first written: asked before every fuzzed request on one user.
        self._alive: dict[str, None] = {}
        self._lock = threading.Lock()

    def wrote(self, identifier: str, user: Mapping[str, Any]) -> None:
        """The server answered a write to *identifier* with *user*."""
        with self._lock:
            self._writes.setdefault(identifier, []).append(dict(user))
            self._removed.discard(identifier)
            self._alive[identifier] = None

    def removed(self, identifier: str) -> None:
        """The server said *identifier* was removed."""
        with self._lock:
            if identifier in self._writes:
                self._removed.add(identifier)
                self._alive.pop(identifier, None)

    def forget(self, identifier: str) -> None:
        """A write to *identifier* got no answer: what the server holds is unknown, so nothing is judged on it."""
        with self._lock:
            self._writes.pop(identifier, None)
            self._removed.discard(identifier)
            self._alive.pop(identifier, None)

    def latest(self, identifier: str) -> dict[str, Any] | None:
        """The last answer to a write to *identifier*, if the user is tracked and not removed."""
        with self._lock:
            writes = self._writes.get(identifier)
            return dict(writes[-1]) if writes and identifier not in self._removed else None

    def before_latest(self, identifier: str) -> dict[str, Any] | None:
        """The answer to the write before the last one (the user as it was before the latest change)."""
        with self._lock:
            writes = self._writes.get(identifier)
            return dict(writes[-2]) if writes and len(writes) >= 2 else None

    def is_removed(self, identifier: str) -> bool:
        with self._lock:
            return identifier in self._removed

    def alive(self) -> dict[str, dict[str, Any]]:
        """Every tracked user that was not removed, as last written."""
        with self._lock:
            return {i: dict(w[-1]) for i, w in self._writes.items() if w and i not in self._removed}

    def alive_identifiers(self) -> list[str]:
        """The identifiers of alive() in the order the run first wrote them, without copying any user."""
        with self._lock:
            return list(self._alive)

    def removed_identifiers(self) -> set[str]:
        with self._lock:
            return set(self._removed)
