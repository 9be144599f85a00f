"""What a person sees in the terminal: the verdict, each broken promise with why and how to reproduce it, short.

pytest's own tracebacks and its list of failed and skipped tests repeat the verdict at length; by default they
are left out of the console (they stay in the JUnit report). `--tb=short` or `--tb=long` brings them back.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from .checks import Drift
from .guard import CLEANUP_COMMAND, Guard
from .leniency import Leniency
from .summary import Summary, differs_lines, emails_sent, users_created
from .target import Target

__all__ = ["QuietDisconnects", "announce", "quiet_pytest_sections", "verdict_lines", "write_summary"]

# A cURL command longer than this is cut in the console; the Markdown summary has it whole.
REPRODUCE_LIMIT = 400
# Findings shown per broken promise in the console; the summary lists all it kept.
FINDINGS_SHOWN = 2


def default_console(config: Any) -> bool:
    """Whether the person left the traceback style alone (then the verdict replaces pytest's sections)."""
    return getattr(config.option, "tbstyle", "auto") == "auto"


def quiet_pytest_sections(config: Any, terminalreporter: Any) -> None:
    """Leave pytest's FAILURES tracebacks and its failed/skipped list out of the default console.

    Called when the terminal summary starts, after every report was made: the JUnit report keeps the full
    tracebacks, which pytest built with the traceback style the run started with.
    """
    if not default_console(config):
        return
    config.option.tbstyle = "no"
    terminalreporter.reportchars = "".join(c for c in terminalreporter.reportchars if c not in "fEs")


def announce(config: Any, text: str) -> None:
    """One line of progress on the terminal, outside pytest's output capture (e.g. during the cleanup)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None:
        return
    # A fixture's teardown runs under output capture: without this the line lands in the test's report.
    with capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext():
        reporter.ensure_newline()
        reporter.write_line(text)


def write_summary(
    terminalreporter: Any,
    *,
    summary: Summary,
    target: Target,
    guard: Guard,
    drift: Drift,
    leniency: Leniency,
    exit_status: int,
    reports: list[str],
) -> None:
    """The run's sections: what it did, drift and leniency, then the verdict."""
    terminalreporter.section("contract run")
    for line in _what_the_run_did(target, guard):
        terminalreporter.write_line(line)
    if drift.fields:
        terminalreporter.section("additive drift (warning, not a failure)")
        for operation, names in sorted(drift.fields.items()):
            terminalreporter.write_line(
                f"{operation} answered fields the spec does not know: {', '.join(sorted(names))}"
            )
    found = leniency.by_operation()
    if found:
        terminalreporter.section("leniency (warning, not a failure; --contract-strict fails on it)")
        for operation, items in sorted(found.items()):
            terminalreporter.write_line(f"{operation} accepted {len(items)} request(s) with invalid data")
    terminalreporter.section("verdict")
    for line in verdict_lines(summary, target.base_url, exit_status):
        terminalreporter.write_line(line)
    for line in reports:
        terminalreporter.write_line(line)


def verdict_lines(summary: Summary, base_url: str, exit_status: int) -> list[str]:
    """The verdict line first, then each broken promise with why, then the promises not judged, grouped by why."""
    lines = [summary.verdict_line(base_url, exit_status)]
    broken = summary.broken()
    if broken:
        lines.append(f"broken ({len(broken)}):")
    for item in broken:
        check = f" [check {item.check}]" if item.check else ""
        lines.append(f"  {item.operation}: {item.text}{check}")
        for finding in item.findings[:FINDINGS_SHOWN]:
            lines.append(f"    why: {finding.evidence}")
            if finding.reproduce:
                lines.append(f"    reproduce: {_cut(finding.reproduce)}")
        if len(item.findings) > FINDINGS_SHOWN:
            lines.append(f"    ({len(item.findings) - FINDINGS_SHOWN} more in the summary)")
        more = f" (and {len(item.nodeids) - 1} more)" if len(item.nodeids) > 1 else ""
        lines.append(f"    test: {item.nodeids[0]}{more}" if item.nodeids else "    test: (none)")
    lines += differs_lines(summary)
    not_judged = summary.not_judged(exit_status)
    if not_judged:
        lines.append(f"not judged ({len(not_judged)}), by reason:")
        lines += list(_grouped(not_judged))
    return lines


def _grouped(not_judged: list[tuple[str, Any]]) -> Iterator[str]:
    """One block per reason, one line per promise naming the operations it was not judged on."""
    reasons: dict[str, dict[str, list[str]]] = {}
    for operation, promise in not_judged:
        reasons.setdefault(promise.reason, {}).setdefault(promise.text, []).append(operation)
    for reason, promises in reasons.items():
        count = sum(len(operations) for operations in promises.values())
        yield f"  {reason} ({count}):"
        for text, operations in promises.items():
            where = ", ".join(operations)
            yield f"    {text} " + (where if where.startswith("(") else f"({where})")


def _what_the_run_did(target: Target, guard: Guard) -> list[str]:
    created = users_created(guard)
    ledger = guard.ledger
    left = [] if target.embedded else ledger.outstanding
    budget = f" of a budget of {target.create_budget}" if target.create_budget is not None else ""
    emails = f"emails sent: {emails_sent(guard)}{budget}"
    if target.embedded:
        lines = [
            f"requests sent: {guard.requests_sent}; {emails}; users created: {created} "
            "(the embedded server's database is discarded with it)"
        ]
    else:
        lines = [
            f"requests sent: {guard.requests_sent}; {emails}; users created: {created}, "
            f"deleted: {len(ledger.created) - len(left)}, left behind: {len(left)}"
        ]
    lines += [f"  left behind: {identifier}  (remove: {CLEANUP_COMMAND})" for identifier in left]
    if guard.rate_limit_waits:
        lines.append(f"429s waited out and sent again: {guard.rate_limit_waits}")
    return lines


def _cut(text: str) -> str:
    return (
        text if len(text) <= REPRODUCE_LIMIT else text[: REPRODUCE_LIMIT - 40] + " ... (whole command in the summary)"
    )


class QuietDisconnects(logging.Filter):
    """Drop the embedded server's log of a request its client abandoned (the suite itself, on Ctrl-C).

    Starlette raises `ClientDisconnect` reading the body of a request whose client went away, and uvicorn logs
    it with a traceback: no fault of the server under judgement, and noise in the middle of the progress line.
    Once the run is interrupted, whatever the server logs while it stops is dropped too.
    """

    def __init__(self) -> None:
        super().__init__()
        self.interrupted = False

    def filter(self, record: logging.LogRecord) -> bool:
        if self.interrupted:
            return False
        error = record.exc_info[1] if record.exc_info else None
        while error is not None:
            # By name: Starlette is not installed for a run against another server, and then this never fires.
            if type(error).__name__ == "ClientDisconnect":
                return False
            error = error.__cause__ or error.__context__
        return True
