"""The contract suite: its wall time next to a raw `st run`, its growth with the budget, and time to detection.

Every timed run gets a fresh server and SQLite file, as `nox -s contract` does: `st run` changes and removes
users (the role accounts among them) that a later suite run relies on.

Every timed run must end as it would for a user (the suite passes against the reference server, fails against
a broken variant); a run that ends otherwise makes its row "not measured", with the suite's own verdict as reason.
"""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from deployhq_sandbox import Accounts, serve
from mutants.harness import ROOT, environment, run_suite

from ._harness import NotMeasured, Row, Settings, interleave, measuring
from ._process import READY_SECONDS, wait_until_answering

SEED = "42"
# A whole suite run at the largest budget takes about a minute here; ten times that is a hung run.
RUN_TIMEOUT = 900.0


@contextmanager
def _target(variant: str = "faithful") -> Iterator[tuple[str, Accounts]]:
    """A fresh server (faithful or a broken variant) on a free loopback port, and its accounts."""
    from mutants import build

    accounts = Accounts.from_env({})
    with ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-contract-"))
        app = build(variant, Path(tmp) / "users.sqlite3", accounts)
        try:
            base_url = stack.enter_context(serve(app, timeout=READY_SECONDS))
        except RuntimeError as error:  # serve() gave up waiting for its thread: a busy machine, not a result
            raise NotMeasured(f"the {variant} server did not start: {error}") from error
        wait_until_answering(base_url)
        # The suite sends malformed requests on purpose and a broken variant answers some with a logged 500 and
        # its traceback: in the bench's output those read as the bench failing. The suite's exit code is the result.
        logging.disable(logging.CRITICAL)
        stack.callback(logging.disable, logging.NOTSET)
        yield base_url, accounts


def verdict(output: str) -> str:
    """pytest's closing line (`3 failed, 50 passed in 4.1s`) and the first failed test, from *output*.

    The judge's default console names each broken promise's test on a `test:` line (pytest's own FAILED lines
    appear only with --tb); either is read.
    """
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    closing = lines[-1] if lines else "no output"
    first = next((line for line in lines if line.startswith(("FAILED ", "ERROR "))), "")
    if not first:
        test = next((line for line in lines if line.startswith("test: ")), "")
        first = "FAILED " + test.removeprefix("test: ") if test else ""
    return f"{closing}; first: {first}" if first else closing


