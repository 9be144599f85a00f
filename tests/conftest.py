"""Fixtures shared by every test folder: the parsed contract."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    """openapi.yaml, parsed once per run."""
    return yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio, the loop the client's users are most likely to have."""
    return "asyncio"
