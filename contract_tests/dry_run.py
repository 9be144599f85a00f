"""`--dry-run`: print the requests a contract run would send, with credentials filtered, and send none."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, Phase, given, settings

from .hooks import contain_address, invitation_of

__all__ = ["planned_requests"]


def planned_requests(schema: Any, examples: int) -> list[str]:
    """Up to *examples* generated requests per operation, as cURL commands with credentials filtered."""
    commands: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        cases: list[Any] = []

        @settings(max_examples=examples, database=None, derandomize=True, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(case=operation.as_strategy())
        def collect(case: Any) -> None:
            cases.append(case)  # noqa: B023  (runs inside this iteration only)

        collect()
        for case in cases[:examples]:
            user = invitation_of(case)
            if case.method.upper() == "POST" and user is not None:
                contain_address(user, positive=True)
            # schemathesis' output sanitization shows the Authorization header as [Filtered].
            commands.append(case.as_curl_command())
    return commands
