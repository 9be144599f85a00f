"""The GitHub workflows: what CI runs, and the linter that `nox -s lint` runs on them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CI_WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"


def tool(name: str) -> str:
    """A command installed next to this Python (the pinned one from the dependency group), else from PATH."""
    found = shutil.which(name, path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    if found is None:
        pytest.fail(f"{name} not found: install the tests dependency group (pip install --group tests)")
    return found


def actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    """actionlint on *files*, with the options `nox -s lint` gives it."""
    command = [tool("actionlint"), f"-shellcheck={tool('shellcheck')}", "-pyflakes=", "-no-color", *map(str, files)]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)


def load(path: Path) -> dict[Any, Any]:
    """A workflow, with its `on:` key under "on" (YAML 1.1 would read it as True)."""
    document: dict[Any, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in document:
        document["on"] = document.pop(True)
    return document


def steps(path: Path) -> list[dict[str, Any]]:
    """Every step of every job of a workflow."""
    return [step for job in load(path)["jobs"].values() for step in job["steps"]]


def test_workflows_pass_the_linter() -> None:
    """The workflow is clean for the pinned actionlint and ShellCheck."""
    result = actionlint(CI_WORKFLOW)
    assert (0, "") == (result.returncode, result.stdout)


@pytest.mark.parametrize(
    ("workflow", "good", "broken", "complaint"),
    [
        pytest.param(
            CI_WORKFLOW,
            "runs-on: ubuntu-latest",
            "runs_on: ubuntu-latest",
            'unexpected key "runs_on"',
            id="misspelt key",
        ),
        pytest.param(
            CI_WORKFLOW,
            "ci-${{ github.ref }}",
            "ci-${{ github.reff }}",
            'property "reff" is not defined',
            id="unknown property",
        ),
        pytest.param(
            CI_WORKFLOW, "run: bash .ci/run", "run: cd $HOME/repo && bash .ci/run", "SC2086", id="unquoted variable"
        ),
        pytest.param(CI_WORKFLOW, "actions/checkout@v7", "actions/checkout@v2", "is retired", id="retired action"),
        pytest.param(
            CI_WORKFLOW, "node-version:", "node_version:", 'input "node_version" is not defined', id="unknown input"
        ),
    ],
)
def test_the_linter_catches_a_broken_copy(
    tmp_path: Path, workflow: Path, good: str, broken: str, complaint: str
) -> None:
    """A copy with one mistake fails the lint, which names the mistake and its line."""
    text = workflow.read_text(encoding="utf-8")
    assert good in text
    copy = tmp_path / workflow.name
    copy.write_text(text.replace(good, broken, 1), encoding="utf-8")
    line = text[: text.index(good)].count("\n") + 1
    result = actionlint(copy)
    assert (1, True, True) == (result.returncode, complaint in result.stdout, f"{copy.name}:{line}:" in result.stdout)


def test_ci_workflow_runs_what_ci_run_runs() -> None:
    """The CI workflow runs .ci/run itself, with the browser and Node.js that nox's sessions need."""
    commands = "\n".join(step.get("run", "") for step in steps(CI_WORKFLOW))
    uses = [step["uses"].split("@")[0] for step in steps(CI_WORKFLOW) if "uses" in step]
    assert (True, True, True) == (
        "bash .ci/run" in commands.splitlines(),
        "apt-get install -y --no-install-recommends chromium chromium-driver" in commands,
        "actions/setup-node" in uses,
    )
