"""The `deployhq_sandbox` pytest fixture: a fresh DeployHQ sandbox account per test (see the README's "Testing your
code"). Registered with pytest by the deployhq-users distribution.

Inert until a test asks for a fixture: no hook, no option, no import of the reference server here. A project that
installed deployhq-users without the `sandbox` extra is unaffected until it uses the fixture, which then says what to
install. Turn it off with `pytest -p no:deployhq_sandbox`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from deployhq_sandbox import Sandbox, SandboxServer

__all__ = ["deployhq_sandbox", "deployhq_sandbox_server"]


@pytest.fixture(scope="session")
def deployhq_sandbox_server() -> Iterator[SandboxServer]:
    """One loopback server for every `deployhq_sandbox` of the test run (each sandbox under its own path)."""
    try:
        # Imported here, when a test asks for it: the plugin module itself stays free of the server.
        from deployhq_sandbox import SandboxServer
    except ImportError as error:
        pytest.fail(
            f"the deployhq_sandbox fixture needs the reference server, which is not installed ({error}): "
            "pip install 'deployhq-users[sandbox]'",
            pytrace=False,
        )
    with SandboxServer() as server:
        yield server


@pytest.fixture
def deployhq_sandbox(
    deployhq_sandbox_server: SandboxServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Sandbox]:
    """A fresh sandbox account for this test, with `.client`, `.base_url`, `.outbox`, `.fail_next`,
    `.lose_next_answer` and `.activate`."""
    # A folder of its own, not the test's tmp_path: the test's files stay the test's.
    with deployhq_sandbox_server.sandbox(tmp_path_factory.mktemp("deployhq-sandbox")) as sandbox:
        yield sandbox
