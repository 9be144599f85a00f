"""The suite's own schemathesis checks: each broken promise is reported in plain words.

Importing this module registers the checks; they then run inside every `call_and_validate` and in the
stateful scenarios, next to the built-in ones. Generated requests are sent as the administrator.
Reads are compared with what the run last wrote (`history.py`), so a read that disagrees with a write,
a list that misses or repeats users, or a removed user that lingers is caught wherever it shows up.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import schemathesis
from schemathesis import Case, CheckContext, Response
from schemathesis.checks import CHECKS

# Importing the module registers schemathesis' built-in checks: done first, so ours can take its ignored_auth's place.
from schemathesis.specs.openapi.checks import ignored_auth as _probe_auth

from . import calibration, operations, runtime
from .hooks import user_object_of
from .promises import (
    invitation_promises,
    list_promises,
    read_promises,
    refusal_promises,
    unknown_fields,
    update_promises,
)

__all__ = [
    "Drift",
    "created_user_keeps_its_promises",
    "ignored_auth",
    "reads_agree_with_writes",
    "refusals_name_the_field",
    "report_additive_drift",
    "updated_user_keeps_its_promises",
]


class Drift:
    """Response fields the spec does not know, per operation: warned about in the summary, never failed."""

    def __init__(self) -> None:
        self.fields: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    def add(self, operation: str, names: set[str]) -> None:
        with self._lock:
            self.fields.setdefault(operation, set()).update(names)

    def clear(self) -> None:
        """Forget an earlier run's drift (a second run in the same process)."""
        with self._lock:
            self.fields.clear()


def _json(response: Response) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def _fail(broken: list[str]) -> bool:
    """Raise the broken promises in plain words (the first few: one is enough to reproduce)."""
    if broken:
        more = f"; and {len(broken) - 3} more" if len(broken) > 3 else ""
        raise AssertionError("; ".join(broken[:3]) + more)
    return True


def _seen(case: Case[Any], response: Response) -> None:
    """The exchange a decision may be calibrated on (schemathesis' cURL command shows no credentials)."""
    answer = bytes(response.content[:500]).decode("utf-8", "replace")
    calibration.seen(lambda: f"\n  request: {case.as_curl_command()}\n  answer: {response.status_code} {answer}")


def _identifier(case: Case[Any]) -> str | None:
    value = (case.path_parameters or {}).get("identifier")
    return str(value) if value is not None else None


@schemathesis.check
def created_user_keeps_its_promises(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """A 201 to POST /users: defaults applied, sent values echoed, not activated, UUID identifier."""
    operation, sent = operations.of_case(case), user_object_of(case)
    if operation is None or not operation.effects.creates_user or response.status_code != 201:
        return None
    body = _json(response)  # read only here: every check of every answer reading it cost more than the checking
    if sent is None or not isinstance(body, dict):
        return None  # not JSON / not an object: the built-in schema checks report it
    _seen(case, response)
    return _fail(invitation_promises(sent, body))


@schemathesis.check
def updated_user_keeps_its_promises(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """A 200 to PATCH/PUT: the user asked for, the sent fields changed, every other field as it was."""
    operation, sent = operations.of_case(case), user_object_of(case)
    identifier = _identifier(case)
    changes_fields = operation is not None and operation.effects.changes_user and operation.has_body
    if operation is None or not changes_fields or response.status_code != 200:
        return None
    body = _json(response)
    if sent is None or identifier is None or not isinstance(body, dict):
        return None
    history = runtime.history()
    before = history.before_latest(identifier) if history.latest(identifier) == body else None
    broken = read_promises(identifier, body, None)
    broken += update_promises(before, sent, body) if before is not None else update_promises(body, sent, body)
    return _fail(broken)


@schemathesis.check
def reads_agree_with_writes(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """GET of a user is that user as last written; the list shows each user once, as written, none removed."""
    operation = operations.of_case(case)
    if operation is None or response.status_code != 200 or operation.operation_id not in ("getUser", "listUsers"):
        return None
    body = _json(response)
    history = runtime.history()
    if operation.operation_id == "getUser" and isinstance(body, dict):
        identifier = _identifier(case) or ""
        if history.is_removed(identifier):
            return _fail([f"user {identifier} was removed, but reading it answered 200"])
        return _fail(read_promises(identifier, body, history.latest(identifier)))
    if operation.operation_id == "listUsers" and isinstance(body, list):
        return _fail(list_promises(body, history.alive(), history.removed_identifiers()))
    return None


@schemathesis.check
def refusals_name_the_field(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """A missing or blank first name or address is refused with a 422 naming the field."""
    operation, sent = operations.of_case(case), user_object_of(case)
    if operation is None or not operation.effects.carries_address or sent is None:
        return None
    _seen(case, response)
    return _fail(refusal_promises(operation.operation_id, sent, response.status_code, _json(response)))


@schemathesis.check
def report_additive_drift(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """Note (never fail on) user fields the spec does not know."""
    if not 200 <= response.status_code < 300:
        return None
    body = _json(response)
    users = body if isinstance(body, list) else [body]
    for user in users:
        if isinstance(user, dict) and "identifier" in user:
            extra = unknown_fields(user)
            if extra and runtime.active():
                runtime.current().drift.add(f"{case.method.upper()} {case.operation.path}", extra)
    return True


CHECKS.unregister(_probe_auth.__name__)


@schemathesis.check
def ignored_auth(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every operation refuses a request without valid credentials (schemathesis' own check, probes once per run).

    The built-in check re-sends an accepted request without and with wrong credentials, once per operation in an
    `st run` ("enforcement is a property of the operation") but after every accepted request under pytest, which
    hands it no run to remember the operations in: two thirds of a run's requests were these probes. Here the run
    remembers them, as `st run` does; `test_auth.py` still asks it of every operation explicitly.
    """
    if ctx.auth_enforced_operations is None and runtime.active():
        ctx.auth_enforced_operations = runtime.current().auth_enforced
    return _probe_auth(ctx, response, case)
