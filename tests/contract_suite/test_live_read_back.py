"""A --live run reads refusals back in batches (pool.py): a refusal whose read-back did not happen is never kept."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from mutants.harness import run_suite

from .conftest import Server, canary_environment, live_options, serving

pytestmark = pytest.mark.slow


@pytest.fixture(name="refusing")
def _refusing(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Server]:
    """A server of refusal_variants.py (the indirect parameter names its modes) on a free port."""
    with serving(["tests.contract_suite.refusal_variants", request.param], tmp_path) as server:
        yield server


@pytest.mark.parametrize("refusing", ["put-noauth-applies+list-429"], indirect=True)
def test_a_list_that_keeps_answering_429_does_not_keep_a_refusal(refusing: Server, tmp_path: Path) -> None:
    """The read-back's list answers 429 to every try: each noted user is read with a GET, which finds the PUT that
    changed the user behind its 401 (before: "keeps the contract", exit 0)."""
    finished = run_suite(*live_options(refusing, tmp_path, "-k", "test_auth"), env=canary_environment(tmp_path))

    assert 1 == finished.code, finished.output[-4000:]
    assert "BREAKS the contract" in finished.stdout
    assert "first_name is 'Renamed' where it was 'Ada'" in finished.stdout
    assert "PUT /users/" in finished.stdout  # the refused request that could have changed the user is named


@pytest.mark.parametrize("refusing", ["put-noauth-applies"], indirect=True)
def test_a_refusal_whose_read_back_never_ran_is_not_judged(refusing: Server, tmp_path: Path) -> None:
    """The read-back case deselected: the refusal's promise is not judged, not kept (before: kept, exit 0)."""
    chosen = ("-k", "test_auth and replaceUser and not read")
    finished = run_suite(*live_options(refusing, tmp_path, *chosen), env=canary_environment(tmp_path))

    assert 0 == finished.code, finished.output[-4000:]
    assert "0 promises kept, 0 broken, 1 not judged (of 1)" in finished.stdout
    assert "not judged unless its batch's read back does" in finished.stdout


@pytest.mark.parametrize("server", ["lenient"], indirect=True)
def test_a_forgiven_change_is_not_blamed_on_an_earlier_refusal(server: Server, tmp_path: Path) -> None:
    """A lenient target accepts a strictness-only change (forgiven with --live) to a user with refusals noted: they
    are read back before it, so no refusal is said to have changed the user (before: 2 decisions "differ")."""
    finished = run_suite(*live_options(server, tmp_path), env=canary_environment(tmp_path))
    calibration = json.loads((tmp_path / "contract-calibration.json").read_text())

    assert 0 == finished.code, finished.output[-4000:]
    assert "differs from what this contract decided" not in finished.stdout, finished.stdout[-4000:]
    assert [] == [d for d in calibration["decisions"] if d.get("contradicted")]
