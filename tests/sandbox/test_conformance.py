"""A raw `st run openapi.yaml` with every built-in check passes against the real CLI server, on all seven operations."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from deployhq_sandbox._config import DEFAULT_ADMIN_API_KEY, DEFAULT_ADMIN_EMAIL

from .conftest import ROOT, ServerProcess

ST = Path(sys.executable).with_name("st")
# Fuzzing and stateful scale with this; examples and coverage do not. About 20 s on 2 vCPUs.
MAX_EXAMPLES = 30
SEED = 42


@pytest.mark.slow
@pytest.mark.skipif(
    not ST.exists() and shutil.which("st") is None, reason="schemathesis (the contract group) is not installed"
)
def test_st_run_with_every_check_passes(
    database: Path, tmp_path: Path, start_server: Callable[..., ServerProcess]
) -> None:
    """Schemathesis 4.32.5's CLI finds no issue in any phase, with all checks on and the suite's hooks."""
    server = start_server(database)
    server.wait_ready()
    environment = {
        **os.environ,
        # A fresh address for every schema-valid invitation and update (see st_hooks.py).
        "SCHEMATHESIS_HOOKS": "tests.sandbox.st_hooks",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    command = [
        str(ST if ST.exists() else shutil.which("st")),
        "run",
        str(ROOT / "openapi.yaml"),
        "--url",
        server.base_url,
        "--auth",
        f"{DEFAULT_ADMIN_EMAIL}:{DEFAULT_ADMIN_API_KEY}",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
    ]
    # cwd: an empty directory, so no schemathesis.toml of the checkout can switch a check or a phase off.
    result = subprocess.run(command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=180)
    summary = result.stdout[-4000:] + result.stderr[-2000:]
    assert (result.returncode, "No issues found" in result.stdout) == (0, True), summary
