"""The verdict a person reads: per operation, each promise kept, broken or not judged, and what the run saw.

Written as Markdown next to the JUnit report (`reports/contract-summary.md`) and appended to
`$GITHUB_STEP_SUMMARY` when that is set. Built from the test reports, the guard's counts and the spec:
no credential can reach it (reproduce commands come filtered).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .checks import DRIFT
from .guard import CLEANUP_COMMAND, Guard
from .leniency import LENIENCY
from .operations import OPERATIONS
from .spec import document
from .target import Target

__all__ = ["BROKEN_MARK", "Outcome", "Summary"]

# How a failed `assert [] == <broken promises>` lists each one (conftest.pytest_assertrepr_compare).
BROKEN_MARK = "  broken: "

ACROSS = "(across operations)"
_BY_LABEL = {operation.label: operation.operation_id for operation in OPERATIONS.values()}
_CURL = re.compile(r"curl -X [^\n]+")
# A custom check's failure, then (two lines on, in schemathesis' exception-group rendering) its message.
_CUSTOM_CHECK = re.compile(r"Custom check failed: `(\w+)`\s*\n[\s|]*\n[\s|]*([^\n]+)")
_CHECK_TITLE = re.compile(r"^\s*(?:\+\s*)?(?:\|\s*)?(?:- )?((?:ST\d+ )?[A-Z][^\n]{3,120})$", re.MULTILINE)


@dataclass
class Outcome:
    """One test's result, as the summary needs it."""

    nodeid: str
    operations: tuple[str, ...]
    promise: str
    outcome: str  # "passed", "failed", "skipped"
    reason: str = ""
    details: list[str] = field(default_factory=list)
    # Judged only when its situation arises (a 429): unjudged, it does not make the run's verdict partial.
    conditional: bool = False
    source: str = ""  # where the promise comes from (provenance.SOURCES): "decided", "vendor-docs (page)", ...


@dataclass
class Promise:
    """One promise (a test function) on one operation, over all its parameters."""

    text: str
    conditional: bool = False
    source: str = ""
    kept: int = 0
    broken: list[Outcome] = field(default_factory=list)
    not_judged: list[str] = field(default_factory=list)
    # Broken, but only a decision of this contract, against a live target without --contract-strict.
    differs: list[Outcome] = field(default_factory=list)

    @property
    def decided(self) -> bool:
        return self.source == "decided"

    @property
    def verdict(self) -> str:
        if self.broken:
            return "**broken**"
        if self.differs:
            return "differs (decided)"
        if self.kept:
            return "kept"
        return "not judged"


