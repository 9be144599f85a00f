"""The explicit promises in a second process, beside the fuzzing: one run, one verdict, in less time.

A run spends most of its time on requests, each waiting for the target's answer before the next goes out, and on
its own CPU, one core's worth. The explicit promises and the stateful scenarios (`contract_beside`: they touch only
users they create, and hold while others write to the account) need nothing of the fuzzing, so a second pytest
process (the side), started with the run's own arguments, judges them while this one fuzzes:

    this process:  start, collect -> first (alone) -> GO -> the fuzzing ------------------> the side's results -> last
    the side:        start, collect, wait for GO --> its promises -> replaceUser's fuzzing -> scenarios -> results

Tests that need the account alone run here, before the GO (the consistency state machine, a team's unmarked promises)
or after the side has ended (last administrator, scale, the 429 promise, the cleanup). The fuzzing
(`contract_concurrent`) stays here but for replaceUser's (`SIDE_FUZZ`), which the side judges after its explicit
promises, aimed at the users they created (without such a promise in the run, it stays here too); the side collects
no other operation's fuzzing, so it does not generate their coverage cases. (Sharing the fuzzing out
between the two, each claiming a test before judging it, was measured slower on 2 cores: the side then generated
every operation's coverage cases too.) The side's reports are replayed here as pytest's own (console, JUnit report,
cache), and what its requests did (counts, statuses, users created and deleted, 429s, calibration, drift) is added to
this run's, so the verdict and every report read as one run's. A side that ends without results (killed, crashed)
costs time, not judgement: this process then judges its tests itself.

Only where two writers are harmless, nothing is shared but the account, and it pays: against a loopback server of
the user's own (`--base-url`, not `--live`), with the ci or dev profile and two CPUs, without a budget, a rate limit,
`-x`/`--maxfail`, a debugger, a fixed `--basetemp`, the cache's selections, xdist or plugin objects given to
`pytest.main` (the side could not have them), and when there is both fuzzing to judge beside and a test of the
side's. `--contract-serial` asks for one process.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .operations import OPERATIONS
from .summary import Outcome, Summary
from .verdict import Finding

if TYPE_CHECKING:
    from .runtime import Run
    from .target import Target

BESIDE = "contract_beside"
CONCURRENT = "contract_concurrent"
# Set only in the side: where it writes its results.
RESULT_ENV = "DEPLOYHQ_CONTRACT_SIDE_RESULT"
# Set only in the side: the pipe it waits on before its first test. The first process writes GO to it once the account
# may have two writers, and closes it unwritten if it ends before: the side then judges nothing.
GO_ENV = "DEPLOYHQ_CONTRACT_SIDE_GO"
GO = b"go"
# Operations whose fuzzing is the side's too, in rank order after its explicit promises (before its stateful
# scenarios): the fuzzing of one user's operations is aimed at users the process' own run created
# (hooks.aim_at_a_known_user), and by then the side has created some.
# Measured at 25 examples on 2 cores: this process fuzzes for about 9.5 s, a third of it replaceUser's; the side's own
# tests take about 2 s. With replaceUser's, both end at about the same time.
SIDE_FUZZ = ("replaceUser",)
_SIDE_LABELS = frozenset(OPERATIONS[name].label for name in SIDE_FUZZ)
# How long the side may take to stop once asked (it removes the users it created first), then it is killed.
STOP_SECONDS = 60.0
# Options that a second process would honour wrongly: stop at the first failure, debug, share a temporary folder.
# Options that read pytest's cache (the side has none), likewise.
_SERIAL_OPTIONS = (
    "maxfail",
    "usepdb",
    "trace",
    "basetemp",
    "numprocesses",
    "stepwise",
    "lf",
    "failedfirst",
    "newfirst",
)


def markers(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{BESIDE}: touches only users it creates and holds while others write to the account; may be judged in "
        "a second process beside the fuzzing",
    )
    config.addinivalue_line(
        "markers", f"{CONCURRENT}: holds while others write to the account; runs while the second process does"
    )


def result_path() -> Path | None:
    """In the side, where it writes its results; None in a first process."""
    value = os.environ.get(RESULT_ENV)
    return Path(value) if value else None


def is_side() -> bool:
    return result_path() is not None


def is_beside(item: pytest.Item) -> bool:
    return item.get_closest_marker(BESIDE) is not None


def key(item: pytest.Item) -> str:
    """The test's id, with its operation: schemathesis' per-operation tests share one nodeid."""
    return Summary.nodeid(item)


# Profiles whose fuzzing is too short to hide the side's start (no coverage phase): measured slower with a side.
SHORT_PROFILES = ("quick", "live")


def serial_reason(config: pytest.Config, target: Target, profile: str) -> str | None:
    """Why this run judges everything in one process, or None: it may use a side."""
    if config.getoption("--contract-serial"):
        return "--contract-serial"
    if target.live or target.create_budget is not None or target.rate_limit:
        return "a live target, an email budget or a rate limit: the side would have its own"
    if target.embedded:
        # Its server answers on this process' core, under this process' lock: measured no faster with a side.
        return "the embedded server runs in this process"
    if profile in SHORT_PROFILES:
        return f"the {profile} profile's fuzzing is too short to hide a second process' start"
    affinity = getattr(os, "sched_getaffinity", None)  # Linux; elsewhere every CPU of the machine
    if (len(affinity(0)) if affinity is not None else os.cpu_count() or 1) < 2:
        return "one CPU: the two processes would take turns"
    for name in _SERIAL_OPTIONS:
        if getattr(config.option, name, None):
            return f"--{name}"
    if getattr(config.option, "dist", "no") != "no":
        return "--dist"
    if hasattr(config, "workerinput") or config.invocation_params.plugins:
        return "an xdist worker or plugin objects the side could not have"
    return None


def is_concurrent(item: pytest.Item) -> bool:
    return not is_beside(item) and item.get_closest_marker(CONCURRENT) is not None


def _fuzzes_beside(item: pytest.Item) -> bool:
    return getattr(item, "operation_label", None) in _SIDE_LABELS


@dataclass
class Parts:
    """A run's tests, in rank order, by who judges them when. This process judges `first` (ranked before the first
    `contract_concurrent` test; they need the account alone) while the side starts, then `concurrent` while the side
    judges `beside`, then `last` once the side has ended (the account alone again)."""

    first: list[pytest.Item]
    beside: list[pytest.Item]
    concurrent: list[pytest.Item]
    last: list[pytest.Item]

    @classmethod
    def of(cls, items: list[pytest.Item]) -> Parts:
        # SIDE_FUZZ's fuzzing is the side's only after a promise of its own, whose users it aims at: a run of the
        # fuzzing alone keeps it here, where createUser's fuzzing has made users. Both processes see the same items.
        marked = next((i for i, item in enumerate(items) if is_beside(item)), len(items))
        moved = {id(item) for item in items[marked:] if is_concurrent(item) and _fuzzes_beside(item)}
        concurrent = [(i, item) for i, item in enumerate(items) if is_concurrent(item) and id(item) not in moved]
        start = concurrent[0][0] if concurrent else len(items)
        alone = [(i, item) for i, item in enumerate(items) if not is_beside(item) and not is_concurrent(item)]
        return cls(
            first=[item for i, item in alone if i < start],
            beside=[item for item in items if is_beside(item) or id(item) in moved],
            concurrent=[item for _, item in concurrent],
            last=[item for i, item in alone if i > start],
        )

    def here(self) -> list[pytest.Item]:
        """This process' order: the side's tests come after the concurrent ones, as their results, replayed."""
        return [*self.first, *self.concurrent, *self.beside, *self.last]


@dataclass
class Results:
    """What the side judged and did, as its result file holds it."""

    reports: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # nodeid -> serialized reports
    outcomes: list[dict[str, Any]] = field(default_factory=list)  # summary.Outcome, as dicts
    counters: dict[str, Any] = field(default_factory=dict)  # the guard's: requests, emails, statuses, 429s, users
    calibration: dict[str, Any] = field(default_factory=dict)
    drift: dict[str, list[str]] = field(default_factory=dict)  # operation -> response fields the spec does not know

    def read_reports(self, config: pytest.Config) -> dict[str, list[pytest.TestReport] | None]:
        """Each test's reports as pytest's own (`reports_of`), by `key`."""
        return {name: reports_of(config, serialized) for name, serialized in self.reports.items()}

    def merge_into(self, run: Run, summary: Summary, rejudged: Collection[str] = ()) -> None:
        """Add what the side did to this run: each promise's outcome but those of the *rejudged* tests (judged here
        again), and its requests (all of them were sent), users and 429s."""
        for outcome in self.outcomes:
            if outcome["nodeid"] in rejudged:
                continue
            findings = [Finding(**found) for found in outcome.pop("findings", [])]
            outcome["operations"] = tuple(outcome["operations"])
            summary.add(Outcome(**outcome, findings=findings))
        guard, counters = run.guard, self.counters
        with guard._lock:  # the guard's own lock: its counters change under it
            guard.requests_sent += counters.get("requests_sent", 0)
            guard.emails_sent += counters.get("emails_sent", 0)
            guard.rate_limit_waits += counters.get("rate_limit_waits", 0)
            guard.rate_limit_answers += counters.get("rate_limit_answers", 0)
            guard.rate_limit_faults += counters.get("rate_limit_faults", [])
            guard.statuses.update({(operation, status): n for operation, status, n in counters.get("statuses", [])})
        for identifier in counters.get("created", []):
            guard.ledger.adopt(identifier)  # the side's users: counted, and removed with this run's if still there
        for identifier in counters.get("deleted", []):
            guard.ledger.forget(identifier)
        run.calibration.merge(self.calibration)
        for operation, names in self.drift.items():
            run.drift.add(operation, set(names))


def record(run: Run, summary: Summary, reports: dict[str, list[dict[str, Any]]]) -> Results:
    """The side's results at its end."""
    guard = run.guard
    with guard._lock:
        counters = {
            "requests_sent": guard.requests_sent,
            "emails_sent": guard.emails_sent,
            "rate_limit_waits": guard.rate_limit_waits,
            "rate_limit_answers": guard.rate_limit_answers,
            "rate_limit_faults": list(guard.rate_limit_faults),
            "statuses": [[operation, status, n] for (operation, status), n in guard.statuses.items()],
        }
    counters["created"] = list(guard.ledger.created)
    counters["deleted"] = sorted(guard.ledger.deleted)
    outcomes = [asdict(outcome) for outcome in summary.outcomes]
    with run.drift._lock:
        drift = {operation: sorted(names) for operation, names in run.drift.fields.items()}
    return Results(
        reports=reports, outcomes=outcomes, counters=counters, calibration=run.calibration.dump(), drift=drift
    )


