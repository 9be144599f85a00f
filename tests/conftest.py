"""Fixtures shared by every test folder: the parsed contract; and the Hypothesis profiles of the tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent

# `nox -s tests` must answer the same on every run: the same examples each time, none replayed from a database
# that differs between machines. Loaded here by default; `--hypothesis-profile explore` (nox -s explore) overrides.
settings.register_profile("deterministic", max_examples=300, derandomize=True, database=None, deadline=None)
# Random examples, many more of them, to find what the fixed ones miss; a failure prints its reproduction blob.
settings.register_profile(
    "explore", max_examples=5000, derandomize=False, database=None, deadline=None, print_blob=True
)
settings.load_profile("deterministic")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every Hypothesis test `property`, so `nox -s explore` can select them all."""
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.property)


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    """openapi.yaml, parsed once per run."""
    return yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio, the loop the client's users are most likely to have."""
    return "asyncio"
