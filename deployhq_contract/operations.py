"""What each operation of openapi.yaml does to an account, keyed by operationId: the one place that says it.

The guard (budget, ownership), the hooks (address containment), the checks, the dry run and the broken
variants all ask this module instead of deciding "is this the invite?" themselves. Methods and paths
come from the spec; what an operation *does* (creates a user, sends an email, ...) is written here, and
the suite refuses to start if the spec has an operation this table does not describe.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .spec import document

if TYPE_CHECKING:  # the judge's operations are read without schemathesis too (the bench, mutants)
    from schemathesis import Case
    from schemathesis.schemas import APIOperation

__all__ = ["OPERATIONS", "Operation", "UnknownOperationError", "find", "of_case", "sending_email"]


@dataclass(frozen=True)
class Effects:
    """What an operation does beyond answering."""

    creates_user: bool = False  # a 201 is a new user the run must delete afterwards
    sends_email: bool = False  # an accepted request emails a person: counted against the email budget
    carries_address: bool = False  # the body's `user` may hold an `email_address` to contain
    changes_user: bool = False  # acts on an existing user: only ever on users the run created, when live
    removes_user: bool = False


# Every accepted invitation and every resend is a real email (openapi.yaml, info.description).
_EFFECTS: dict[str, Effects] = {
    "listUsers": Effects(),
    "createUser": Effects(creates_user=True, sends_email=True, carries_address=True),
    "getUser": Effects(),
    "updateUser": Effects(carries_address=True, changes_user=True),
    "replaceUser": Effects(carries_address=True, changes_user=True),
    "resendInvitation": Effects(sends_email=True, changes_user=True),
    "deleteUser": Effects(changes_user=True, removes_user=True),
}


@dataclass(frozen=True)
class Operation:
    """One operation: its spec name, method and path template, and its effects."""

    operation_id: str
    method: str
    path: str
    effects: Effects
    has_body: bool
    pattern: re.Pattern[str]
    # Its 403 is `{error, error_code}` (the spec's ForbiddenWithCode), not `{status, error}`.
    coded_403: bool = False

    @property
    def label(self) -> str:
        """`METHOD /path`, as schemathesis names operations."""
        return f"{self.method} {self.path}"

    def url(self, base_url: str, identifier: str | None = None) -> str:
        """The URL of this operation on *base_url*, for one user's *identifier* where the path has one."""
        path = self.path if identifier is None else self.path.replace("{identifier}", identifier)
        return base_url.rstrip("/") + path


class UnknownOperationError(Exception):
    """The spec has an operation the suite does not know what it does: it must not guess."""


def _operations() -> dict[str, Operation]:
    found: dict[str, Operation] = {}
    for path, item in document()["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            operation_id = operation["operationId"]
            if operation_id not in _EFFECTS:
                raise UnknownOperationError(
                    f"openapi.yaml has {method.upper()} {path} ({operation_id}), which deployhq_contract/operations.py "
                    "does not describe: say whether it creates a user, sends an email, carries an address or "
                    "changes a user"
                )
            regex = "^" + re.sub(r"\\\{[^/]+?\\\}", "([^/]+)", re.escape(path)) + "/?$"
            found[operation_id] = Operation(
                operation_id,
                method.upper(),
                path,
                _EFFECTS[operation_id],
                has_body="requestBody" in operation,
                pattern=re.compile(regex),
                coded_403=str(operation["responses"].get("403", {}).get("$ref", "")).endswith("/ForbiddenWithCode"),
            )
    missing = sorted(set(_EFFECTS) - set(found))
    if missing:
        raise UnknownOperationError(
            f"deployhq_contract/operations.py describes operations openapi.yaml lacks: {missing}"
        )
    return found


OPERATIONS: dict[str, Operation] = _operations()


def find(method: str, url: str) -> tuple[Operation, str | None] | None:
    """The operation a request is for, and the user identifier in its path (if any); None if it is none of them."""
    path = urlsplit(url).path if "://" in url else url.split("?", 1)[0]
    method = method.upper()
    for operation in OPERATIONS.values():
        if operation.method != method:
            continue
        match = operation.pattern.match(path)
        if match:
            return operation, (match.group(1) if match.groups() else None)
    return None


def of_case(case: Case[Any] | APIOperation[Any, Any, Any, Any]) -> Operation | None:
    """The operation a schemathesis case was generated for (or a schemathesis operation is)."""
    method, path = str(case.method).upper(), str(case.path)
    return next((o for o in OPERATIONS.values() if o.method == method and o.path == path), None)


def sending_email() -> Iterator[Operation]:
    """The operations whose accepted requests email a person."""
    return (operation for operation in OPERATIONS.values() if operation.effects.sends_email)
