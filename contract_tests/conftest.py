"""Activates the judge (deployhq_contract's pytest plugin) for the built-in promises, and for any file run with them.

`pytest contract_tests [PATH ...]` in the repository, `deployhq-contract [PATH ...]` anywhere: the plugin holds the
options, fixtures (`client`, `api`, `target`, ...), rails, ledger, cleanup and summary.
"""

from __future__ import annotations

import pytest

from deployhq_contract.options import activate


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    activate(config)
