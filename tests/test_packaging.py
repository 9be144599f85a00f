"""The distribution as a user gets it: built wheel and sdist, each installed into a fresh virtual environment.

Everything runs outside the repository: the build output, the environments, and the directory each command runs in,
so nothing here can pass by importing the checkout. Needs the index (or pip's cache) for the build backend and the
extras' dependencies, as any `pip install` does.
"""

from __future__ import annotations

import fcntl
import os
import select
import signal
import socket
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from deployhq_sandbox import Accounts, serve
from mutants import CATALOGUE, build
from mutants.harness import environment

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
IMPORT_NAMES = {"deployhq_client", "deployhq_contract", "deployhq_sandbox", "deployhq_users", "pytest_deployhq_sandbox"}
TYPED = ["deployhq_client", "deployhq_sandbox", "deployhq_users"]
SPEC_COPIES = ["deployhq_contract/openapi.yaml", "deployhq_sandbox/openapi.yaml"]
BROKEN = "field-missing"
# --no-compile: pip byte-compiles every module it installs (about 6 s of CPU an environment, measured); the commands
# compile what they import, as after any install.
PIP_INSTALL = ("--quiet", "--no-compile")
# The installed files of the distribution, by top-level name (the console scripts sit in ../../bin).
INSTALLED_NAMES = """
import importlib.metadata as m
names = {f.parts[0] for f in m.files("deployhq-users") if f.parts[0] != ".." and not f.parts[0].endswith(".dist-info")}
print(" ".join(sorted(names)))
"""


@dataclass(frozen=True)
class Artifacts:
    wheel: Path
    sdist: Path


