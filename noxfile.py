"""Every task of this project, one small session per concern. `nox` runs the defaults; `nox -l` lists all."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nox

nox.needs_version = ">=2025.2"
nox.options.default_venv_backend = "virtualenv"
nox.options.error_on_external_run = True
nox.options.reuse_venv = "yes"
nox.options.sessions = [
    "lint",
    "typing",
    "check_generated",
    "gate",
    "vendor_drift",
    "tests",
    "package",
    "contract",
    "teeth",
    "second_judge",
]

ROOT = Path(__file__).parent
REDOCLY = "@redocly/cli@2.77.0"  # pinned: a linter upgrade may change which rules fire
REPORTS = ROOT / "reports"
# The repository's workflows and the documented examples a user copies: all linted with actionlint.
WORKFLOW_GLOBS = (".github/workflows/*.yml", "docs/examples/*.yml")
# About 2 minutes of builds and fresh virtual environments: its own session, so `nox -s tests` stays quick.
PACKAGE_TESTS = "tests/test_packaging.py"
# Dev-only packages (spec_guard, second_judge, bench): never shipped, so not installed; run from their folder.
TOOLS = ROOT / "tools"
# pytest-xdist for `tests`, `teeth` and `package`: their tests mostly wait (on a server in another process, a suite
# run in a subprocess, a timeout, a pip install), so more workers than CI's 2 cores still shorten the run. Groups
# (`xdist_group`) keep the tests that share one installation or server in one worker. `-- -n 0` runs them serially.
PARALLEL = ("-n", "4", "--dist", "loadgroup")


def install(session: nox.Session, *groups: str, project: bool = True) -> None:
    """Install dependency groups (PEP 735, needs pip >= 25.1) and, usually, this project: one pip run, one resolve."""
    # pytest rewrites the asserts of every module of a plugin's distribution (all ~350 of schemathesis) and
    # caches the result as bytecode; with PYTHONDONTWRITEBYTECODE set, as on some CI machines, it redoes
    # that in every pytest process (~4 s each). An empty value turns the variable off.
    session.env["PYTHONDONTWRITEBYTECODE"] = ""
    session.install("--quiet", "--upgrade", "pip>=25.1")
    # --no-compile: pip would compile every module of every package (6 of the 16 CPU seconds of the tests session's
    # install); a module is compiled, and its bytecode kept, when something first imports it.
    groups_args = (part for group in groups for part in ("--group", group))
    session.install("--quiet", "--no-compile", *(["."] if project else []), *groups_args)


def tool(session: nox.Session, name: str, *args: str) -> None:
    """`python -m <name>` for a package of tools/."""
    session.run("python", "-m", name, *args, env={"PYTHONPATH": str(TOOLS)})


@nox.session
def lint(session: nox.Session) -> None:
    """Lint and format-check the hand-written code; validate and lint the spec; lint the GitHub workflows."""
    install(session, "lint", project=False)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("openapi-spec-validator", "openapi.yaml")
    session.run("python", "scripts/time_zones.py", "--check")
    # The `run:` scripts are checked with the pinned ShellCheck of the venv, never whichever the machine has;
    # pyflakes is off because no step runs inline Python.
    shellcheck = Path(session.bin) / "shellcheck"
    workflows = sorted(str(path.relative_to(ROOT)) for pattern in WORKFLOW_GLOBS for path in ROOT.glob(pattern))
    session.run("actionlint", f"-shellcheck={shellcheck}", "-pyflakes=", *workflows)
    session.run("shellcheck", ".ci/run", ".ci/install-browser")
    tool(session, "spec_guard", "versions")  # info.version, pyproject and CHANGELOG.md agree
    # Redocly checks what openapi-spec-validator skips in 3.1 (schemas, examples against schemas, links).
    # It needs Node.js: a machine with only Python skips it with a warning; CI (CI=true) never does.
    if shutil.which("npx") is None and not os.environ.get("CI"):
        session.warn("npx not found: skipping the Redocly lint of openapi.yaml (install Node.js to run it)")
        return
    session.run(
        "npx", "--yes", REDOCLY, "lint", "openapi.yaml", "--config", "redocly.yaml", "--format", "stylish",
        external=True, env={"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"},
    )  # fmt: skip


@nox.session
def typing(session: nox.Session) -> None:
    """mypy --strict on the hand-written packages, the scripts and generated/."""
    install(session, "typing")
    session.run("mypy")


@nox.session
def check_generated(session: nox.Session) -> None:
    """Fail when generated/ is not what the pinned generator makes of openapi.yaml."""
    install(session, "regen", project=False)
    session.run("python", "scripts/regenerate.py", "--check")


@nox.session(default=False)
def regenerate(session: nox.Session) -> None:
    """Rewrite generated/ from openapi.yaml (commit both together)."""
    install(session, "regen", project=False)
    session.run("python", "scripts/regenerate.py")


@nox.session
def gate(session: nox.Session) -> None:
    """Compare openapi.yaml with the last release's spec; fail when the version or CHANGELOG.md does not fit."""
    install(session, "spec", project=False)
    tool(session, "spec_guard", "gate")


