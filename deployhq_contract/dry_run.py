"""`--dry-run`: print the requests a contract run would generate, with credentials filtered, and send none.

Only the generated requests can be listed ahead: the rest of a run depends on the answers it gets
(`unforeseeable` says what that is, so nobody mistakes the listing for the whole run).
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from . import operations
from .hooks import contain_address, live, user_object_of
from .live_plan import LIVE_PLAN
from .target import Target

__all__ = ["planned_requests", "unforeseeable"]


def planned_requests(schema: Any, examples: int) -> list[str]:
    """Up to *examples* generated requests per operation, as cURL commands with credentials filtered."""
    commands: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        # With --live no valid request that emails a person is generated (hooks.filter_case): show invalid ones.
        # Asking for valid ones anyway would make Hypothesis reject every draw until it gives up (half a minute).
        described = operations.of_case(operation)
        emails = live() and described is not None and described.effects.sends_email
        modes = (GenerationMode.NEGATIVE,) if emails else (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        for mode in modes:
            cases = _generated(operation, mode, examples)
            if cases:
                break
        for case in cases[:examples]:
            described = operations.of_case(case)
            user = user_object_of(case)
            if described is not None and described.effects.carries_address and user is not None:
                contain_address(user, positive=mode == GenerationMode.POSITIVE)
            # schemathesis' output sanitization shows the Authorization header as [Filtered].
            commands.append(case.as_curl_command())
    return commands


def _generated(operation: Any, mode: GenerationMode, examples: int) -> list[Any]:
    cases: list[Any] = []

    @settings(max_examples=examples, database=None, derandomize=True, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=operation.as_strategy(mode))
    def collect(case: Any) -> None:
        cases.append(case)

    try:
        collect()
    except Unsatisfiable:
        return []
    return cases


def unforeseeable(profile: str, target: Target) -> list[str]:
    """What a real run sends besides the listed requests, none of which can be listed before the answers exist."""
    emailing = ", ".join(o.label for o in operations.sending_email())
    budget = "unlimited" if target.create_budget is None else str(target.create_budget)
    lines = [
        "A real run also sends what this listing cannot show, because it depends on the answers:",
        "  - one preflight request (GET /users) before anything else;",
        "  - the explicit promise tests: a few hundred requests on loopback (see the --live plan below);",
        "  - the client round trip and the consistency scenarios, which invite users and follow them;",
        "  - stateful scenarios that follow the spec's links from each invitation;",
    ]
    if profile not in ("live", "quick") and not target.live:
        lines.append("  - the coverage phase: about a hundred boundary requests per operation;")
    lines += [
        "  - a re-send of each request answered 429, after its Retry-After;",
        "  - at the end, a DELETE of every user the run created (not against the embedded server).",
        f"Requests that email a person ({emailing}) are capped by --email-budget: {budget}.",
    ]
    if target.live:
        plan = LIVE_PLAN
        lines += [
            f"The --live plan: at most {plan.invitations} invitations and {plan.resends} resends "
            f"({plan.emails} emails, what --email-budget defaults to), and about {plan.requests} requests "
            "(a default --live run against the reference server; each 429's re-send adds one).",
        ]
    return lines
