"""The verdict a person reads: per operation, each promise kept, broken or not judged, and what the run saw.

Written as Markdown next to the JUnit report (`reports/contract-summary.md`) and appended to
`$GITHUB_STEP_SUMMARY` when that is set. Built from the test reports, the guard's counts and the spec:
no credential can reach it (reproduce commands come filtered).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .guard import CLEANUP_COMMAND, Guard
from .operations import OPERATIONS
from .spec import document
from .target import Target
from .verdict import Finding

if TYPE_CHECKING:
    from .checks import Drift
    from .leniency import Leniency
    from .runtime import Run

__all__ = ["BROKEN_MARK", "Outcome", "Summary", "differs_lines"]

# How a failed `assert [] == <broken promises>` lists each one (conftest.pytest_assertrepr_compare).
BROKEN_MARK = "  broken: "

ACROSS = "(across operations)"
_BY_LABEL = {operation.label: operation.operation_id for operation in OPERATIONS.values()}
# What a skip reason starts with when it says the same as the verdict column.
_NOT_JUDGED = "not judged: "
INTERRUPTED = 2


@dataclass
class Outcome:
    """One test's result, as the summary needs it."""

    nodeid: str
    operations: tuple[str, ...]
    promise: str
    outcome: str  # "passed", "failed", "skipped"
    reason: str = ""
    findings: list[Finding] = field(default_factory=list)
    source: str = ""  # where the promise comes from (provenance.SOURCES): "decided", "vendor-docs (page)", ...


@dataclass
class Promise:
    """One promise (a test function) on one operation, over all its parameters."""

    text: str
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
            return "broken"
        if self.differs:
            return "differs (decided)"
        if self.kept:
            return "kept"
        return "not judged"

    @property
    def reason(self) -> str:
        """Why it was not judged, said once."""
        return next((r for r in self.not_judged if r), "skipped")


@dataclass(frozen=True)
class Broken:
    """A broken promise as a person reads it: the promise whose check failed, on the operation it failed on."""

    operation: str
    text: str
    check: str
    findings: tuple[Finding, ...]
    nodeids: tuple[str, ...]


@dataclass(frozen=True)
class Counts:
    kept: int
    broken: int
    not_judged: int
    differs: int = 0  # judged, and contradicted a decision of this contract that a lenient live run forgives

    @property
    def total(self) -> int:
        return self.kept + self.broken + self.not_judged + self.differs


