"""What broke, read from the failure itself: the check that failed, its evidence, the operation and a cURL command.

Schemathesis failures are read as objects (`FailureGroup` / `Failure`: title, message, operation) with the check's
name and its cURL command recorded by an `after_validate` hook, the way schemathesis' own reports record them;
the suite's explicit promises fail with `assert [] == <broken promises>, exchange(response)`, whose message holds
the broken promises and the request. Nothing here reads pytest's printed traceback.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import schemathesis
from schemathesis.checks import CHECKS
from schemathesis.core.failures import Failure

# Imported so that the suite's own checks are registered, and their docstrings found, wherever this is used.
from . import checks, leniency, runtime  # noqa: F401
from .operations import OPERATIONS

__all__ = ["Finding", "Recorded", "check_promise", "findings"]

# Evidence longer than this is cut: the first few broken values are enough to start looking.
EVIDENCE_LIMIT = 300
# At most this many findings per test: one is enough to reproduce, a few show the pattern.
FINDINGS_LIMIT = 4

_BY_LABEL = {operation.label: operation.operation_id for operation in OPERATIONS.values()}

# The promise each built-in schemathesis check judges, in the words of the spec (most have no docstring).
_BUILT_IN_PROMISES = {
    "not_a_server_error": "No request is answered with a 5xx.",
    "status_code_conformance": "Every answer's status code is one the spec documents for the operation.",
    "content_type_conformance": "Every answer's Content-Type is one the spec documents for it.",
    "response_headers_conformance": "Every answer carries the headers the spec requires, with valid values.",
    "response_schema_conformance": "Every answer's body matches the schema the spec gives it.",
    "negative_data_rejection": "A request with data the spec forbids is refused with a 4xx.",
    "positive_data_acceptance": "A request with data the spec allows is accepted.",
    "missing_required_header": "A request without a header the spec requires is refused.",
    "unsupported_method": "A method the spec does not document for a path is refused with 405.",
    "allow_header_conformance": "A 405 names the allowed methods in its Allow header.",
    "use_after_free": "A removed user is gone: reading or changing it afterwards is a 404.",
    "ensure_resource_availability": "A created user can be read right after the 201 that created it.",
    "ignored_auth": "Every operation refuses a request without valid credentials.",
    "object_level_authorization": "One caller cannot reach an object another caller created.",
}


@dataclass(frozen=True)
class Finding:
    """One broken promise as a failure showed it."""

    evidence: str  # why: what came back, against what was promised
    reproduce: str = ""  # a cURL command, credentials filtered
    check: str = ""  # the schemathesis check that failed, if one did
    operation: str = ""  # the operationId the failure was seen on, when the failure says
    promise: str = ""  # the failed check's promise in plain words


class Recorded:
    """Each schemathesis failure's check name and cURL command, as `after_validate` saw them.

    Keyed by identity (a `Failure` compares equal to any other of its class); bounded, since a fuzzed broken
    server fails on many examples before hypothesis settles on the one it reports.
    """

    def __init__(self, limit: int = 2048) -> None:
        self._seen: OrderedDict[int, tuple[Failure, str, str]] = OrderedDict()
        self._limit = limit

    def add(self, failure: Failure, check: str, curl: str) -> None:
        self._seen[id(failure)] = (failure, check, curl)
        while len(self._seen) > self._limit:
            self._seen.popitem(last=False)

    def get(self, failure: Failure) -> tuple[str, str]:
        found = self._seen.get(id(failure))
        if found is None or found[0] is not failure:
            return "", ""
        return found[1], found[2]


@schemathesis.hook
def after_validate(context: Any, case: Any, response: Any, results: Sequence[Any]) -> None:
    """Record which check each failure came from and how to send its request again (in the run, if one is on)."""
    if not runtime.active():
        return
    recorded = runtime.current().recorded
    for result in results:
        if result.failure is not None:
            curl = case.as_curl_command(headers=dict(response.request.headers), verify=response.verify)
            recorded.add(result.failure, result.name, curl)


def check_promise(check: str) -> str:
    """The promise a check judges: its docstring's first line, or the spec's words for a built-in one."""
    if check in _BUILT_IN_PROMISES:
        return _BUILT_IN_PROMISES[check]
    function = CHECKS.get_one(check) if check in CHECKS.get_all_names() else None
    doc = (getattr(function, "__doc__", None) or "").strip()
    return doc.splitlines()[0] if doc else f"The answer passes the `{check}` check."


def findings(error: BaseException | None, secrets: Iterable[str] = ()) -> list[Finding]:
    """What a failed test's exception says broke: one finding per distinct failure, credentials filtered."""
    if error is None:
        return []
    found = list(dict.fromkeys(_finding(leaf) for leaf in _leaves(error)))
    hidden = sorted((s for s in secrets if s), key=len, reverse=True)
    return [_filtered(finding, hidden) for finding in found[:FINDINGS_LIMIT]]


def _leaves(error: BaseException) -> Iterator[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            yield from _leaves(inner)
    else:
        yield error


def _finding(error: BaseException) -> Finding:
    if isinstance(error, Failure):
        return _from_failure(error)
    if isinstance(error, AssertionError):
        return _from_assertion(str(error))
    first = next((line.strip() for line in str(error).splitlines() if line.strip()), "")
    return Finding(_cut(f"{type(error).__name__}: {first}" if first else type(error).__name__))


def _from_failure(failure: Failure) -> Finding:
    check, curl = runtime.current().recorded.get(failure) if runtime.active() else ("", "")
    if not check:
        check = failure.checks[0] if failure.checks else failure.title.partition("`")[2].partition("`")[0]
    message = " ".join(failure.message.split())
    custom = failure.title.startswith(failure.kind_title) and failure.code == "ST901"
    # A custom check's message is the broken promise in plain words; a built-in one's title names the fault.
    evidence = message if custom and message else f"{failure.title}: {message}" if message else failure.title
    return Finding(
        evidence=_cut(evidence),
        reproduce=curl,
        check=check,
        operation=_BY_LABEL.get(failure.operation or "", ""),
        promise=check_promise(check) if check else "",
    )


def _from_assertion(text: str) -> Finding:
    """`assert [] == <broken promises>, exchange(response)` or `assert 201 == status, exchange(response)`."""
    lines = [line.strip() for line in text.splitlines()]
    broken = [line.removeprefix("broken:").strip() for line in lines if line.startswith("broken:")]
    request = next((line.removeprefix("request:").strip() for line in lines if line.startswith("request:")), "")
    answer = next((line.removeprefix("answer:").strip() for line in lines if line.startswith("answer:")), "")
    if broken:
        evidence = "; ".join(broken)
    else:
        # A bare assert: pytest's explanation ("assert 201 == 422") is the why; the answer shows what came back.
        explained = next((line for line in lines if line.startswith("assert ")), "")
        first = next((line for line in lines if line), "")
        evidence = explained or first or "an assertion failed"
        if answer:
            evidence += f" (answered {answer})"
    return Finding(_cut(evidence), reproduce=request)


def _cut(text: str) -> str:
    return text if len(text) <= EVIDENCE_LIMIT else text[: EVIDENCE_LIMIT - 3] + "..."


def _filtered(finding: Finding, secrets: Sequence[str]) -> Finding:
    evidence, reproduce = finding.evidence, finding.reproduce
    for secret in secrets:
        evidence, reproduce = evidence.replace(secret, "[Filtered]"), reproduce.replace(secret, "[Filtered]")
    return Finding(evidence, reproduce, finding.check, finding.operation, finding.promise)
