"""Invite, read back, remove: scenarios that follow the spec's links from createUser to getUser and deleteUser."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from hypothesis import settings
from schemathesis import BaseSchema

from deployhq_contract.target import Target

pytestmark = [pytest.mark.contract_beside, pytest.mark.contract_rank(130)]


def test_invite_read_and_remove_scenarios(api_schema: BaseSchema, http: requests.Session, target: Target) -> None:
    """A created user can be read back until it is removed, and is gone afterwards (use_after_free)."""
    base = api_schema.as_state_machine()

    class Scenarios(base):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"session": http}

    current = settings()
    Scenarios.run(
        settings=settings(
            current,
            max_examples=max(2, current.max_examples // 5),
            stateful_step_count=3 if target.live else 6,
        )
    )
