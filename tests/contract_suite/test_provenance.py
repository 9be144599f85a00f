"""Every promise names its source: the registry, `--list-promises`, and docs/promises.md generated from them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from deployhq_contract.__main__ import SUITE
from deployhq_contract.provenance import KINDS, SOURCES, Source, missing
from mutants.harness import ROOT
from mutants.promises_doc import PATH, render

from .conftest import canary_environment, free_port


@pytest.fixture(scope="module", name="listed")
def _listed(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """`deployhq-contract --list-promises` aimed at a loopback port where nothing listens."""
    tmp_path = tmp_path_factory.mktemp("listing")
    result = subprocess.run(
        [sys.executable, "-m", "deployhq_contract", "--list-promises", "--base-url", f"http://127.0.0.1:{free_port()}"],
        cwd=ROOT, env=canary_environment(tmp_path), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert 0 == result.returncode, result.stderr[-3000:]
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return found


def test_list_promises_prints_every_promise_with_its_source_and_sends_nothing(listed: list[dict[str, Any]]) -> None:
    """A JSON array, one object per promise and operation, each with a known source; no target was needed."""
    operations = {entry["operation"] for entry in listed}
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    operation_ids = {
        op["operationId"] for item in spec["paths"].values() for m, op in item.items() if m != "parameters"
    }

    assert all({"operation", "promise", "source", "test"} <= set(entry) for entry in listed)
    assert set() == {entry["source"] for entry in listed} - set(KINDS)
    assert operation_ids <= operations
    assert {entry["test"] for entry in listed} == set(SOURCES)


def test_docs_promises_md_is_what_the_registry_and_the_catalogue_make(listed: list[dict[str, Any]]) -> None:
    """docs/promises.md is current: `python -m mutants --promises --write` regenerates it."""
    assert render(listed) == PATH.read_text(encoding="utf-8")


def test_every_vendor_docs_source_names_a_page_of_the_drift_facts() -> None:
    """A `vendor-docs` source names one of the pages drift/vendor-docs-facts.yaml records."""
    facts = yaml.safe_load((ROOT / "drift" / "vendor-docs-facts.yaml").read_text(encoding="utf-8"))
    pages = {page["page"] for page in facts["pages"]}

    assert set() == {source.page for source in SOURCES.values() if source.page} - pages


def test_a_test_without_a_source_is_named() -> None:
    """A new built-in test function with no entry in SOURCES is named, so that the run can refuse to start; a
    team's own promise file, elsewhere, needs no entry."""

    class Item:
        path = SUITE / "test_new.py"
        originalname = "test_something_new"
        name = "test_something_new[x]"

    class TeamItem(Item):
        path = Path("elsewhere", "test_new.py")

    assert ["test_new.py::test_something_new"] == missing([Item(), TeamItem()])


@pytest.mark.parametrize(("kind", "page"), [("vendor-docs", None), ("decided", "remove-user-api"), ("rumour", None)])
def test_a_malformed_source_is_refused(kind: str, page: str | None) -> None:
    """A source of an unknown kind, a docs source without its page, or a page on another kind is a ValueError."""
    with pytest.raises(ValueError, match="not a source"):
        Source(kind, page)