class Summary:
    """Collects outcomes during the run; renders the Markdown summary and the console's last lines."""

    def __init__(self) -> None:
        self.outcomes: list[Outcome] = []

    def add(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)

    @staticmethod
    def describe(item: Any) -> tuple[tuple[str, ...], str]:
        """The operations a test item judges and its promise, from its markers, parameters and docstring."""
        operations = tuple(dict.fromkeys(m.args[0] for m in item.iter_markers("operation") if m.args))
        label = item.name.partition("[")[2].rstrip("]")
        if not operations and label in _BY_LABEL:
            operations = (_BY_LABEL[label],)
        doc = (getattr(item, "obj", None).__doc__ or item.name) if hasattr(item, "obj") else item.name
        return operations or (ACROSS,), doc.strip().splitlines()[0]

    @staticmethod
    def failure_details(text: str) -> list[str]:
        """What broke and how to reproduce it, from a failure's long text: never more than a few lines."""
        found: list[str] = []
        for line in text.splitlines():
            body = line[1:].strip() if line.startswith("E ") else ""
            if body.startswith(BROKEN_MARK.strip()):
                found.append(body.removeprefix(BROKEN_MARK.strip()).strip())
        found += [f"{m.group(1)}: {m.group(2).strip()[:300]}" for m in _CUSTOM_CHECK.finditer(text)]
        found += [m.group(1).strip() for m in _CHECK_TITLE.finditer(text) if _looks_like_check(m.group(1))]
        found += [m.group(0) for m in _CURL.finditer(text)]
        return list(dict.fromkeys(found))[:6]

    def promises(self) -> dict[str, dict[str, Promise]]:
        """operationId -> promise text -> its verdict, in the spec's order of operations."""
        table: dict[str, dict[str, Promise]] = {o: {} for o in [*OPERATIONS, ACROSS]}
        for outcome in self.outcomes:
            for operation in outcome.operations:
                promise = table.setdefault(operation, {}).setdefault(
                    outcome.promise, Promise(outcome.promise, outcome.conditional, outcome.source)
                )
                if outcome.outcome == "differs":
                    promise.differs.append(outcome)
                elif outcome.outcome == "passed":
                    promise.kept += 1
                elif outcome.outcome == "failed":
                    promise.broken.append(outcome)
                else:
                    promise.not_judged.append(outcome.reason)
        return table

    def not_judged(self) -> list[tuple[str, Promise]]:
        """The promises no test judged, but for those whose situation never arose (`conditional`)."""
        table = self.promises()
        return [
            (o, p) for o, ps in table.items() for p in ps.values() if p.verdict == "not judged" and not p.conditional
        ]

    def broken(self) -> list[tuple[str, Promise]]:
        return [(o, p) for o, promises in self.promises().items() for p in promises.values() if p.broken]

    def differing(self) -> list[tuple[str, Promise]]:
        """Promises that only a decision of this contract makes broken: failed ones (strict runs) or forgiven."""
        table = self.promises().items()
        return [(o, p) for o, promises in table for p in promises.values() if p.decided and (p.broken or p.differs)]

    def render(self, *, target: Target, guard: Guard, exit_status: int) -> str:
        """The whole Markdown summary."""
        broken = self.broken()
        not_judged = self.not_judged()
        if exit_status == 0 and not not_judged:
            verdict = "**The target keeps the contract.**"
        elif exit_status == 0:
            verdict = (
                f"**The target keeps every promise judged**, but {len(not_judged)} promise(s) were not judged "
                "(see below): this is not a verdict on the whole contract."
            )
        elif broken:
            verdict = f"**The target breaks the contract:** {len(broken)} promise(s) broken."
        else:
            verdict = f"**No verdict:** the run ended with exit status {exit_status} before judging."
        lines = [f"# Contract run against {target.base_url}", "", verdict, ""]
        lines += self._promise_sections()
        lines += self._split_sections()
        lines += self._coverage_section(guard.statuses)
        lines += self._drift_and_leniency()
        lines += self._counts(target, guard)
        if broken:
            lines += ["## How to reproduce each broken promise", ""]
            for operation, promise in broken:
                lines.append(f"- {operation}: {promise.text}")
                for outcome in promise.broken:
                    lines.append(f"  - `{outcome.nodeid}`")
                    lines += [f"    - {_code(detail)}" for detail in outcome.details]
            lines.append("")
        return "\n".join(lines)

    def console(self, *, target: Target, exit_status: int) -> list[str]:
        """The console's last lines: the same verdict in brief."""
        table = self.promises()
        kept = sum(1 for promises in table.values() for p in promises.values() if p.verdict == "kept")
        not_judged = self.not_judged()
        broken = self.broken()
        if exit_status == 0:
            head = "keeps every promise judged" if not_judged else "keeps the contract"
        else:
            head = "BREAKS the contract" if broken else "was not judged"
        lines = [f"{target.base_url} {head}: {kept} promises kept, {len(broken)} broken, {len(not_judged)} not judged"]
        lines += [f"  broken: {operation}: {promise.text}" for operation, promise in broken]
        lines += _differs_lines(self.promises())
        lines += [f"  not judged: {o}: {p.text} ({_first(p.not_judged)})" for o, p in not_judged]
        return lines

    def _promise_sections(self) -> list[str]:
        lines = ["## Promises, per operation", ""]
        for operation, promises in self.promises().items():
            if not promises:
                continue
            label = OPERATIONS[operation].label if operation in OPERATIONS else ""
            lines += [f"### {operation}" + (f" (`{label}`)" if label else ""), "", "| promise | source | verdict |"]
            lines.append("|---|---|---|")
            for promise in promises.values():
                why = f" ({_first(promise.not_judged)})" if promise.verdict == "not judged" else ""
                lines.append(f"| {_cell(promise.text)} | {promise.source or '-'} | {promise.verdict}{_cell(why)} |")
            lines.append("")
        return lines

    def _split_sections(self) -> list[str]:
        """Broken promises split by source: DeployHQ's own word, or only this contract's decision."""
        vendor = [(o, p) for o, p in self.broken() if not p.decided]
        lines = ["## Breaks what DeployHQ documents", ""]
        lines += [f"- {o}: {_cell(p.text)} ({p.source})" for o, p in vendor] or ["- none"]
        lines += ["", "## Differs from what this contract decided", ""]
        lines.append("Decisions of this contract (source `decided`) the target contradicted; against a live target "
                     "they fail only with --contract-strict. See reports/contract-calibration.json.")  # fmt: skip
        lines.append("")
        differing = self.differing()
        for operation, promise in differing:
            lines.append(f"- {operation}: {_cell(promise.text)}")
            for outcome in [*promise.broken, *promise.differs][:2]:
                lines += [f"  - {_code(detail)}" for detail in outcome.details]
        for rule in _contradicted_rules():
            lines.append(f"- {', '.join(rule.operations)}: {_cell(rule.promise)}")
            lines += [
                f"  - {_code(e['detail'])}: {_code(e['request'])} answered {_code(e['answer'])}" for e in rule.exchanges
            ]
        if not differing and not _contradicted_rules():
            lines.append("- none")
        return [*lines, ""]

    @staticmethod
    def _coverage_section(statuses: Mapping[tuple[str, int], int]) -> list[str]:
        lines = [
            "## Documented answers seen",
            "",
            "A green run proves nothing about an answer it never saw.",
            "",
            "| operation | seen (count) | never seen |",
            "|---|---|---|",
        ]
        for operation_id, documented in documented_statuses().items():
            seen = {status: n for (o, status), n in statuses.items() if o == operation_id}
            shown = ", ".join(f"{s} ({seen[s]})" for s in sorted(seen)) or "none"
            never = ", ".join(str(s) for s in documented if s not in seen) or "-"
            lines.append(f"| {operation_id} | {shown} | {never} |")
        return [*lines, ""]

    @staticmethod
    def _drift_and_leniency() -> list[str]:
        lines = ["## Additive drift (a warning, not a failure)", ""]
        lines += [f"- {op} answered fields the spec does not know: {', '.join(sorted(names))}"
                  for op, names in sorted(DRIFT.fields.items())] or ["- none"]  # fmt: skip
        lines += ["", "## Leniency (invalid data a live target accepted; fails only with --contract-strict)", ""]
        grouped = LENIENCY.by_operation()
        for operation, found in sorted(grouped.items()):
            lines.append(f"- {operation}: {len(found)} accepted")
            lines += [f"  - {item.status} for {_cell(item.what)}: {_code(item.curl)}" for item in found[:5]]
        if not grouped:
            lines.append("- none")
        return [*lines, ""]

    @staticmethod
    def _counts(target: Target, guard: Guard) -> list[str]:
        ledger = guard.ledger
        left = [] if target.embedded else ledger.outstanding
        lines = [
            "## What the run did",
            "",
            f"- requests sent: {guard.requests_sent} (429s among them, waited out and sent again: "
            f"{guard.rate_limit_waits})",
            f"- accepted requests that email a person (invitations, resends): {guard.emails_sent}"
            + (f" of a budget of {target.create_budget}" if target.create_budget is not None else ""),
            f"- users created: {len(ledger.created)}",
        ]
        if target.embedded:
            lines.append("- users deleted: none needed (the embedded server's database is discarded with it)")
        else:
            lines += [f"- users deleted: {len(ledger.created) - len(left)}", f"- left behind: {len(left)}"]
            lines += [f"  - `{identifier}` (remove: `{CLEANUP_COMMAND}`)" for identifier in left]
        return [*lines, ""]