def write(path: Path, results: Results) -> None:
    """The result file, whole or not at all (the first process reads it only once the side has ended)."""
    temporary = path.with_name(path.name + ".partial")
    temporary.write_text(json.dumps(asdict(results)), encoding="utf-8")
    temporary.replace(path)


class Side:
    """The second process, from its start to its results."""

    def __init__(self, process: subprocess.Popen[bytes], directory: Path, go: int) -> None:
        self.process = process
        self.directory = directory
        self._go: int | None = go  # the pipe's end to write GO to, until written
        self.nodeids: set[str] = set()  # the side's tests (the same choice as the side's own, from `Parts`)
        self.results: Results | None = None
        self.why_not = ""  # why there are no results, once waited for
        self._waited = False

    @classmethod
    def start(cls, config: pytest.Config, target: Target) -> Side:
        """Start the side: this run's own arguments, in its directory, aimed at the same target."""
        directory = Path(tempfile.mkdtemp(prefix="contract-side-"))
        waits, go = os.pipe()
        env = dict(os.environ, **{RESULT_ENV: str(directory / "results.json"), GO_ENV: str(waits)})
        command = [sys.executable, "-m", "pytest", *config.invocation_params.args]
        process = subprocess.Popen(  # this interpreter and this run's own arguments
            command,
            cwd=config.invocation_params.dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(waits,),
        )
        os.close(waits)
        return cls(process, directory, go)

    def release(self) -> None:
        """Let the side judge: the account may have two writers from now on."""
        if self._go is not None:
            with contextlib.suppress(OSError):  # the side has ended: wait() says so
                os.write(self._go, GO)
            os.close(self._go)
            self._go = None

    def wait(self) -> Results | None:
        """Wait for the side to end (Ctrl-C still stops this process), then read its results, once."""
        if self._waited:
            return self.results
        self.release()
        self._waited = True
        self.process.wait()
        path = self.directory / "results.json"
        try:
            self.results = Results(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError) as error:
            self.results = None
            self.why_not = f"it ended with exit code {self.process.returncode} and no results ({type(error).__name__})"
        return self.results

    def stop(self) -> None:
        """End the side and its folder. A side still running got this run's Ctrl-C too (or was never released): it is
        left STOP_SECONDS to remove the users it created, asked once more, then killed."""
        try:
            if self._go is not None:  # never released: the side reads the pipe's end and judges nothing
                os.close(self._go)
                self._go = None
            for ask in (None, signal.SIGINT):
                if ask is not None:
                    with contextlib.suppress(ProcessLookupError):
                        self.process.send_signal(ask)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(STOP_SECONDS / 2)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            for path in self.directory.iterdir():
                path.unlink(missing_ok=True)
            self.directory.rmdir()


