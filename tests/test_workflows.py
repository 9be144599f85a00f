"""The GitHub workflows: what CI runs, the live example's safety, and the linter that `nox -s lint` runs on them."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from deployhq_client.models import UserInvitation
from deployhq_sandbox import Accounts, create_app, serve
from deployhq_users import connect, invite_user, list_users

ROOT = Path(__file__).resolve().parent.parent
CI_WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
LIVE_EXAMPLE = ROOT / "docs" / "examples" / "scheduled-live-contract.yml"
NOXFILE = ROOT / "noxfile.py"
SECRETS = ["DEPLOYHQ_ACCOUNT", "DEPLOYHQ_EMAIL", "DEPLOYHQ_API_KEY"]
# Where a run of the installed suite keeps its ledger, relative to the folder it runs in (deployhq_contract/guard.py).
LEDGER = "reports/contract-created-users.txt"
CANARY = "canary-key-0123456789abcdef0123456789abcdef"


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


def step_named(path: Path, start: str) -> dict[str, Any]:
    """The step whose name starts with *start*."""
    return next(step for step in steps(path) if step.get("name", "").startswith(start))


def test_workflows_pass_the_linter() -> None:
    """Both workflow files are clean for the pinned actionlint and ShellCheck."""
    result = actionlint(CI_WORKFLOW, LIVE_EXAMPLE)
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
        pytest.param(
            LIVE_EXAMPLE,
            "if: always()",
            "if: secrets.DEPLOYHQ_API_KEY != ''",
            'context "secrets" is not allowed here',
            id="secrets in if",
        ),
        pytest.param(
            LIVE_EXAMPLE, '- cron: "17 5 * * 1"', '- cron: "17 25 * * 1"', "invalid CRON format", id="bad cron"
        ),
        pytest.param(
            LIVE_EXAMPLE,
            "steps.install.outcome",
            "steps.instal.outcome",
            'property "instal" is not defined',
            id="cleanup waits on an unknown step",
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
    """The CI workflow runs .ci/run itself (which installs the browser), as root, with the Node.js nox's lint needs."""
    commands = [step["run"] for step in steps(CI_WORKFLOW) if "run" in step]
    uses = [step["uses"].split("@")[0] for step in steps(CI_WORKFLOW) if "uses" in step]
    (job,) = load(CI_WORKFLOW)["jobs"].values()
    assert (["bash .ci/run"], True, "python:3.11-bookworm") == (
        commands,
        "actions/setup-node" in uses,
        job["container"],
    )


def test_live_example_runs_only_when_asked_or_scheduled() -> None:
    """The live example has no push or pull-request trigger and lives outside .github/workflows: it never runs here."""
    triggers = set(load(LIVE_EXAMPLE)["on"])
    assert ({"schedule", "workflow_dispatch"}, False) == (triggers, ".github" in LIVE_EXAMPLE.parts)


def test_live_example_takes_the_credentials_from_secrets() -> None:
    """Each credential comes from the repository secret of the same name, and nothing else is passed."""
    (job,) = load(LIVE_EXAMPLE)["jobs"].values()
    assert {name: f"${{{{ secrets.{name} }}}}" for name in SECRETS} == job["env"]


def test_live_example_runs_the_suite_live_and_keeps_its_report() -> None:
    """The installed deployhq-contract runs with --live, its JUnit report is uploaded even after a failure."""
    install = step_named(LIVE_EXAMPLE, "Install the contract suite")["run"]
    run = step_named(LIVE_EXAMPLE, "Run the contract suite")["run"]
    upload = step_named(LIVE_EXAMPLE, "Upload the JUnit report")
    assert ('python -m pip install ".[contract]"', True, "always()", "reports/contract-junit.xml") == (
        install,
        "deployhq-contract --live 2>&1 | tee reports/contract-console.txt" in run.splitlines(),
        upload["if"],
        upload["with"]["path"],
    )


def run_step(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A step's script in bash, as GitHub runs a `shell: bash` step."""
    environment = {"PATH": os.environ.get("PATH", ""), **env}
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )


@pytest.mark.parametrize("missing", [SECRETS, ["DEPLOYHQ_ACCOUNT"], ["DEPLOYHQ_API_KEY"]])
def test_live_example_stops_first_when_a_secret_is_missing(tmp_path: Path, missing: list[str]) -> None:
    """With a secret unset the first step fails naming it, and prints no secret value."""
    script = step_named(LIVE_EXAMPLE, "Check that the secrets are set")["run"]
    values = {"DEPLOYHQ_ACCOUNT": "acme", "DEPLOYHQ_EMAIL": "admin@example.com", "DEPLOYHQ_API_KEY": CANARY}
    result = run_step(script, tmp_path, {name: ("" if name in missing else value) for name, value in values.items()})
    output = result.stdout + result.stderr
    assert (1, [name for name in SECRETS if name in output], False) == (result.returncode, missing, CANARY in output)


def test_live_example_goes_on_when_every_secret_is_set(tmp_path: Path) -> None:
    """With the three secrets set the check passes silently."""
    script = step_named(LIVE_EXAMPLE, "Check that the secrets are set")["run"]
    result = run_step(script, tmp_path, dict.fromkeys(SECRETS, "set"))
    assert (0, "") == (result.returncode, result.stdout + result.stderr)