class Summary:
    """Collects outcomes during the run; renders the Markdown summary and the console's verdict.

    Every promise the run collected is counted, judged or not: one the run never reached (interrupted, stopped
    early) is "not judged", so kept + broken + not judged is the same total on every run of the same suite.
    """

    def __init__(self) -> None:
        self.outcomes: list[Outcome] = []
        self.planned: list[tuple[tuple[str, ...], str]] = []
        self._rank: dict[str, int] = {}  # each test's place in the plan

    def plan(self, items: Iterable[Any]) -> None:
        """The promises the collected tests will judge, before any runs, in rank order: the summary's order, whichever
        process judges a test and whenever its outcome arrives (beside.py)."""
        items = list(items)
        self.planned = [self.describe(item) for item in items]
        self._rank = {self.nodeid(item): place for place, item in enumerate(items)}

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
    def nodeid(item: Any) -> str:
        """The test's id with its parameter: schemathesis' per-operation items share one nodeid without it."""
        suffix = item.name.partition("[")[1:]
        nodeid = str(item.nodeid)
        return nodeid if not suffix[0] or nodeid.endswith("]") else nodeid + "".join(suffix)

    def promises(self, exit_status: int = 0) -> dict[str, dict[str, Promise]]:
        """operationId -> promise text -> its verdict, in the spec's order of operations."""
        table: dict[str, dict[str, Promise]] = {o: {} for o in [*OPERATIONS, ACROSS]}
        for operations, text in self.planned:
            for operation in operations:
                table.setdefault(operation, {}).setdefault(text, Promise(text))
        for outcome in sorted(self.outcomes, key=lambda outcome: self._rank.get(outcome.nodeid, len(self._rank))):
            for operation in outcome.operations:
                promise = table.setdefault(operation, {}).setdefault(outcome.promise, Promise(outcome.promise))
                promise.source = promise.source or outcome.source
                if outcome.outcome == "differs":
                    promise.differs.append(outcome)
                elif outcome.outcome == "passed":
                    promise.kept += 1
                elif outcome.outcome == "failed":
                    promise.broken.append(outcome)
                else:
                    promise.not_judged.append(outcome.reason.removeprefix(_NOT_JUDGED))
        unreached = (
            "not reached: the run was interrupted" if exit_status == INTERRUPTED else "not reached: the run stopped"
        )
        for promises in table.values():
            for promise in promises.values():
                if not (promise.kept or promise.broken or promise.not_judged or promise.differs):
                    promise.not_judged.append(unreached)
        return table

    def counts(self, exit_status: int = 0) -> Counts:
        verdicts = [p.verdict for ps in self.promises(exit_status).values() for p in ps.values()]
        return Counts(
            verdicts.count("kept"),
            verdicts.count("broken"),
            verdicts.count("not judged"),
            verdicts.count("differs (decided)"),
        )

    def not_judged(self, exit_status: int = 0) -> list[tuple[str, Promise]]:
        """Every promise no test judged, whatever the reason (a 429 that never came included)."""
        return [
            (o, p) for o, ps in self.promises(exit_status).items() for p in ps.values() if p.verdict == "not judged"
        ]

    def broken(self) -> list[Broken]:
        """Each broken promise, attributed to the check that failed when one did (fuzzing and scenarios)."""
        found = []
        for operation, promises in self.promises().items():
            for promise in promises.values():
                if not promise.broken:
                    continue
                findings = tuple(f for outcome in promise.broken for f in outcome.findings)
                nodeids = tuple(dict.fromkeys(outcome.nodeid for outcome in promise.broken))
                checked = next((f for f in findings if f.check), None)
                if checked is None:
                    found.append(Broken(operation, promise.text, "", findings, nodeids))
                    continue
                # A fuzzing test or a scenario only carries checks: the promise is the failed check's.
                where = checked.operation if operation == ACROSS and checked.operation else operation
                found.append(Broken(where, checked.promise, checked.check, findings, nodeids))
        order = [*OPERATIONS, ACROSS]
        return sorted(found, key=lambda item: order.index(item.operation) if item.operation in order else len(order))

    def headline(self, exit_status: int) -> str:
        """The verdict's words; they always agree with the counts."""
        counts = self.counts(exit_status)
        if counts.broken:
            return "BREAKS the contract"
        if exit_status == INTERRUPTED:
            return "was interrupted before every promise was judged"
        if exit_status != 0:
            return "was not judged"
        if counts.differs:
            return "keeps what DeployHQ documents, but differs from some of this contract's decisions"
        return "keeps every promise judged" if counts.not_judged else "keeps the contract"

    def verdict_line(self, base_url: str, exit_status: int) -> str:
        counts = self.counts(exit_status)
        differs = f", {counts.differs} differ from this contract's decisions" if counts.differs else ""
        return (
            f"{base_url} {self.headline(exit_status)}: {counts.kept} promises kept, {counts.broken} broken{differs}, "
            f"{counts.not_judged} not judged (of {counts.total})"
        )

    def differing(self) -> list[tuple[str, Promise]]:
        """Promises that only a decision of this contract makes broken: failed ones (strict runs) or forgiven."""
        table = self.promises().items()
        return [(o, p) for o, promises in table for p in promises.values() if p.decided and (p.broken or p.differs)]

    def render(self, *, run: Run, exit_status: int) -> str:
        """The whole Markdown summary."""
        target, guard = run.target, run.guard
        broken = self.broken()
        lines = [
            f"# Contract run against {target.base_url}",
            "",
            f"**{self.verdict_line(target.base_url, exit_status)}**",
        ]
        head = self.headline(exit_status)
        if head == "keeps every promise judged":
            lines += ["", "Promises not judged are listed below with why: this is not a verdict on the whole contract."]
        lines.append("")
        lines += self._promise_sections(exit_status)
        lines += self._split_sections()
        lines += self._coverage_section(guard.statuses)
        lines += self._drift_and_leniency(run.drift, run.leniency)
        lines += self._counts(target, guard)
        if broken:
            lines += ["## How to reproduce each broken promise", ""]
            for item in broken:
                lines.append(f"- {item.operation}: {item.text}" + (f" (check `{item.check}`)" if item.check else ""))
                lines += [f"  - found by `{nodeid}`" for nodeid in item.nodeids]
                for finding in item.findings:
                    lines.append(f"    - why: {_code(finding.evidence)}")
                    if finding.reproduce:
                        lines.append(f"      reproduce: {_code(finding.reproduce)}")
            lines.append("")
        return "\n".join(lines)

    def _promise_sections(self, exit_status: int) -> list[str]:
        lines = ["## Promises, per operation", ""]
        for operation, promises in self.promises(exit_status).items():
            if not promises:
                continue
            label = OPERATIONS[operation].label if operation in OPERATIONS else ""
            lines += [f"### {operation}" + (f" (`{label}`)" if label else ""), "", "| promise | source | verdict |"]
            lines.append("|---|---|---|")
            for promise in promises.values():
                source = promise.source or "-"
                lines.append(f"| {_cell(promise.text)} | {source} | {_cell(_verdict_cell(promise))} |")
            lines.append("")
        return lines

    def _split_sections(self) -> list[str]:
        """Broken promises split by source: DeployHQ's own word, or only this contract's decision."""
        table = self.promises()
        vendor = [(o, p) for o, ps in table.items() for p in ps.values() if p.broken and not p.decided]
        lines = ["## Breaks what DeployHQ documents", ""]
        lines += [f"- {o}: {_cell(p.text)} ({p.source or 'no source'})" for o, p in vendor] or ["- none"]
        lines += ["", "## Differs from what this contract decided", ""]
        lines.append("Decisions of this contract (source `decided`) the target contradicted; against a live target "
                     "they fail only with --contract-strict. See reports/contract-calibration.json.")  # fmt: skip
        lines.append("")
        differing = self.differing()
        for operation, promise in differing:
            lines.append(f"- {operation}: {_cell(promise.text)}")
            for outcome in [*promise.broken, *promise.differs][:2]:
                lines += [f"  - {_code(finding.evidence)}" for finding in outcome.findings]
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
    def _drift_and_leniency(drift: Drift, leniency: Leniency) -> list[str]:
        lines = ["## Additive drift (a warning, not a failure)", ""]
        lines += [f"- {op} answered fields the spec does not know: {', '.join(sorted(names))}"
                  for op, names in sorted(drift.fields.items())] or ["- none"]  # fmt: skip
        lines += ["", "## Leniency (invalid data a live target accepted; fails only with --contract-strict)", ""]
        grouped = leniency.by_operation()
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
            f"- emails sent (accepted invitations and resends): {emails_sent(guard)}"
            + (f" of a budget of {target.create_budget}" if target.create_budget is not None else ""),
            f"- users created: {users_created(guard)}",
        ]
        if target.embedded:
            lines.append("- users deleted: none needed (the embedded server's database is discarded with it)")
        else:
            lines += [f"- users deleted: {len(ledger.created) - len(left)}", f"- left behind: {len(left)}"]
            lines += [f"  - `{identifier}` (remove: `{CLEANUP_COMMAND}`)" for identifier in left]
        return [*lines, ""]


