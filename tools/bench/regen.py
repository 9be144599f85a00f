"""Regeneration: `scripts/regenerate.py --check` against a bare run of the generator on the same spec."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from ._harness import NotMeasured, Row, Settings, interleave, measuring, timed

ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    # The generator's post-hooks call `ruff` by name: both runs get the pinned one beside this interpreter.
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def _run(command: list[str]) -> None:
    result = subprocess.run(command, cwd=ROOT, env=_env(), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        output = result.stdout + result.stderr
        raise NotMeasured(f"{' '.join(command[1:4])} failed (exit {result.returncode}): {output.strip()[-500:]}")


def check() -> float:
    """The candidate: generate into a temp dir and compare with generated/."""
    return timed(lambda: _run([sys.executable, "scripts/regenerate.py", "--check"]))


def bare() -> float:
    """The baseline: the generator alone, same spec and config, into a fresh directory."""
    with tempfile.TemporaryDirectory(prefix="bench-regen-") as tmp:
        command = [
            sys.executable, "-m", "openapi_python_client", "generate", "--path", "openapi.yaml", "--meta", "none",
            "--output-path", str(Path(tmp) / "deployhq_client"), "--config", "scripts/generator-config.yaml",
        ]  # fmt: skip
        return timed(lambda: _run(command))


def rows(settings: Settings) -> list[Row]:
    repeats = settings.pick(7, 3)
    row = Row(
        "regen",
        "regenerate.py --check",
        "s",
        baseline_name="openapi-python-client generate",
        goal=1.5,
        note=f"{repeats} interleaved pairs after one unrecorded warm-up pair",
    )
    with measuring(row):
        row.candidate, row.baseline = interleave(check, bare, repeats)
    return [row]