def st_verdict(output: str) -> str:
    """st run's closing line, the checks that failed and the operations they failed on, from *output*."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    closing = lines[-1].strip("= ") if lines else "no output"
    failed = [line.removeprefix("❌ ") for line in lines if re.match(r"❌ ST\d+ ", line)]
    operations = re.findall(r"^_{3,} (.+?) _{3,}$", output, re.MULTILINE)
    details = "; ".join(failed) + (f" (on {', '.join(operations)})" if operations else "")
    return f"{closing}; {details}" if details else closing


def suite(examples: int, *extra: str, profile: str = "ci", variant: str = "faithful", expect: int = 0) -> float:
    """Seconds of one whole suite run against a fresh *variant*; NotMeasured unless it exits *expect*.

    Only the run is timed, as a user runs it, not the start of its server.
    """
    try:
        # Reports go to a folder thrown away with the run: the summary is written next to the JUnit report, so
        # `--junitxml /dev/null` would put it into /dev.
        with tempfile.TemporaryDirectory(prefix="bench-reports-") as reports, _target(variant) as (base_url, accounts):
            junit = str(Path(reports) / "junit.xml")
            options = ["-q", "--contract-profile", profile, "--max-examples", str(examples), "--junitxml", junit]
            options += extra
            finished = run_suite("--base-url", base_url, *options, env=environment(accounts), timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise NotMeasured(f"the suite did not finish within {RUN_TIMEOUT:g} s") from None
    if finished.code != expect:
        raise NotMeasured(f"the suite exited {finished.code}, not {expect}: {verdict(finished.stdout)}")
    return finished.seconds


ST_CONFIG = Path(__file__).resolve().parent / "st-run.toml"


def st_run_command(base_url: str, accounts: Accounts, examples: int, *extra: str) -> tuple[list[str], dict[str, str]]:
    """The raw `st run` of the baseline against *base_url*, and its environment."""
    st = str(Path(sys.executable).with_name("st"))
    admin = accounts.administrator
    command = [st, "--config-file", str(ST_CONFIG), "run", "openapi.yaml", "--url", base_url]
    command += ["--auth", f"{admin.email}:{admin.api_key}"]
    command += ["--checks", "all", "--max-examples", str(examples), "--seed", SEED]
    command += ["--generation-with-security-parameters", "false", *extra]
    # The suite's unique-address hook, so st run's positive examples are not refused as duplicates either.
    env = environment(accounts, SCHEMATHESIS_HOOKS="deployhq_contract.hooks", PYTHONPATH=str(ROOT))
    return command, env


def raw_st_run(examples: int, *extra: str) -> float:
    """Seconds for `st run openapi.yaml` with every built-in check and the same budget, against a fresh server."""
    try:
        with _target() as (base_url, accounts):
            command, env = st_run_command(base_url, accounts, examples, *extra)
            start = time.perf_counter()
            result = subprocess.run(
                command,
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=False,
                timeout=RUN_TIMEOUT,
            )
            seconds = time.perf_counter() - start
    except subprocess.TimeoutExpired:
        raise NotMeasured(f"st run did not finish within {RUN_TIMEOUT:g} s") from None
    if result.returncode != 0:
        raise NotMeasured(f"st run exited {result.returncode}: {st_verdict(result.stdout)}")
    return seconds


# The area's row groups, as `python -m bench --only contract --rows NAME ...` names them.
ROWS = ("ratio", "growth", "detection")


def rows(settings: Settings) -> list[Row]:
    out: list[Row] = []
    if settings.wants("ratio"):
        out += _against_st(settings)
    if settings.wants("growth"):
        out += _growth(settings)
    if settings.wants("detection"):
        out.append(_detection(settings))
    return out


def _against_st(settings: Settings) -> list[Row]:
    """The whole suite next to a raw `st run` with the same budget, interleaved after a warm-up round."""
    # A quick run leaves out the coverage phase (about 600 requests for POST /users alone) on both sides.
    examples, profile = settings.pick((25, "ci"), (10, "quick"))
    st_phases = settings.pick((), ("--phases", "examples,fuzzing,stateful"))
    repeats = settings.pick(3, 2)
    row = Row(
        "contract",
        f"suite vs raw st run ({examples} examples)",
        "s",
        baseline_name="st run, all checks",
        goal=1.2,  # issue 24: a judge that checks more, at most 1.2x the raw run
        note=f"{repeats} interleaved pairs after one unrecorded warm-up pair; "
        "the suite also runs its promise, round-trip and stateful tests",
    )
    with measuring(row):
        row.candidate, row.baseline = interleave(
            lambda: suite(examples, profile=profile),
            lambda: raw_st_run(examples, *st_phases),
            repeats,
            warmup=1,
        )
    return [row]


def _growth(settings: Settings) -> list[Row]:
    """The suite at larger budgets next to the smallest, after one warm-up run."""
    profile = settings.pick("ci", "quick")
    budgets: list[int] = settings.pick([25, 100, 400], [10, 20])
    repeats = settings.pick(2, 1)
    base, *larger = budgets
    out = {
        budget: Row(
            "contract",
            f"suite at {budget} examples vs {base}",
            "s",
            baseline_name=f"suite at {base} examples",
            goal=budget / base,  # linear growth at most
            note=f"{repeats} run(s) of each budget after one warm-up run; goal: no worse than linear in the budget",
        )
        for budget in larger
    }
    with measuring(*out.values()):
        suite(base, profile=profile)
        times: dict[int, list[float]] = {budget: [] for budget in budgets}
        for _ in range(repeats):
            for budget in budgets:
                times[budget].append(suite(budget, profile=profile))
        for budget, row in out.items():
            row.candidate, row.baseline = times[budget], times[base]
    return list(out.values())


def _detection(settings: Settings) -> Row:
    """Seconds until the suite (quick profile, stop at first failure) fails against each broken variant."""
    from mutants import CATALOGUE

    names = sorted(CATALOGUE)[: settings.pick(len(CATALOGUE), 2)]
    row = Row(
        "contract",
        f"time to detect a broken variant ({len(names)} variants)",
        "s",
        baseline_name="a full pass, same settings",
        note="one run per variant, median over variants, each stopping at its first failure; "
        "baseline: one run against the faithful server after one warm-up run",
    )
    with measuring(row):
        # The faithful server first: when the suite fails against it, a variant "caught" means nothing.
        suite(10, "-x", profile="quick")
        row.baseline = [suite(10, "-x", profile="quick")]
        missed: list[str] = []
        for name in names:
            try:
                row.candidate.append(suite(10, "-x", profile="quick", variant=name, expect=1))
            except NotMeasured as why:
                missed.append(f"{name} ({why})")
        if missed:
            row.note += "; left out: " + "; ".join(missed)
        if not row.candidate:
            raise NotMeasured("no variant was caught: " + "; ".join(missed))
    return row


__all__ = ["rows"]
