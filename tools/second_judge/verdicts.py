"""What Prism's log says about the answers it saw: how many it judged, and every response violation."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["PrismLog", "Violation"]

# `[VALIDATOR] ✖  error     Violation: response.body Response body must have required property 'time_zone'`;
# an answer with a status the spec does not list is `⚠  warning   Violation: response Unable to match ...`.
_VIOLATION = re.compile(r"\b(?P<severity>\w+)\s+Violation: (?P<side>request|response)(?P<where>\S*) (?P<message>.*)$")
_FORWARDED = re.compile(r"The upstream call to \S+ has returned \d{3}\b")
_TERMINATED = "Request terminated with error"


@dataclass(frozen=True, order=True)
class Violation:
    """One thing Prism found wrong with an answer: its severity, where (`response.body`, ...) and what."""

    severity: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.where}: {self.message}"


@dataclass(frozen=True)
class PrismLog:
    """The counts in one Prism log: answers judged, response violations by kind, request violations, failures."""

    forwarded: int = 0
    response: Counter[Violation] = field(default_factory=Counter)
    request: int = 0
    terminated: int = 0

    @property
    def response_violations(self) -> int:
        """Every `Violation: response` line, errors and warnings alike."""
        return sum(self.response.values())

    @classmethod
    def parse(cls, text: str) -> PrismLog:
        """Count what *text*, the output of `prism proxy`, records."""
        forwarded = request = terminated = 0
        response: Counter[Violation] = Counter()
        for line in text.splitlines():
            if _FORWARDED.search(line):
                forwarded += 1
            elif _TERMINATED in line:
                terminated += 1
            elif match := _VIOLATION.search(line):
                if match["side"] == "request":
                    request += 1
                else:
                    response[Violation(match["severity"], "response" + match["where"], match["message"].strip())] += 1
        return cls(forwarded, response, request, terminated)

    @classmethod
    def read(cls, path: Path) -> PrismLog:
        """Count what the Prism log at *path* records (nothing, when there is no such file)."""
        try:
            return cls.parse(path.read_text(encoding="utf-8", errors="replace"))
        except FileNotFoundError:
            return cls()