def documented_statuses() -> dict[str, list[int]]:
    """operationId -> the status codes its spec entry documents."""
    found: dict[str, list[int]] = {}
    for item in document()["paths"].values():
        for method, operation in item.items():
            if method != "parameters":
                found[operation["operationId"]] = sorted(int(s) for s in operation["responses"] if s.isdigit())
    return found


def _looks_like_check(line: str) -> bool:
    return bool(re.match(r"(ST\d+ |Custom check failed|Response violates|Undocumented|Server error|Schema-)", line))


def _first(reasons: Iterable[str]) -> str:
    return next((r for r in reasons if r), "skipped")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


def _differs_lines(table: dict[str, dict[str, Promise]]) -> list[str]:
    """The console's lines for decisions a lenient live run forgave: listed, not failed."""
    forgiven = [(o, p) for o, ps in table.items() for p in ps.values() if p.differs and not p.broken]
    lines = [f"  differs from what this contract decided: {o}: {p.text}" for o, p in forgiven]
    rules = [f"  differs from what this contract decided: {', '.join(r.operations)}: {r.promise}"
             for r in _contradicted_rules()]  # fmt: skip
    return lines + rules


@dataclass(frozen=True)
class _Contradiction:
    operations: tuple[str, ...]
    promise: str
    exchanges: list[dict[str, str]]


def _contradicted_rules() -> list[_Contradiction]:
    from .calibration import CALIBRATION, RULES

    return [_Contradiction(RULES[name].operations, text, found) for name, text, found in CALIBRATION.contradicted()]