def reports_of(config: pytest.Config, serialized: list[dict[str, Any]]) -> list[pytest.TestReport] | None:
    """The side's reports of one test as pytest's own, or None if any of them cannot be read. Read each only once:
    pytest's reading replaces a failure's traceback entries inside the dicts it is given."""
    reports = []
    for data in serialized:
        # JSON has no tuples: pytest wants back the ones it had (a skip's (path, line, reason) above all).
        data = dict(data)
        for name in ("longrepr", "location"):
            if isinstance(data.get(name), list):
                data[name] = tuple(data[name])
        for name in ("sections", "user_properties"):
            data[name] = [tuple(pair) for pair in data.get(name, [])]
        try:
            report = config.hook.pytest_report_from_serializable(config=config, data=data)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        if not isinstance(report, pytest.TestReport):
            return None
        reports.append(report)
    return reports


def replay(item: pytest.Item, reports: list[pytest.TestReport]) -> None:
    """The side's reports of *item*, given to pytest here as if it had run them: console, JUnit, cache."""
    ihook = item.ihook
    ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    for report in reports:
        ihook.pytest_runtest_logreport(report=report)
    ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)


class Recorder:
    """In the side: waits for the first process' GO, then keeps every report of every test, serialized as
    pytest-xdist sends them, for the first process."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.reports: dict[str, list[dict[str, Any]]] = {}  # key(item) -> its reports
        self._current = ""  # key() of the test being judged: its reports' nodeid may be shared

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> None:
        self._current = key(item)

    @staticmethod
    def choose(items: list[pytest.Item]) -> list[pytest.Item]:
        """The side's tests, in its order."""
        return Parts.of(items).beside

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool | None:
        """Judge nothing before the GO; nothing at all if the first process ended without giving it."""
        go = int(os.environ[GO_ENV])
        try:
            given = os.read(go, len(GO)) == GO
        finally:
            os.close(go)
        return None if given else True

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        data = self.config.hook.pytest_report_to_serializable(config=self.config, report=report)
        self.reports.setdefault(self._current or report.nodeid, []).append(data)
