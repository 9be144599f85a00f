"""Fixtures of the hostile-target tests: an attacking server, and a well-behaved one to count what reaches it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import Hostility, hostile


@pytest.fixture(name="elsewhere")
def _elsewhere() -> Iterator[tuple[str, Hostility]]:
    """Another origin answering like the API (`[]`): a redirect's destination, which must never be reached."""
    behaving = Hostility("echo", after=10**9)
    with hostile(behaving) as base_url:
        yield base_url, behaving
