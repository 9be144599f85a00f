"""The suite's own schemathesis checks: each broken promise is reported in plain words.

Importing this module registers the checks; they then run inside every `call_and_validate`
and in the stateful scenario, next to the built-in ones.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import schemathesis

from .hooks import invitation_of
from .promises import created_user_promises, refusal_promises, unknown_fields

__all__ = ["DRIFT", "created_user_keeps_its_promises", "refusals_name_the_field", "report_additive_drift"]


class Drift:
    """Response fields the spec does not know, per operation: warned about in the summary, never failed."""

    def __init__(self) -> None:
        self.fields: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    def add(self, operation: str, names: set[str]) -> None:
        with self._lock:
            self.fields.setdefault(operation, set()).update(names)


DRIFT = Drift()


def _json(response: Any) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def _is_create(case: Any) -> bool:
    return bool(case.method.upper() == "POST" and case.path == "/users")


@schemathesis.check
def created_user_keeps_its_promises(ctx: Any, response: Any, case: Any) -> bool | None:
    """A 201 to POST /users: defaults applied, sent values echoed, not activated, UUID identifier."""
    sent = invitation_of(case)
    if not _is_create(case) or response.status_code != 201 or sent is None:
        return None
    body = _json(response)
    if not isinstance(body, dict):
        return None  # not JSON / not an object: the built-in schema checks report it
    broken = created_user_promises(sent, body)
    if broken:
        raise AssertionError("; ".join(broken))
    return True


@schemathesis.check
def refusals_name_the_field(ctx: Any, response: Any, case: Any) -> bool | None:
    """POST /users without a first name or address is refused with a 422 naming the field."""
    sent = invitation_of(case)
    if not _is_create(case) or sent is None:
        return None
    broken = refusal_promises(sent, response.status_code, _json(response))
    if broken:
        raise AssertionError("; ".join(broken))
    return True


@schemathesis.check
def report_additive_drift(ctx: Any, response: Any, case: Any) -> bool | None:
    """Note (never fail on) user fields the spec does not know."""
    if not 200 <= response.status_code < 300:
        return None
    body = _json(response)
    users = body if isinstance(body, list) else [body]
    for user in users:
        if isinstance(user, dict) and "identifier" in user:
            extra = unknown_fields(user)
            if extra:
                DRIFT.add(f"{case.method.upper()} {case.operation.path}", extra)
    return True
