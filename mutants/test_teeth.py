"""The contract suite has teeth: each broken variant is caught by the promise that names it; faithful passes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from deployhq_sandbox import Accounts, serve

from .catalogue import CATALOGUE, MUST_PASS, Variant, build
from .conftest import ROW
from .harness import environment, run_suite
from .table import README, readme_table, table

# The profile `nox -s teeth` judges with: no coverage phase, few examples, derandomized.
PROFILE = "quick"


@dataclass(frozen=True)
class Run:
    code: int
    output: str
    seconds: float
    first_failure: str  # "test_module.py::test_name[params]", or "" when nothing failed


def judge(base_url: str, accounts: Accounts, tmp_path: Path) -> Run:
    """The contract suite, as a user runs it, against *base_url*, stopping at its first failure."""
    junit = tmp_path / "junit.xml"
    finished = run_suite(
        "--base-url", base_url, "-x", "-q", "--contract-profile", PROFILE, f"--junitxml={junit}",
        # Its own ledger: the default one, under reports/, would be shared by the runs pytest-xdist runs at once.
        env=environment(accounts, DEPLOYHQ_CONTRACT_LEDGER=str(tmp_path / "ledger.txt")),
    )  # fmt: skip
    return Run(finished.code, finished.output, finished.seconds, first_failure(junit))


def first_failure(junit: Path) -> str:
    """The first test JUnit reports as failed or in error, as `module.py::name`."""
    if not junit.exists():
        return ""
    for case in ET.parse(junit).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            module = case.get("classname", "").rsplit(".", 1)[-1]
            return f"{module}.py::{case.get('name', '')}"
    return ""


def test_faithful_server_passes(tmp_path: Path, record_property: Callable[[str, object], None]) -> None:
    """Against the reference server itself the suite exits 0."""
    accounts = Accounts.from_env({})
    with serve(build("faithful", tmp_path / "users.sqlite3", accounts)) as base_url:
        run = judge(base_url, accounts, tmp_path)

    record_property(ROW, ("faithful", "(none)", "passes" if run.code == 0 else "FAILED", run.seconds))
    assert 0 == run.code, run.output[-4000:]


@pytest.mark.parametrize("name", list(CATALOGUE))
def test_broken_variant_is_caught_by_its_promise(
    name: str, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    """Against a variant the suite exits 1, and the first test to fail is the one that judges the broken promise."""
    variant = CATALOGUE[name]
    accounts = Accounts.from_env({})
    with serve(build(name, tmp_path / "users.sqlite3", accounts)) as base_url:
        run = judge(base_url, accounts, tmp_path)

    record_property(ROW, (name, variant.breaks, run.first_failure or "NOT CAUGHT", run.seconds))
    assert 1 == run.code, run.output[-4000:]
    assert variant.caught_by == run.first_failure, run.output[-4000:]


@pytest.mark.parametrize("variant", MUST_PASS, ids=lambda variant: variant.name)
def test_additive_drift_is_a_warning_not_a_failure(
    variant: Variant, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    """A server that adds fields the spec does not know passes, and the summary names the field."""
    accounts = Accounts.from_env({})
    with serve(build(variant.name, tmp_path / "users.sqlite3", accounts)) as base_url:
        run = judge(base_url, accounts, tmp_path)

    record_property(ROW, (variant.name, variant.breaks, "passes, with a drift warning", run.seconds))
    assert 0 == run.code, run.output[-4000:]
    assert "additive drift" in run.output
    assert "nickname" in run.output or "etag" in run.output


def test_readme_shows_the_catalogue() -> None:
    """The README's detection table is the one the catalogue generates (`python -m mutants --table`)."""
    assert table() == readme_table(README.read_text(encoding="utf-8")), "run `python -m mutants --table --write`"
