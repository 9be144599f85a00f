"""A pytest plugin for the suite's run through Prism: leaves out the tests whose verdict Prism itself decides.

Loaded with `-p second_judge.deselect`. Prism 5.14.2 answers a request whose body does not parse as JSON with
its own `400 {"error": {"code": "invalid_json", ...}}` and never forwards it, even without `--errors`
(stoplightio/prism#2664). The server under judgement never sees such a request, so a test that sends one
would judge Prism's answer, not the server's, and fail on the suite's promise of a 400 `{"status", "error"}`.
"""

from __future__ import annotations

from typing import Any

import pytest

__all__ = ["NOT_THROUGH_PRISM"]

# `module.py::name`, matching a test's name with or without its parameters.
NOT_THROUGH_PRISM = (
    # Sends `{"user": ` as JSON on purpose, to each operation that takes a body.
    "test_bodies.py::test_body_that_is_not_json_is_a_400",
    # Negative fuzzing sends bodies that are not JSON (e.g. a lone NUL byte) to each operation that takes one.
    "test_conformance.py::test_operation_honours_the_contract[POST /users]",
    "test_conformance.py::test_operation_honours_the_contract[PATCH /users/{identifier}]",
    "test_conformance.py::test_operation_honours_the_contract[PUT /users/{identifier}]",
    # Its scenarios start with fuzzed invitations, negative ones included.
    "test_stateful.py::test_invite_read_and_remove_scenarios",
)


def left_out(item: Any) -> bool:
    """Whether *item* is one of the tests the run through Prism leaves out."""
    module = item.path.name
    names = {f"{module}::{item.name}", f"{module}::{getattr(item, 'originalname', item.name)}"}
    return not names.isdisjoint(NOT_THROUGH_PRISM)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[Any]) -> None:
    deselected = [item for item in items if left_out(item)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not left_out(item)]
