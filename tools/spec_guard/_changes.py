"""What the comparison reports: one change, its weight for a client, and where it is."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.IntEnum):
    """How a change weighs for a program written against the older document; higher is heavier."""

    DOCUMENTATION = 0  # nothing a client sends or receives changed: at least a patch release
    ADDITIVE = 1  # a client may send or receive more, or is promised more: at least a minor release
    BREAKING = 2  # some client that worked before may fail: the next major release

    @property
    def label(self) -> str:
        """The word the gate prints before the change."""
        return {0: "documentation", 1: "compatible", 2: "breaking"}[self.value]


@dataclass(frozen=True)
class Change:
    """One difference between two documents, in words a client's author understands."""

    severity: Severity
    where: str  # "POST /users (createUser)", or "the document" for changes outside operations
    what: str  # "request body field `user.role` is new and required"
    # Words of which the CHANGELOG must mention one when the change breaks: the field, parameter, status,
    # operation or schema it is about.
    subjects: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.severity.label}: {self.where}: {self.what}"
