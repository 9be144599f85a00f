"""The contract suite: its wall time next to a raw `st run`, its growth with the budget, and time to detection."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from deployhq_sandbox import Accounts, serve

from ._harness import Row, Settings, interleave, timed

ROOT = Path(__file__).resolve().parent.parent
SEED = "42"


@contextmanager
def _target(variant: str = "faithful") -> Iterator[tuple[str, Accounts]]:
    """A fresh server (faithful or a broken variant) on a free loopback port, and its accounts."""
    from mutants import build

    accounts = Accounts.from_env()
    with (
        tempfile.TemporaryDirectory(prefix="bench-contract-") as tmp,
        serve(build(variant, Path(tmp) / "users.sqlite3", accounts)) as base_url,
    ):
        yield base_url, accounts


def _env(accounts: Accounts) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEPLOYHQ_", "PYTEST_", "HYPOTHESIS_"))}
    admin = accounts.administrator
    env.update(DEPLOYHQ_EMAIL=admin.email, DEPLOYHQ_API_KEY=admin.api_key, PYTHONPATH=str(ROOT))
    env["SCHEMATHESIS_HOOKS"] = "contract_tests.hooks"  # st run: the same unique-address hook as the suite
    env["PYTHONDONTWRITEBYTECODE"] = ""  # let pytest cache its assertion rewriting (see noxfile.py)
    return env


def _run(command: list[str], env: dict[str, str], *, expect: int | None = 0) -> None:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=900)
    if expect is not None and result.returncode != expect:
        raise RuntimeError(f"{' '.join(command[:6])} exited {result.returncode}:\n{result.stdout[-2000:]}")


def suite(
    base_url: str, accounts: Accounts, examples: int, *extra: str, profile: str = "ci", expect: int | None = 0
) -> float:
    """Seconds for the whole contract suite against *base_url*, as a user runs it."""
    options = ["--base-url", base_url, "--contract-profile", profile, "--max-examples", str(examples)]
    command = [sys.executable, "-m", "pytest", "contract_tests", "-q", "-p", "no:cacheprovider", *options, *extra]
    return timed(lambda: _run([*command, "--junitxml", os.devnull], _env(accounts), expect=expect))


def raw_st_run(base_url: str, accounts: Accounts, examples: int, *extra: str) -> float:
    """Seconds for `st run openapi.yaml` with every built-in check, the same budget and the same target."""
    admin = accounts.administrator
    st = str(Path(sys.executable).with_name("st"))
    budget = ["--checks", "all", "--max-examples", str(examples), "--seed", SEED]
    command = [st, "run", "openapi.yaml", "--url", base_url, "--auth", f"{admin.email}:{admin.api_key}", *budget]
    command += ["--generation-with-security-parameters", "false", *extra]
    return timed(lambda: _run(command, _env(accounts)))


def rows(settings: Settings) -> list[Row]:
    # A quick run leaves out the coverage phase (about 600 requests for POST /users alone) on both sides.
    examples, profile = settings.pick((25, "ci"), (10, "quick"))
    st_phases = settings.pick((), ("--phases", "examples,fuzzing,stateful"))
    with _target() as (base_url, accounts):
        ours, theirs = interleave(
            lambda: suite(base_url, accounts, examples, profile=profile),
            lambda: raw_st_run(base_url, accounts, examples, *st_phases),
            settings.pick(3, 1),
            warmup=0,
        )
    result = [
        Row(
            area="contract",
            name=f"suite vs raw st run ({examples} examples)",
            unit="s",
            candidate=ours,
            baseline=theirs,
            baseline_name="st run, all checks",
            goal=1.5,
            note="the suite also runs its promise, round-trip and stateful tests",
        )
    ]
    budgets = settings.pick([25, 100, 400], [10, 20])
    base, *larger = budgets
    with _target() as (base_url, accounts):
        times: dict[int, list[float]] = {budget: [] for budget in budgets}
        for _ in range(settings.pick(2, 1)):
            for budget in budgets:
                times[budget].append(suite(base_url, accounts, budget, profile=profile))
    for budget in larger:
        result.append(
            Row(
                area="contract",
                name=f"suite at {budget} examples vs {base}",
                unit="s",
                candidate=times[budget],
                baseline=times[base],
                baseline_name=f"suite at {base} examples",
                goal=budget / base,  # linear growth at most
                note="goal: no worse than linear in the budget",
            )
        )
    result.append(detection(settings))
    return result


def detection(settings: Settings) -> Row:
    """Seconds until the suite (quick profile, stop at first failure) fails against each broken variant."""
    from mutants import CATALOGUE

    names = sorted(CATALOGUE)[: settings.pick(len(CATALOGUE), 2)]
    seconds: list[float] = []
    for name in names:
        with _target(name) as (base_url, accounts):
            seconds.append(suite(base_url, accounts, 10, "-x", profile="quick", expect=1))
    with _target() as (base_url, accounts):
        faithful = [suite(base_url, accounts, 10, "-x", profile="quick")]
    return Row(
        area="contract",
        name=f"time to detect a broken variant ({len(names)} variants)",
        unit="s",
        candidate=seconds,
        baseline=faithful,
        baseline_name="a full pass, same settings",
        note="median over variants; each run stops at its first failure",
    )


__all__ = ["rows"]
