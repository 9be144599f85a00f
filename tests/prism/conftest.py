"""Fixtures of the second judge's tests: Prism as `nox -s second_judge` installs it, servers behind it."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from deployhq_sandbox import Accounts, serve
from mutants.catalogue import build
from mutants.harness import CountRequests
from second_judge.__main__ import DEFAULT_PRISM_DIR
from second_judge.prism import install


@pytest.fixture(scope="session", name="prism")
def _prism() -> Path:
    """The pinned Prism, installed once into nox's cache folder (skipped without Node.js, except in CI)."""
    if (shutil.which("npm") is None or shutil.which("node") is None) and not os.environ.get("CI"):
        pytest.skip("npm or node not found: Prism cannot run here")
    # pytest-xdist's workers each ask for it: one installs while the others wait, then find it installed (two npm
    # runs into one folder at once fail with ENOTEMPTY).
    DEFAULT_PRISM_DIR.parent.mkdir(parents=True, exist_ok=True)
    with (DEFAULT_PRISM_DIR.parent / "prism.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return install(DEFAULT_PRISM_DIR)


@contextlib.contextmanager
def served(name: str, database: Path, accounts: Accounts | None = None) -> Iterator[tuple[str, CountRequests]]:
    """Variant *name* ("faithful": the reference server) on a free loopback port, counting what reaches it."""
    app = CountRequests(build(name, database, accounts or Accounts.defaults()))
    with serve(app) as base_url:
        yield base_url, app
