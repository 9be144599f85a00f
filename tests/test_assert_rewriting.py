"""pytest rewrites the asserts of the judge and its promises, not those of the client's and the server's modules.

Installed from a wheel, the distribution registers pytest plugins (`pytest11`), so pytest marks every module of it
for assertion rewriting (`_pytest.config.Config._mark_plugins_for_rewrite`): a rewritten module gains globals such
as `@py_builtins`, which showed up in `vars(deployhq_users)`. The library modules opt out with PYTEST_DONT_REWRITE.
An editable install marks only the plugins' packages, so the test marks the packages itself, as a wheel does.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from mutants.harness import environment

CONFTEST = """
import pytest

pytest.register_assert_rewrite("deployhq_users", "deployhq_sandbox", "control")
"""
CHECK = """
import importlib, pkgutil

import control
import deployhq_sandbox
import deployhq_users


def test_library_modules_are_not_rewritten():
    rewritten = []
    for package in (deployhq_users, deployhq_sandbox):
        for found in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            module = importlib.import_module(found.name)
            rewritten += [found.name] if "@py_builtins" in vars(module) else []
        rewritten += [package.__name__] if "@py_builtins" in vars(package) else []
    # The control package proves the marking works: without the opt-out a module is rewritten.
    assert ("rewritten", []) == ("rewritten" if "@py_builtins" in vars(control) else "not", rewritten)
"""


def test_library_modules_opt_out_of_assertion_rewriting(tmp_path: Path) -> None:
    """Marked for rewriting as a wheel install marks them, no module of deployhq_users or deployhq_sandbox is."""
    (tmp_path / "control").mkdir()
    (tmp_path / "control" / "__init__.py").write_text('"""A module pytest may rewrite."""\n\nassert True\n')
    (tmp_path / "conftest.py").write_text(textwrap.dedent(CONFTEST))
    (tmp_path / "test_check.py").write_text(textwrap.dedent(CHECK))
    # Without the plugins: the judge's options import deployhq_users before a conftest could mark it.
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:deployhq_contract",
        "-p",
        "no:deployhq_sandbox",
        "-W",
        "error::pytest.PytestAssertRewriteWarning",
        "test_check.py",
    ]
    env = environment(PYTHONPATH=str(tmp_path))
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)

    assert 0 == result.returncode, result.stdout[-3000:] + result.stderr[-2000:]
