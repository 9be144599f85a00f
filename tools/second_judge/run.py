"""One judgement: a server (faithful or a variant), Prism in front of it, the contract suite through Prism."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from deployhq_sandbox import Accounts, serve
from mutants.catalogue import build
from mutants.harness import ROOT, Finished, environment, run_suite

from .prism import proxy
from .verdicts import PrismLog

__all__ = ["SPEC", "Judgement", "judge"]

SPEC = ROOT / "openapi.yaml"


@dataclass(frozen=True)
class Judgement:
    """What both judges said about one server: Prism's log, the suite's run through Prism, and the wall time."""

    target: str
    prism: PrismLog
    suite: Finished
    seconds: float
    reports: Path

    @property
    def suite_judged(self) -> bool:
        """Whether the suite gave a verdict (0 kept, 1 broken) rather than refusing or erroring out."""
        return self.suite.code in (0, 1)

    def suite_line(self) -> str:
        """The suite's own last line ("3 failed, 90 passed in 31.2s"), or what it said instead."""
        lines = [line for line in self.suite.output.strip().splitlines() if line.strip()]
        return lines[-1].strip("= ") if lines else "(no output)"


def judge(
    target: str,
    prism: Path,
    reports: Path,
    *,
    pytest_args: Sequence[str] = (),
    first_failure: bool = False,
    timeout: float = 900.0,
) -> Judgement:
    """Serve *target* on a fresh SQLite file, put Prism in front and run the suite through it.

    Prism's log, the suite's JUnit report and summary go to *reports* (emptied first). With *first_failure*
    the suite stops at its first failure (`-x`): enough for a variant, where one bad answer is the point.
    """
    shutil.rmtree(reports, ignore_errors=True)
    reports.mkdir(parents=True)
    accounts = Accounts.defaults()
    log = reports / "prism.log"
    options = ["-p", "second_judge.deselect", "-q", "--contract-profile", "quick"]
    options += [f"--junitxml={reports / 'junit.xml'}", *(["-x"] if first_failure else [])]
    # Own ledger of created users, so that a run never touches the one `nox -s contract` keeps.
    env = environment(accounts, DEPLOYHQ_CONTRACT_LEDGER=str(reports / "created-users.txt"))
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="second-judge-") as directory,
        serve(build(target, Path(directory) / "users.sqlite3", accounts)) as upstream,
        proxy(prism, SPEC, upstream, log) as url,
    ):
        finished = run_suite("--base-url", url, *options, *pytest_args, env=env, timeout=timeout)
    return Judgement(target, PrismLog.read(log), finished, time.monotonic() - started, reports)
