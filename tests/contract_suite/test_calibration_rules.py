"""Calibration, in process: which contradictions count as broken, and what the report and the console keep."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from deployhq_contract import calibration, runtime
from deployhq_contract.__main__ import SUITE
from deployhq_contract.calibration import forgive
from deployhq_contract.checks import Drift
from deployhq_contract.leniency import Leniency
from deployhq_contract.promises import invitation_promises, validation_body_promises
from deployhq_contract.target import Credentials, Target

from .conftest import CANARY_KEY

SENT = {"first_name": "Ada", "email_address": "ada@example.com"}
USER = {
    "id": 1, "identifier": "9e11def8-8c43-454e-8c99-3c5b9cf08396", "first_name": "Ada", "last_name": "",
    "email_address": "ada@example.com", "time_zone": "Etc/UTC", "account_administrator": False, "activated": False,
    "can_manage_users": False, "can_manage_billing": False, "can_create_projects": False, "can_manage_agents": False,
    "all_projects_allowed": False,
}  # fmt: skip


@pytest.fixture(name="live")
def _live() -> Iterator[Target]:
    """A run against a live target without --contract-strict (nothing is sent)."""
    target = Target("https://acme.deployhq.com", Credentials("ops@example.com", CANARY_KEY), live=True, strict=False)
    run = runtime.Run(target=target, schema=None, guard=SimpleNamespace(), drift=Drift(), leniency=Leniency())  # type: ignore[arg-type]
    runtime.start(run)
    yield target
    runtime.stop()


def report(item_name: str, text: str) -> Any:
    return SimpleNamespace(failed=True, outcome="failed", longreprtext=text), SimpleNamespace(
        path=SUITE / "test_update.py", originalname=item_name, name=item_name
    )


def test_a_decision_answered_otherwise_is_broken_outside_a_live_run() -> None:
    """Without a lenient live run, last_name "" for an invitation without one is a broken promise."""
    assert ["last_name was omitted, so it must come back null, but came back ''"] == invitation_promises(SENT, USER)


def test_a_live_run_lists_it_with_the_exchange_instead(live: Target) -> None:
    """In a lenient live run the same answer breaks nothing; the calibration keeps the exchange that showed it."""
    calibration.seen("\n  request: curl -X POST https://acme.deployhq.com/users\n  answer: 201 {}")

    assert [] == invitation_promises(SENT, USER)
    contradicted = runtime.current().calibration.contradicted()
    assert [("last_name_null", "curl -X POST https://acme.deployhq.com/users", "201 {}")] == [
        (name, found[0]["request"], found[0]["answer"]) for name, _, found in contradicted
    ]


def test_an_exchange_given_as_a_function_is_made_only_for_a_contradiction(live: Target) -> None:
    """A costly exchange passed as a function is not made while decisions hold, and is kept whole when one fails."""
    made: list[int] = []

    def exchange() -> str:
        made.append(1)
        return "\n  request: curl -X POST https://acme.deployhq.com/users\n  answer: 201 {}"

    calibration.seen(exchange)
    assert [] == invitation_promises(SENT, {**USER, "last_name": None})
    assert [] == made

    assert [] == invitation_promises(SENT, USER)
    assert [1] == made
    assert [("curl -X POST https://acme.deployhq.com/users", "201 {}")] == [
        (found[0]["request"], found[0]["answer"]) for _, _, found in runtime.current().calibration.contradicted()
    ]


@pytest.mark.parametrize(
    ("body", "kept"),
    [({"errors": ["First name can't be blank"]}, True), ({"error": "invalid"}, True), ({"message": 3}, False)],
)
def test_only_a_422_shape_deployhqs_sdk_reads_is_forgiven(live: Target, body: Any, kept: bool) -> None:
    """{"errors": [...]} and {"error": ...} are calibrated on a live run; any other shape stays broken."""
    assert kept == (validation_body_promises(body, "first_name") == [])


def test_a_failed_decided_test_is_forgiven_live_but_not_a_5xx_nor_a_vendor_promise(live: Target) -> None:
    """A decided test's failure becomes an xfail; a 5xx in it, or a vendor-docs test, stays a failure."""
    decided = report("test_last_name_can_be_emptied", "E  answer: 422 {}")
    server_error = report("test_last_name_can_be_emptied", "E  answer: 500 oops")
    vendor = report("test_only_the_sent_fields_change", "E  answer: 200 {}")

    assert [True, False, False] == [forgive(item, rep) for rep, item in (decided, server_error, vendor)]
    assert ("skipped", "failed", "failed") == (decided[0].outcome, server_error[0].outcome, vendor[0].outcome)


def test_the_report_filters_every_key(live: Target, tmp_path: Path) -> None:
    """A key that reached an exchange is written as [Filtered]; each rule has a status."""
    calibration.seen(f"\n  request: curl -u ops:{CANARY_KEY}\n  answer: 422 {{}}")
    validation_body_promises({"errors": ["x"]}, "first_name")
    path = tmp_path / "contract-calibration.json"
    calibration.write_report(path, runtime.current(), items=[])
    written = json.loads(path.read_text(encoding="utf-8"))

    assert CANARY_KEY not in path.read_text(encoding="utf-8")
    assert {"last_name_null": "not exercised", "validation_map": "contradicted"} == {
        d["decision"]: d["status"] for d in written["decisions"]
    }


def test_a_runs_records_are_its_own(live: Target) -> None:
    """A run started while another is on records into its own calibration; the other keeps only what it saw."""
    outer = runtime.current()
    invitation_promises(SENT, USER)
    inner = runtime.Run(target=live, schema=None, guard=SimpleNamespace(), drift=Drift(), leniency=Leniency())  # type: ignore[arg-type]
    runtime.start(inner)
    validation_body_promises({"errors": ["x"]}, "first_name")

    assert (["last_name_null"], ["validation_map"]) == (
        [name for name, _, _ in outer.calibration.contradicted()],
        [name for name, _, _ in inner.calibration.contradicted()],
    )


def test_the_report_replaces_the_old_file_whole(live: Target, tmp_path: Path) -> None:
    """The report is written beside the old one and renamed over it: a reader of the old file never sees it cut."""
    path = tmp_path / "contract-calibration.json"
    path.write_text("earlier run\n", encoding="utf-8")
    earlier = tmp_path / "earlier.json"
    earlier.hardlink_to(path)  # the old file itself, still readable under another name after the rename

    calibration.write_report(path, runtime.current(), items=[])

    assert "earlier run\n" == earlier.read_text(encoding="utf-8")
    assert "decisions" in json.loads(path.read_text(encoding="utf-8"))
    assert ["contract-calibration.json", "earlier.json"] == sorted(p.name for p in tmp_path.iterdir())
