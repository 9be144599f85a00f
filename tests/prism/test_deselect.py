"""The tests left out of the run through Prism exist in the suite, and exactly they are left out."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from mutants.harness import ROOT, environment
from second_judge.deselect import NOT_THROUGH_PRISM

# Prints every test the suite collects, before anything is deselected, under both names it can be listed by
# (tab-separated: names hold spaces, e.g. `[POST /users]`).
LISTER = """
import pytest

@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    for item in items:
        print("collected", f"{item.path.name}::{item.name}", f"{item.path.name}::{item.originalname}", sep="\\t")
"""


def test_exactly_the_listed_tests_are_left_out(tmp_path: Path) -> None:
    """Each name in NOT_THROUGH_PRISM matches a test of the suite, and the plugin deselects every match, no more."""
    (tmp_path / "lister.py").write_text(LISTER, encoding="utf-8")
    env = environment(PYTHONPATH=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "contract_tests", "--collect-only", "-q", "-s", "-p", "no:cacheprovider",
         "-p", "lister", "-p", "second_judge.deselect"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    collected = [line.split("\t")[1:] for line in result.stdout.splitlines() if line.startswith("collected\t")]
    matches = [names for names in collected if set(names) & set(NOT_THROUGH_PRISM)]

    assert 0 == result.returncode, result.stdout[-2000:] + result.stderr[-2000:]
    assert [] == [name for name in NOT_THROUGH_PRISM if not any(name in names for names in collected)]
    reported = re.search(r"(\d+)/(\d+) tests collected \((\d+) deselected\)", result.stdout)
    assert reported is not None, result.stdout[-2000:]
    assert (len(collected) - len(matches), len(collected), len(matches)) == tuple(map(int, reported.groups()))