@dataclass(frozen=True)
class Install:
    """A fresh virtual environment holding one artifact with the [contract] extra, and a directory to run in."""

    venv: Path
    workdir: Path

    def command(self, name: str) -> str:
        return str(self.venv / "bin" / name)

    def site_packages(self) -> Path:
        (found,) = self.venv.glob("lib/python*/site-packages")
        return found

    def env(self, accounts: Accounts | None = None) -> dict[str, str]:
        """A user's shell in this environment: its bin first on PATH, nothing of the repository's or the test run's."""
        env = {k: v for k, v in environment(accounts).items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        env["VIRTUAL_ENV"] = str(self.venv)
        env["PATH"] = os.pathsep.join([str(self.venv / "bin"), env.get("PATH", "")])
        return env

    def run(
        self, *arguments: str, env: dict[str, str], cwd: Path | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        """A command run in *cwd* (default: the directory outside the repository made for this environment)."""
        return subprocess.run(
            list(arguments),
            cwd=cwd or self.workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def run(*arguments: str | Path, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """A command that must succeed; its output is the failure message when it does not."""
    result = subprocess.run(
        [str(a) for a in arguments], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert 0 == result.returncode, f"{' '.join(map(str, arguments))}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Artifacts:
    """`python -m build` of the repository: the sdist, then the wheel built from that sdist (so the sdist is whole).

    Built once per run: under pytest-xdist every worker's temporary directory sits in one for the run, and the first
    worker to take the lock there builds while the others wait for its artifacts.
    """
    shared = tmp_path_factory.getbasetemp()
    if "PYTEST_XDIST_WORKER" in os.environ:
        shared = shared.parent
    out = shared / "dist"
    with (shared / "dist.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not out.is_dir():
            building = shared / "dist.partial"
            building.mkdir(exist_ok=True)  # a worker whose build failed left it: build again, fail the same way
            run(sys.executable, "-m", "build", "--outdir", building, ROOT, cwd=building)
            building.rename(out)
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return Artifacts(wheel, sdist)


# Each installation is a group of its own for pytest-xdist (`--dist loadgroup`): one worker installs it and runs
# every test that uses it, while other workers install the others.
@pytest.fixture(
    scope="module",
    params=[pytest.param(kind, marks=pytest.mark.xdist_group(kind)) for kind in ("wheel", "sdist")],
)
def installed(
    request: pytest.FixtureRequest, artifacts: Artifacts, tmp_path_factory: pytest.TempPathFactory
) -> Install:
    """The artifact installed with `pip install "ARTIFACT[contract]"` into a new virtual environment."""
    kind: str = request.param
    base = tmp_path_factory.mktemp(kind)
    venv, workdir = base / "venv", base / "elsewhere"
    workdir.mkdir()
    run(sys.executable, "-m", "venv", venv, cwd=base)
    artifact = f"{getattr(artifacts, kind)}[contract]"
    run(venv / "bin" / "python", "-m", "pip", "install", *PIP_INSTALL, artifact, cwd=base)
    return Install(venv, workdir)


@pytest.fixture
def reference_server(installed: Install, tmp_path: Path) -> Iterator[str]:
    """`deployhq-sandbox` of the installed environment on a free port, stopped with Ctrl-C as a person would."""
    command = [installed.command("deployhq-sandbox"), "--port", "0", "--database", str(tmp_path / "users.sqlite3")]
    process = subprocess.Popen(
        command, cwd=installed.workdir, env=installed.env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    try:
        ready, _, _ = select.select([process.stdout], [], [], 30)
        first = process.stdout.readline() if ready else ""
        assert first.startswith("deployhq-sandbox: serving "), first or "deployhq-sandbox printed nothing in 30 s"
        yield first.rsplit(" at ", 1)[1].strip()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def test_wheel_holds_only_the_projects_import_names(artifacts: Artifacts) -> None:
    """The wheel's top-level names are the project's four packages: no `contract_tests`, no `tests`."""
    with zipfile.ZipFile(artifacts.wheel) as wheel:
        names = {name.split("/")[0] for name in wheel.namelist() if not name.split("/")[0].endswith(".dist-info")}
    assert IMPORT_NAMES == names


def test_wheel_declares_both_commands(artifacts: Artifacts) -> None:
    """The wheel's entry points are deployhq-contract and deployhq-sandbox."""
    with zipfile.ZipFile(artifacts.wheel) as wheel:
        (entry_points,) = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
        text = wheel.read(entry_points).decode()
    assert [
        "[console_scripts]",
        "deployhq-contract = deployhq_contract.__main__:main",
        "deployhq-sandbox = deployhq_sandbox.__main__:main",
    ] == text.split("\n")[:3]


def test_wheel_registers_the_pytest_plugin(artifacts: Artifacts) -> None:
    """The wheel registers the judge with pytest (`pytest11`) under its one name."""
    with zipfile.ZipFile(artifacts.wheel) as wheel:
        (entry_points,) = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
        text = wheel.read(entry_points).decode()
    assert "[pytest11]\ndeployhq_contract = deployhq_contract.options\n" in text


def test_wheel_ships_the_built_in_promises(artifacts: Artifacts) -> None:
    """Every promise file of contract_tests/ is in the wheel, as deployhq_contract/suite/."""
    with zipfile.ZipFile(artifacts.wheel) as wheel:
        shipped = {name.removeprefix("deployhq_contract/suite/") for name in wheel.namelist()}
    assert {p.name for p in (ROOT / "contract_tests").glob("*.py")} <= shipped


@pytest.fixture(scope="module")
def editable(tmp_path_factory: pytest.TempPathFactory) -> Install:
    """`pip install -e ".[contract]"` of the checkout into a new virtual environment, and a directory outside it."""
    base = tmp_path_factory.mktemp("editable")
    venv, workdir = base / "venv", base / "elsewhere"
    workdir.mkdir()
    run(sys.executable, "-m", "venv", venv, cwd=base)
    run(venv / "bin" / "python", "-m", "pip", "install", *PIP_INSTALL, "--editable", f"{ROOT}[contract]", cwd=base)
    return Install(venv, workdir)


@pytest.mark.xdist_group("editable")
def test_editable_install_imports_the_checkout(editable: Install) -> None:
    """`pip install -e .` works: each package, the judge included, comes from the checkout's folder."""
    where = "import importlib.util as u, sys; print(*(u.find_spec(n).origin for n in sys.argv[1:]), sep=chr(10))"
    names = ["deployhq_client", "deployhq_users", "deployhq_sandbox", "deployhq_contract"]
    result = editable.run(editable.command("python"), "-c", where, *names, env=editable.env())
    assert [
        ROOT / "generated" / "deployhq_client" / "__init__.py",
        ROOT / "deployhq_users" / "__init__.py",
        ROOT / "deployhq_sandbox" / "__init__.py",
        ROOT / "deployhq_contract" / "__init__.py",
    ] == [Path(line) for line in result.stdout.splitlines()], result.stderr


@pytest.mark.xdist_group("editable")
def test_editable_command_judges_with_the_checkouts_promises(editable: Install) -> None:
    """Under `pip install -e .`, `deployhq-contract --help` works and a real run judges the checkout's promises."""
    usage = editable.run(editable.command("deployhq-contract"), "--help", env=editable.env())
    result = editable.run(
        editable.command("deployhq-contract"), "--contract-profile", "quick", env=editable.env(Accounts.defaults())
    )
    output = result.stdout + result.stderr
    assert (0, True) == (usage.returncode, usage.stdout.startswith("usage: deployhq-contract")), usage.stderr
    assert 0 == result.returncode, output[-4000:]
    assert f"rootdir: {ROOT / 'contract_tests'}" in result.stdout


def test_pytest_works_without_the_contract_extra(artifacts: Artifacts, tmp_path: Path) -> None:
    """With only the client installed (no [contract] extra), the registered plugin leaves any pytest run intact."""
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    run(venv / "bin" / "python", "-m", "pip", "install", *PIP_INSTALL, artifacts.wheel, "pytest", cwd=tmp_path)
    (tmp_path / "test_plain.py").write_text("def test_one():\n    assert 1 + 1 == 2\n", "utf-8")
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pytest", "-p", "no:cacheprovider", "test_plain.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert 0 == result.returncode, result.stdout[-3000:] + result.stderr[-3000:]


def test_plain_pytest_is_unaffected(installed: Install) -> None:
    """A project's own pytest in the same environment runs as if the judge were absent: no target, no reports."""
    plain = installed.workdir / "plain"
    plain.mkdir(exist_ok=True)
    (plain / "test_plain.py").write_text("def test_one():\n    assert 1 + 1 == 2\n", "utf-8")
    result = installed.run(
        installed.command("python"), "-m", "pytest", "-p", "no:cacheprovider", env=installed.env(), cwd=plain
    )
    output = result.stdout + result.stderr
    assert (0, False, False) == (result.returncode, "contract target" in output, (plain / "reports").exists()), output[
        -3000:
    ]


def test_metadata_passes_twine_check(artifacts: Artifacts) -> None:
    """`twine check --strict` accepts the wheel's and the sdist's metadata and README."""
    result = run(sys.executable, "-m", "twine", "check", "--strict", artifacts.wheel, artifacts.sdist, cwd=ROOT)
    assert 2 == result.stdout.count("PASSED"), result.stdout


def test_installs_only_the_projects_import_names(installed: Install) -> None:
    """The installed distribution adds exactly the project's four packages to site-packages."""
    result = installed.run(installed.command("python"), "-c", INSTALLED_NAMES, env=installed.env())
    assert (0, " ".join(sorted(IMPORT_NAMES))) == (result.returncode, result.stdout.strip()), result.stderr


@pytest.mark.parametrize("copy", SPEC_COPIES)
def test_shipped_spec_is_the_repositorys(installed: Install, copy: str) -> None:
    """Each installed openapi.yaml is byte for byte the repository's: one source, no copy that can drift."""
    assert (ROOT / "openapi.yaml").read_bytes() == (installed.site_packages() / copy).read_bytes()


@pytest.mark.parametrize("package", TYPED)
def test_typed_packages_ship_their_marker(installed: Install, package: str) -> None:
    """Each typed package is installed with its py.typed, so type checkers read its hints."""
    assert (installed.site_packages() / package / "py.typed").is_file()


def test_faithful_server_keeps_the_contract(installed: Install, reference_server: str) -> None:
    """The installed deployhq-contract, run outside the repository, passes the installed deployhq-sandbox."""
    result = installed.run(
        installed.command("deployhq-contract"), "--base-url", reference_server, "--contract-profile", "quick",
        env=installed.env(Accounts.defaults()),
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert 0 == result.returncode, output[-4000:]
    # The suite that ran is the installed one, and its reports land where the command was started.
    assert f"rootdir: {installed.site_packages() / 'deployhq_contract' / 'suite'}" in result.stdout
    assert (installed.workdir / "reports" / "contract-junit.xml").is_file()


def test_broken_server_is_caught(installed: Install, tmp_path: Path) -> None:
    """Against a server that breaks one promise, the installed deployhq-contract exits 1 naming the broken test."""
    accounts = Accounts.defaults()
    with serve(build(BROKEN, tmp_path / "users.sqlite3", accounts)) as base_url:
        result = installed.run(
            installed.command("deployhq-contract"), "--base-url", base_url, "--contract-profile", "quick", "-x",
            env=installed.env(accounts),
        )  # fmt: skip
    output = result.stdout + result.stderr
    assert 1 == result.returncode, output[-4000:]
    assert CATALOGUE[BROKEN].caught_by.split("::")[1] in result.stdout, output[-4000:]


def test_embedded_server_keeps_the_contract(installed: Install) -> None:
    """With no target, the installed command judges its own embedded reference server and exits 0."""
    result = installed.run(
        installed.command("deployhq-contract"), "--contract-profile", "quick", env=installed.env(Accounts.defaults())
    )
    output = result.stdout + result.stderr
    assert 0 == result.returncode, output[-4000:]
    assert "contract target: the embedded reference server" in result.stdout


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_unreachable_target_cannot_be_judged(installed: Install) -> None:
    """A closed port is exit 4 (could not judge), naming the target and sending nothing, without a traceback."""
    closed = f"http://127.0.0.1:{free_port()}"
    result = installed.run(
        installed.command("deployhq-contract"),
        "--base-url",
        closed,
        env=installed.env(Accounts.defaults()),
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert (4, True, False) == (result.returncode, f"{closed} cannot be reached" in output, "Traceback" in output), (
        output[-3000:]
    )


def test_missing_credentials_are_named(installed: Install) -> None:
    """Without DEPLOYHQ_EMAIL / DEPLOYHQ_API_KEY a target is refused before any request, naming both variables."""
    result = installed.run(
        installed.command("deployhq-contract"), "--base-url", f"http://127.0.0.1:{free_port()}", env=installed.env()
    )
    output = result.stdout + result.stderr
    assert (4, True) == (result.returncode, "set DEPLOYHQ_EMAIL and DEPLOYHQ_API_KEY" in output), output[-3000:]


def test_a_projects_own_pytest_settings_stay_out(installed: Install, tmp_path: Path) -> None:
    """Run inside a project whose pytest.ini and conftest.py would break any pytest run, the suite is unaffected."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "pytest.ini").write_text("[pytest]\naddopts = --no-such-option\n", encoding="utf-8")
    (project / "conftest.py").write_text('raise RuntimeError("the project\'s conftest.py was imported")\n', "utf-8")
    result = installed.run(
        installed.command("deployhq-contract"),
        "--collect-only",
        "-q",
        env=installed.env(Accounts.defaults()),
        cwd=project,
    )
    output = result.stdout + result.stderr
    assert (0, False) == (result.returncode, "conftest.py was imported" in output), output[-3000:]


def test_cleanup_names_itself_as_installed(installed: Install) -> None:
    """The installed cleanup command (for a killed --live run) is `python -m deployhq_contract.cleanup`."""
    result = installed.run(
        installed.command("python"), "-m", "deployhq_contract.cleanup", "--help", env=installed.env()
    )
    assert (0, True) == (result.returncode, result.stdout.startswith("usage: python -m deployhq_contract.cleanup"))


def test_help_names_the_command(installed: Install) -> None:
    """`deployhq-contract --help` prints its usage and exits 0."""
    result = installed.run(installed.command("deployhq-contract"), "--help", env=installed.env())
    assert (0, True) == (result.returncode, result.stdout.startswith("usage: deployhq-contract"))