def emails_sent(guard: Guard) -> str:
    """Requests that emailed a person (not refused), and how many of them were invitations and resends."""
    accepted = Counter[str]()
    for (operation, status), n in guard.statuses.items():
        if 200 <= status < 300 and operation in ("createUser", "resendInvitation"):
            accepted[operation] += n
    return f"{guard.emails_sent} ({accepted['createUser']} invitations, {accepted['resendInvitation']} resends)"


def users_created(guard: Guard) -> str:
    """Invitations answered 201, each a new user; the distinct identifiers among them when those are fewer."""
    answered = sum(
        n for (operation, status), n in guard.statuses.items() if operation == "createUser" and status == 201
    )
    distinct = len(guard.ledger.created)
    if distinct < answered:
        return f"{answered} (invitations answered 201; only {distinct} distinct identifiers among them)"
    return str(answered)


def documented_statuses() -> dict[str, list[int]]:
    """operationId -> the status codes its spec entry documents."""
    found: dict[str, list[int]] = {}
    for item in document()["paths"].values():
        for method, operation in item.items():
            if method != "parameters":
                found[operation["operationId"]] = sorted(int(s) for s in operation["responses"] if s.isdigit())
    return found


def differs_lines(summary: Summary) -> list[str]:
    """The console's lines for decisions a lenient live run forgave: listed, not failed."""
    table = summary.promises()
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
    """The rules the run in progress saw contradicted (none outside a run)."""
    from . import runtime
    from .calibration import RULES

    found = runtime.current().calibration.contradicted() if runtime.active() else []
    return [_Contradiction(RULES[name].operations, text, exchanges) for name, text, exchanges in found]


def _verdict_cell(promise: Promise) -> str:
    if promise.verdict == "broken":
        checks = sorted({f.check for outcome in promise.broken for f in outcome.findings if f.check})
        return "**broken**" + (f" (check {', '.join(f'`{c}`' for c in checks)})" if checks else "")
    if promise.verdict == "not judged":
        return f"not judged ({promise.reason})"
    return promise.verdict


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"
