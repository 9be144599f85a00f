"""The schemathesis hooks of the raw `st run` in test_conformance.py: the contract suite's, plus one for updates.

The suite's hook gives every schema-valid invitation a fresh address. A schema-valid PATCH or PUT that moves a
user to an address another user has is rightly a 422 too, so this hook gives those a fresh address as well;
any other refusal of valid data still fails `positive_data_acceptance`.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis import GenerationMode

import deployhq_contract.hooks  # noqa: F401 (registers the suite's own before_call)
from deployhq_contract.hooks import contain_address


@schemathesis.hook("before_call")
def fresh_address_for_updates(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """A PATCH or PUT of a user sends an address in the run's domain, fresh when the data is schema-valid."""
    if case.method.upper() not in {"PATCH", "PUT"} or case.path != "/users/{identifier}":
        return
    body = case.body if isinstance(case.body, dict) else None
    user = body.get("user") if body else None
    if isinstance(user, dict):
        contain_address(user, positive=case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE)
