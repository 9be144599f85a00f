"""Calibration: what a run learnt about this contract's own decisions (source `decided`), for its maintainers.

Two kinds of decision are followed. A *rule* is one decided fact that promises of every source lean on (an
invitation without `last_name` answers `null`; a 422 maps each field to its messages): the helpers that judge it
ask `judge()`, which remembers the exchange that confirmed or contradicted it. A *promise* is a test whose
source is `decided` (deployhq_contract/provenance.py). Against a live target without --contract-strict a
contradicted decision is reported, not failed; loopback targets, the reference server and `nox -s teeth` are
judged strictly. Every run writes reports/contract-calibration.json: each decision `confirmed`,
`contradicted` (with the request and the answer, credentials filtered) or `not exercised`.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import runtime

__all__ = ["RULES", "Calibration", "Rule", "judge", "seen"]

MAX_EXCHANGES = 3


@dataclass(frozen=True)
class Rule:
    """A decided fact: the operations it concerns, the sentence, and where openapi.yaml gives the reason."""

    operations: tuple[str, ...]
    promise: str
    reason: str


RULES: dict[str, Rule] = {
    "last_name_null": Rule(
        ("createUser",),
        "An invitation without last_name answers last_name null.",
        "openapi.yaml components.schemas.User last_name: every DeployHQ example shows a string.",
    ),
    "validation_map": Rule(
        ("createUser", "updateUser", "replaceUser"),
        'A 422 maps each offending field to its messages, {"field": ["message", ...]}.',
        "openapi.yaml createUser 422: no DeployHQ source shows a users 422 body; its SDK reads three shapes.",
    ),
}


@dataclass
class _Finding:
    confirmed: int = 0
    contradicted: list[dict[str, str]] = field(default_factory=list)

    def status(self) -> str:
        if self.contradicted:
            return "contradicted"
        return "confirmed" if self.confirmed else "not exercised"


_last = threading.local()


def seen(text: str | Callable[[], str]) -> None:
    """The exchange this thread just had (`api.exchange`'s text: credentials never in it), for `judge`.

    Or a function that makes that text: it runs only when a decision is contradicted, so that an exchange costly to
    show (schemathesis' cURL command: a tenth of a fuzzed request's own time) costs nothing when all holds.
    """
    _last.text = text


def seen_httpx(request: Any, response: Any) -> None:
    """The same for an exchange of the generated client (httpx); the Authorization header is never shown."""
    body = request.content.decode("utf-8", "replace")[:1000] if request.content else ""
    command = f"curl -X {request.method} {request.url}"
    if "authorization" in request.headers:
        command += " -u '<email>:<api key>'"
    if body:
        command += f" -H 'Content-Type: {request.headers.get('content-type', 'application/json')}' -d '{body}'"
    seen(f"\n  request: {command}\n  answer: {response.status_code} {response.text[:500]}")


def _exchange(detail: str) -> dict[str, str]:
    text: str | Callable[[], str] = getattr(_last, "text", "")
    if callable(text):
        text = text()
    request = text.partition("request: ")[2].partition("\n")[0].strip()
    answer = text.partition("answer: ")[2].strip()
    return {"detail": detail, "request": request, "answer": answer}


def lenient() -> bool:
    """Whether a contradicted decision is reported instead of failed: a live target, without --contract-strict."""
    return runtime.active() and not runtime.current().target.strict


class Calibration:
    """Every decision a run exercised, and how the target answered it (one per run: `runtime.Run.calibration`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.rules: dict[str, _Finding] = {}
        self.promises: dict[str, dict[str, Any]] = {}

    def judge(self, rule: str, holds: bool, detail: str) -> bool:
        """Note whether *rule* held in the exchange just seen; True when a contradiction counts as broken."""
        with self._lock:
            finding = self.rules.setdefault(rule, _Finding())
            if holds:
                finding.confirmed += 1
            elif len(finding.contradicted) < MAX_EXCHANGES:
                finding.contradicted.append(_exchange(detail))
        return not holds and not lenient()

    def promise(self, key: str, operations: tuple[str, ...], promise: str, outcome: str, details: list[str]) -> None:
        """A decided promise's outcome: passed, failed (or forgiven as differing) or skipped."""
        with self._lock:
            entry = self.promises.setdefault(
                key, {"operations": list(operations), "promise": promise, "passed": 0, "contradicted": []}
            )
            if outcome == "passed":
                entry["passed"] += 1
            elif outcome in ("failed", "differs") and len(entry["contradicted"]) < MAX_EXCHANGES:
                entry["contradicted"].append({"details": details})

    def dump(self) -> dict[str, Any]:
        """What the run has learnt, as JSON (a second process' part of the run: beside.py)."""
        with self._lock:
            rules = {name: asdict(finding) for name, finding in self.rules.items()}
            return {"rules": rules, "promises": copy.deepcopy(self.promises)}

    def merge(self, dumped: Mapping[str, Any]) -> None:
        """Add what another process of the same run learnt (`dump`), as if this one had seen it."""
        with self._lock:
            for name, found in dumped.get("rules", {}).items():
                finding = self.rules.setdefault(name, _Finding())
                finding.confirmed += found["confirmed"]
                finding.contradicted += found["contradicted"][: MAX_EXCHANGES - len(finding.contradicted)]
            for key, theirs in dumped.get("promises", {}).items():
                entry = self.promises.setdefault(key, {**theirs, "passed": 0, "contradicted": []})
                entry["passed"] += theirs["passed"]
                entry["contradicted"] += theirs["contradicted"][: MAX_EXCHANGES - len(entry["contradicted"])]

    def contradicted(self) -> list[tuple[str, str, list[dict[str, str]]]]:
        """(decision, sentence, exchanges) of each rule a target contradicted."""
        with self._lock:
            return [
                (name, RULES[name].promise, list(f.contradicted)) for name, f in self.rules.items() if f.contradicted
            ]

    def report(
        self, *, base_url: str, live: bool, strict: bool, decided: Mapping[str, tuple[tuple[str, ...], str]]
    ) -> dict[str, Any]:
        """The calibration report; *decided* is every decided promise of the suite (key -> operations, sentence)."""
        with self._lock:
            decisions: list[dict[str, Any]] = []
            for name, rule in RULES.items():
                finding = self.rules.get(name, _Finding())
                decisions.append(
                    {
                        "decision": name,
                        "kind": "rule",
                        "operations": list(rule.operations),
                        "promise": rule.promise,
                        "reason": rule.reason,
                        "status": finding.status(),
                        "confirmed": finding.confirmed,
                        "contradicted": finding.contradicted,
                    }
                )
            for key, (operations, promise) in decided.items():
                entry = self.promises.get(key)
                status = "not exercised"
                if entry is not None and entry["contradicted"]:
                    status = "contradicted"
                elif entry is not None and entry["passed"]:
                    status = "confirmed"
                decisions.append(
                    {
                        "decision": key,
                        "kind": "promise",
                        "operations": list(operations),
                        "promise": promise,
                        "status": status,
                        "contradicted": entry["contradicted"] if entry else [],
                    }
                )
        return {"target": base_url, "live": live, "strict": strict, "decisions": decisions}


def judge(rule: str, holds: bool, detail: str) -> bool:
    """Note in the run in progress whether *rule* held; True when a contradiction counts as broken.

    Outside a run (a raw `st run` importing the checks) nothing is noted, and a contradiction is broken.
    """
    if not runtime.active():
        return not holds
    return runtime.current().calibration.judge(rule, holds, detail)


_SERVER_ERROR = re.compile(r"answer: 5\d\d\b")
DIFFERS = "differs from what this contract decided (--contract-strict fails on it)"


def failure_lines(text: str) -> list[str]:
    """The first lines pytest marks `E` in a failure (its message and the exchange), for the calibration report."""
    lines = [line[1:].strip() for line in text.splitlines() if line.startswith("E ") and line[1:].strip()]
    return lines[:6]


def forgive(item: Any, report: Any) -> bool:
    """A failed `decided` promise in a lenient run is reported as differing, not failed (pytest shows an xfail)."""
    from .provenance import source_of

    source = source_of(item)
    if not (report.failed and source is not None and source.decided and lenient()):
        return False
    if _SERVER_ERROR.search(report.longreprtext):
        return False  # a 5xx is never a decision: it fails everywhere
    report.outcome = "skipped"
    report.wasxfail = DIFFERS
    return True


def decided_promises(items: Any) -> dict[str, tuple[tuple[str, ...], str]]:
    """Every decided promise of the collected suite: key -> (operations, sentence)."""
    from .provenance import key_of, source_of
    from .summary import Summary

    found: dict[str, tuple[tuple[str, ...], str]] = {}
    for item in items:
        source = source_of(item)
        if source is not None and source.decided:
            operations, promise = Summary.describe(item)
            previous = found.get(key_of(item), ((), promise))[0]
            found[key_of(item)] = (tuple(dict.fromkeys([*previous, *operations])), promise)
    return found


def write_report(path: Path, run: runtime.Run, items: Any) -> None:
    """reports/contract-calibration.json for *run*, which just ended: redacted and written whole like every report."""
    from .redact import protect
    from .redact import write_report as write

    target = run.target
    report = run.calibration.report(
        base_url=target.base_url, live=target.live, strict=target.strict, decided=decided_promises(items)
    )
    write(path, json.dumps(report, indent=2, ensure_ascii=False) + "\n", protect(target))