@nox.session(default=False)
def release(session: nox.Session) -> None:
    """Freeze openapi.yaml as releases/openapi-X.Y.Z.yaml and date CHANGELOG.md's entry (`-- --date YYYY-MM-DD`)."""
    install(session, "spec", project=False)
    tool(session, "spec_guard", "release", *session.posargs)


@nox.session
def vendor_drift(session: nox.Session) -> None:
    """List every difference from the facts of DeployHQ's own spec; fail on one drift/ does not explain."""
    install(session, "spec", project=False)
    tool(session, "spec_guard", "drift")


@nox.session(default=False)
def vendor_refresh(session: nox.Session) -> None:
    """Rewrite drift/vendor-users-facts.yaml: `-- DOCUMENT --commit SHA --date YYYY-MM-DD` (see README)."""
    install(session, "spec", project=False)
    tool(session, "spec_guard", "refresh", *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    """Unit and integration tests of the client, the generator script and the reference server.

    `nox -s tests -- tests/client -x` runs only the paths given; without a path, pytest's `testpaths` (tests/).
    """
    # regen: tests/test_regenerate.py runs the real generator; contract: tests/contract_suite runs the suite itself.
    install(session, "tests", "regen", "contract")
    # No "tests" here: pytest runs its testpaths (tests/), or the paths given after `--`. The packaging tests
    # build and install the distribution: they have their own session.
    session.run("pytest", "--ignore", PACKAGE_TESTS, *PARALLEL, *session.posargs)


@nox.session
def package(session: nox.Session) -> None:
    """Build the wheel and sdist, check them, and run both commands from each, installed outside the repository."""
    install(session, "package")
    session.run("pytest", PACKAGE_TESTS, *PARALLEL, *session.posargs)


@nox.session(default=False)
def explore(session: nox.Session) -> None:
    """The property tests of `tests` with random examples, many more of them, reporting what Hypothesis finds.

    `tests` runs them derandomized, so CI answers the same on every run; this session looks further.
    A failure prints the falsifying example and a blob to reproduce it; `-- -x` stops at the first.
    """
    install(session, "tests", "contract")  # contract: jsonschema_rs, the format checker the property tests compare with
    session.run(
        "pytest", "tests", "-m", "property", "-p", "no:cacheprovider", "--hypothesis-profile", "explore",
        "--hypothesis-show-statistics", *session.posargs,
    )  # fmt: skip


@nox.session
def contract(session: nox.Session) -> None:
    """The product's main job: judge a target against openapi.yaml (default: the reference server).

    Pass pytest options after `--`, e.g. `nox -s contract -- --base-url http://127.0.0.1:8765`.
    """
    install(session, "contract")
    REPORTS.mkdir(exist_ok=True)
    # The profile is chosen in one place: --contract-profile or DEPLOYHQ_CONTRACT_PROFILE (deployhq_contract/plugin.py).
    session.run("pytest", "contract_tests", *session.posargs)


@nox.session
def teeth(session: nox.Session) -> None:
    """Run the contract suite against each deliberately broken server and check that every one is caught."""
    install(session, "teeth")
    session.run("pytest", "mutants", *PARALLEL, *session.posargs)


@nox.session
def second_judge(session: nox.Session) -> None:
    """The suite through Stoplight Prism: Prism must pass the reference server and catch a schema fault.

    `nox -s second_judge -- --variant id-mistyped` picks the variant; other options after `--` go to pytest.
    """
    # Prism is an npm package: a machine without Node.js skips this with a warning; CI (CI=true) never does.
    if (shutil.which("npm") is None or shutil.which("node") is None) and not os.environ.get("CI"):
        session.warn("npm or node not found: skipping the second judge (install Node.js to run it)")
        return
    install(session, "contract")
    tool(session, "second_judge", "--prism-dir", str(session.cache_dir / "prism"), *session.posargs)


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Benchmarks, each figure next to its baseline in the same run. `nox -s bench -- --quick` for a smoke run."""
    install(session, "bench")
    tool(session, "bench", *session.posargs)
