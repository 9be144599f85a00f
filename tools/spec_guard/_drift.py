"""Every difference between the vendor's facts and ours, and the checked-in reasons for the ones we keep."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from spec_guard._document import SpecError, load
from spec_guard._facts import BODY, Body, Field, Operation, Parameter


@dataclass(frozen=True)
class Difference:
    """One fact that differs: the operation (our path where we have it), what part of it, and how."""

    operation: str
    subject: str
    detail: str

    def __str__(self) -> str:
        return f"{self.operation} | {self.subject} | {self.detail}"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


class Comparison:
    """Vendor facts against our facts, collecting differences in the order of the vendor's document."""

    def __init__(self) -> None:
        self.found: list[Difference] = []

    def add(self, operation: str, subject: str, detail: str) -> None:
        self.found.append(Difference(operation, subject, detail))

    def value(self, operation: str, subject: str, aspect: str, vendor: str, ours: str) -> None:
        if vendor != ours:
            self.add(operation, subject, f"{aspect}: vendor {vendor}, ours {ours}")

    def operations(self, vendor: list[Operation], ours: list[Operation]) -> list[Difference]:
        our_keys = {operation.key: operation for operation in ours}
        vendor_keys = {operation.key for operation in vendor}
        for theirs in vendor:
            mine = our_keys.get(theirs.key)
            if mine is None:
                self.add(f"{theirs.method} {theirs.path}", "operation", "vendor has it, ours does not")
            else:
                self.operation(theirs, mine)
        for mine in ours:
            if mine.key not in vendor_keys:
                self.add(f"{mine.method} {mine.path}", "operation", "ours has it, vendor does not")
        return self.found

    def operation(self, theirs: Operation, mine: Operation) -> None:
        label = f"{mine.method} {mine.path}"
        self.value(label, "operationId", "operationId", str(theirs.operation_id), str(mine.operation_id))
        self.parameters(label, theirs.parameters, mine.parameters)
        self.request(label, theirs, mine)
        for status in dict.fromkeys([*theirs.responses, *mine.responses]):
            subject = f"status {status}"
            if status not in mine.responses:
                self.add(label, subject, "vendor has it, ours does not")
            elif status not in theirs.responses:
                self.add(label, subject, "ours has it, vendor does not")
            else:
                self.body(label, f"response {status}", theirs.responses[status], mine.responses[status])

    def parameters(self, label: str, theirs: Iterable[Parameter], mine: Iterable[Parameter]) -> None:
        # Path parameters are matched by position (their names are the path's placeholders), others by name.
        def keyed(parameters: Iterable[Parameter]) -> dict[tuple[str, str], Parameter]:
            found: dict[tuple[str, str], Parameter] = {}
            position = 0
            for parameter in parameters:
                if parameter.location == "path":
                    position += 1
                    found["path", str(position)] = parameter
                else:
                    found[parameter.location, parameter.name] = parameter
            return found

        vendor, ours = keyed(theirs), keyed(mine)
        for key in dict.fromkeys([*vendor, *ours]):
            location, name = key
            subject = f"path parameter {name}" if location == "path" else f"{location} parameter `{name}`"
            if key not in ours:
                self.add(label, subject, "vendor has it, ours does not")
            elif key not in vendor:
                self.add(label, subject, "ours has it, vendor does not")
            else:
                self.value(label, subject, "name", vendor[key].name, ours[key].name)
                self.value(label, subject, "type", vendor[key].type, ours[key].type)
                self.value(label, subject, "required", _yes(vendor[key].required), _yes(ours[key].required))

    def request(self, label: str, theirs: Operation, mine: Operation) -> None:
        if theirs.request is None and mine.request is None:
            return
        if mine.request is None:
            self.add(label, "request body", "vendor has it, ours does not")
        elif theirs.request is None:
            self.add(label, "request body", "ours has it, vendor does not")
        else:
            self.value(label, "request body", "required", _yes(theirs.request_required), _yes(mine.request_required))
            self.body(label, "request", theirs.request, mine.request)

    def body(self, label: str, place: str, theirs: Body, mine: Body) -> None:
        self.value(label, f"{place} body", "media types", ", ".join(theirs.media), ", ".join(mine.media))
        vendor = {field.name: field for field in theirs.fields}
        ours = {field.name: field for field in mine.fields}
        for name in dict.fromkeys([*vendor, *ours]):
            subject = f"{place} body" if name == BODY else f"{place} field `{name}`"
            if name not in ours:
                self.add(label, subject, "vendor has it, ours does not")
            elif name not in vendor:
                self.add(label, subject, "ours has it, vendor does not")
            else:
                self.field(label, subject, vendor[name], ours[name], root=name == BODY)

    def field(self, label: str, subject: str, theirs: Field, mine: Field, *, root: bool) -> None:
        self.value(label, subject, "type", theirs.type, mine.type)
        if not root:  # a body is there or not as a whole; that is the request body's `required`
            self.value(label, subject, "required", _yes(theirs.required), _yes(mine.required))


def differences(vendor: list[Operation], ours: list[Operation]) -> list[Difference]:
    """Every difference between the vendor's facts and ours."""
    return Comparison().operations(vendor, ours)


@dataclass(frozen=True)
class Explanation:
    """A difference we keep on purpose: the patterns it matches (`*` is any text) and why we keep it."""

    patterns: tuple[str, ...]
    reason: str

    def matches(self, difference: Difference) -> str | None:
        """The first pattern that matches the whole of *difference*, or None."""
        text = str(difference)
        for pattern in self.patterns:
            if re.fullmatch(".*".join(re.escape(part) for part in pattern.split("*")), text):
                return pattern
        return None


def read_explanations(path: Path) -> list[Explanation]:
    """The explanations file: a list of `{match: pattern or [patterns], reason: text}`."""
    data = load(path) if path.is_file() else {"explained": []}
    entries = data.get("explained")
    if not isinstance(entries, list):
        raise SpecError(f"{path.name} needs an `explained:` list of {{match, reason}} entries")
    found: list[Explanation] = []
    for number, entry in enumerate(entries, start=1):
        match = entry.get("match") if isinstance(entry, dict) else None
        reason = entry.get("reason") if isinstance(entry, dict) else None
        patterns = [match] if isinstance(match, str) else match
        if not isinstance(patterns, list) or not patterns or not all(isinstance(p, str) for p in patterns):
            raise SpecError(f"{path.name}: entry {number} needs `match:`, a pattern or a list of patterns")
        if not isinstance(reason, str) or not reason.strip():
            raise SpecError(f"{path.name}: entry {number} ({patterns[0]}) needs a `reason:`")
        found.append(Explanation(tuple(patterns), reason.strip()))
    return found


@dataclass
class Verdict:
    """Each difference with its explanation (or none), and the patterns that explain nothing any more."""

    explained: list[tuple[Difference, Explanation]]
    unexplained: list[Difference]
    stale: list[str]


def judge(found: list[Difference], explanations: list[Explanation]) -> Verdict:
    """Match each difference with the first explanation that covers it."""
    used: set[str] = set()
    verdict = Verdict([], [], [])
    for difference in found:
        for explanation in explanations:
            pattern = explanation.matches(difference)
            if pattern is not None:
                used.add(pattern)
                verdict.explained.append((difference, explanation))
                break
        else:
            verdict.unexplained.append(difference)
    verdict.stale = [p for explanation in explanations for p in explanation.patterns if p not in used]
    return verdict