@pytest.mark.parametrize("markdown", [True, False])
def test_live_example_puts_the_console_in_the_job_summary_only_without_a_summary(
    tmp_path: Path, markdown: bool
) -> None:
    """The suite appends its own summary, which is not added twice; without one, the console's last lines are."""
    script = step_named(LIVE_EXAMPLE, "Add the console to the job summary")["run"]
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "contract-console.txt").write_text("".join(f"line {n}\n" for n in range(100)), encoding="utf-8")
    if markdown:
        (reports / "contract-summary.md").write_text("## Verdict: kept\n", encoding="utf-8")
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    result = run_step(script, tmp_path, {"GITHUB_STEP_SUMMARY": str(summary)})
    expected = (
        "" if markdown else "## Live contract check\n```\n" + "".join(f"line {n}\n" for n in range(60, 100)) + "```\n"
    )
    assert (0, "earlier step\n" + expected) == (result.returncode, summary.read_text(encoding="utf-8"))


def default_sessions() -> list[str]:
    """`nox.options.sessions` of noxfile.py, read without importing nox."""
    for node in ast.walk(ast.parse(NOXFILE.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "nox.options.sessions":
            return list(ast.literal_eval(node.value))
    raise AssertionError("noxfile.py sets no nox.options.sessions")


def test_ci_workflow_header_names_every_default_session() -> None:
    """The CI workflow's header lists nox's default sessions as noxfile.py has them, all and in order."""
    header = re.search(r"nox's default sessions \(([^)]*)\)", CI_WORKFLOW.read_text(encoding="utf-8"))
    assert header is not None
    assert default_sessions() == [name.strip() for name in header[1].replace("\n#", " ").split(",")]


def test_live_example_sweeps_after_a_timeout_a_failure_or_a_cancel() -> None:
    """After a failed, timed-out or cancelled suite the installed cleanup sweeps, with time left in the job for it."""
    (job,) = load(LIVE_EXAMPLE)["jobs"].values()
    names = [step.get("name", "") for step in job["steps"]]
    suite = step_named(LIVE_EXAMPLE, "Run the contract suite")
    cleanup = step_named(LIVE_EXAMPLE, "Remove the users a stopped run left behind")
    install = step_named(LIVE_EXAMPLE, "Install the contract suite")
    assert (
        "python -m deployhq_contract.cleanup --live --sweep",
        "(failure() || cancelled()) && steps.install.outcome == 'success'",
        "install",
        True,
    ) == (
        cleanup["run"],
        cleanup["if"],
        install.get("id"),
        names.index(suite["name"]) < names.index(cleanup["name"]),
    )
    # The suite's own timeout fails its step and leaves the job running: a job-level timeout would end the job,
    # cleanup included.
    assert suite["timeout-minutes"] + cleanup["timeout-minutes"] + 5 <= job["timeout-minutes"]


def test_live_example_keeps_the_ledger_whatever_happened() -> None:
    """The ledger of created users is uploaded after the cleanup, on every outcome, from where the suite writes it."""
    names = [step.get("name", "") for step in steps(LIVE_EXAMPLE)]
    upload = step_named(LIVE_EXAMPLE, "Upload the ledger of created users")
    assert ("always()", LEDGER, "ignore", True) == (
        upload["if"],
        upload["with"]["path"],
        upload["with"]["if-no-files-found"],
        names.index("Remove the users a stopped run left behind") < names.index(upload["name"]),
    )


def test_live_example_cleanup_step_removes_the_ledgers_users_and_the_swept_ones(tmp_path: Path) -> None:
    """The cleanup step's command, run as the step runs it, removes the ledger's user and the suite-shaped one only."""
    admin, key = "ops@example.com", "workflow-cleanup-key-000000000000000000"
    accounts = Accounts.from_env({"DEPLOYHQ_EMAIL": admin, "DEPLOYHQ_API_KEY": key}, with_role_users=False)
    script = step_named(LIVE_EXAMPLE, "Remove the users a stopped run left behind")["run"]
    with (
        serve(create_app(tmp_path / "users.sqlite3", accounts=accounts)) as base_url,
        connect(base_url=base_url, email=admin, api_key=key) as client,
    ):
        ledgered = invite_user(client, UserInvitation(first_name="Led", email_address="ledgered@example.com"))
        shaped = "contract-0123456789abcdef0123@example.com"  # the address shape the suite invites
        invite_user(client, UserInvitation(first_name="Shaped", email_address=shaped))
        invite_user(client, UserInvitation(first_name="Kept", email_address="kept@example.com"))
        (tmp_path / "reports").mkdir()
        (tmp_path / LEDGER).write_text(f"{base_url}\t{ledgered.identifier}\n", encoding="utf-8")
        path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
        env = {"DEPLOYHQ_BASE_URL": base_url, "DEPLOYHQ_EMAIL": admin, "DEPLOYHQ_API_KEY": key, "PATH": path}
        result = run_step(script, tmp_path, env)
        left = sorted(user.email_address for user in list_users(client))

    assert (0, ["kept@example.com", admin], False) == (result.returncode, left, (tmp_path / LEDGER).exists())
    assert f"{base_url}: removed 2 user(s), 0 left behind" in result.stdout
    assert key not in result.stdout + result.stderr
